package tcp_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/bridge/tcp"
)

// A bridge in tgw's default shape: it connects to a device (here a
// goroutine standing in for a Pico), sends it what is published on
// "figura" and publishes what it sends on "from_pico".
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	quiet := slog.New(slog.DiscardHandler)

	bp, err := backplane.New(backplane.Options{Bind: "127.0.0.1", PublisherPort: backplane.FreePort, SubscriberPort: backplane.FreePort, Logger: quiet})
	if err != nil {
		panic(err)
	}
	go bp.Run(ctx)
	where := []banyan.Option{banyan.WithBackplane("127.0.0.1"), banyan.WithPorts(bp.PublisherPort(), bp.SubscriberPort()), banyan.WithLogger(quiet)}

	// The device: a TCP server that sends {'pico_data': 1}, then prints the
	// frames it receives.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	deviceDone := make(chan struct{})
	go func() {
		defer close(deviceDone)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.Write([]byte{0x0c, 0x81, 0xa9, 'p', 'i', 'c', 'o', '_', 'd', 'a', 't', 'a', 0x01})
		body, err := tcp.Framing{}.ReadFrame(conn)
		if err != nil {
			return
		}
		fmt.Printf("device got % x\n", body)
	}()

	// The station on the Banyan side, subscribed before the device talks.
	station, err := banyan.Connect(ctx, append(where, banyan.WithSubscriptions("from_pico"))...)
	if err != nil {
		panic(err)
	}
	defer station.Close()

	bridge, err := tcp.New(ctx, tcp.Options{
		Address:      ln.Addr().String(),
		Subscribe:    []string{"figura"},
		PublishTopic: "from_pico",
		Backplane:    where,
		Logger:       quiet,
	})
	if err != nil {
		panic(err)
	}
	runDone := make(chan error, 1)
	go func() { runDone <- bridge.Run(ctx) }()

	m := <-station.Messages()
	v, _ := m.Map()
	fmt.Println(m.Topic, v)

	station.Publish("figura", map[string]any{"Led_0": 0})
	<-deviceDone
	cancel()
	fmt.Println("run:", <-runDone)
	// Output:
	// from_pico map[pico_data:1]
	// device got 81 a5 4c 65 64 5f 30 00
	// run: <nil>
}
