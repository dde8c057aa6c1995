package gateway_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/sim"
)

// A gateway serves a simulated board; a client binds tag "button" to pin 2,
// gets the input's value, and then each change.
func Example() {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// A backplane on free loopback ports.
	bp, err := backplane.New(backplane.Options{Bind: "127.0.0.1", PublisherPort: backplane.FreePort, SubscriberPort: backplane.FreePort, Logger: quiet})
	if err != nil {
		panic(err)
	}
	defer bp.Close()
	at := []banyan.Option{banyan.WithBackplane("127.0.0.1"), banyan.WithPorts(bp.PublisherPort(), bp.SubscriberPort()), banyan.WithLogger(quiet)}

	// The gateway, for device "sim": commands on to_sim_gateway. It
	// connects its own component, subscribed to them.
	board := sim.New(sim.Options{Logger: quiet})
	gw, err := gateway.New(ctx, board, gateway.Options{Device: "sim", Backplane: at, Logger: quiet})
	if err != nil {
		panic(err)
	}
	defer gw.Close()
	gwDone := make(chan struct{})
	go func() { gw.Run(ctx); close(gwDone) }()
	defer func() { cancel(); <-gwDone }()

	// A client: reports come on from_sim_gateway.
	client, err := banyan.Connect(ctx, append(at, banyan.WithSubscriptions(gateway.ReportTopic("sim")))...)
	if err != nil {
		panic(err)
	}
	defer client.Close()
	next := func() gateway.Report {
		r, err := gateway.DecodeReport((<-client.Messages()).Payload)
		if err != nil {
			panic(err)
		}
		return r
	}

	client.Publish(gateway.CommandTopic("sim"), gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(2), Tag: "button"})
	in := next().(gateway.DigitalInput)
	fmt.Println("pin", in.Pin, "reads", in.Value)

	board.SetDigitalInput(2, 1) // someone presses the button
	in = next().(gateway.DigitalInput)
	fmt.Println("pin", in.Pin, "reads", in.Value)

	client.Publish(gateway.CommandTopic("sim"), gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "led", Value: 1})
	e := next().(gateway.ErrorReport)
	fmt.Println(e.Code, e.Tag)
	// Output:
	// pin 2 reads 0
	// pin 2 reads 1
	// unknown_tag led
}
