package ws_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/coder/websocket"
	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/bridge/ws"
)

// A browser page (here a Go WebSocket client) talks to an Arduino gateway
// (here a Banyan component) through the bridge, as OneGPIO's arduino.html
// does.
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

	// The hardware side: listens to "to_arduino_gateway".
	arduino, err := banyan.Connect(ctx, append(where, banyan.WithSubscriptions("to_arduino_gateway"))...)
	if err != nil {
		panic(err)
	}
	defer arduino.Close()

	g, err := ws.New(ctx, ws.Options{
		Listen:    "127.0.0.1:0", // Python's address is 127.0.0.1:9000
		Backplane: where,
		Location:  time.UTC, // for the timestamp rewrite; the default is local time
		Logger:    quiet,
	})
	if err != nil {
		panic(err)
	}
	runDone := make(chan error, 1)
	go func() { runDone <- g.Run(ctx) }()

	// The page: its first message is its id.
	page, _, err := websocket.Dial(ctx, "ws://"+g.Addr().String(), nil)
	if err != nil {
		panic(err)
	}
	defer page.CloseNow()
	page.Write(ctx, websocket.MessageText, []byte(`{"id": "to_arduino_gateway"}`))
	for g.Topics()["from_arduino_gateway"] == 0 { // the bridge has subscribed for the page
		time.Sleep(time.Millisecond)
	}

	// Page -> Arduino gateway, JSON -> msgpack.
	page.Write(ctx, websocket.MessageText, []byte(`{"command": "set_mode_digital_input", "pin": 2}`))
	m := <-arduino.Messages()
	v, _ := m.Map()
	fmt.Println(m.Topic, v)

	// Arduino gateway -> page, msgpack -> JSON.
	arduino.Publish("from_arduino_gateway", map[string]any{"report": "digital_input", "pin": 2, "value": 1, "timestamp": 1550482276.5})
	_, text, err := page.Read(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(text))

	page.Close(websocket.StatusNormalClosure, "")
	cancel()
	fmt.Println("run:", <-runDone)
	// Output:
	// to_arduino_gateway map[command:set_mode_digital_input pin:2]
	// {"pin":2,"report":"digital_input","timestamp":"2019-02-18 09:31:16","value":1}
	// run: <nil>
}
