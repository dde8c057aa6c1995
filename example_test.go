package banyan_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
)

// A backplane, an echo server and a client in one program. In real use the
// backplane runs as `banyan backplane` and each component is its own
// program that calls Connect with no options (the default address and ports).
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	bp, err := backplane.New(backplane.Options{Bind: "127.0.0.1", PublisherPort: backplane.FreePort, SubscriberPort: backplane.FreePort, Logger: quiet})
	if err != nil {
		panic(err)
	}
	defer bp.Close()
	at := []banyan.Option{
		banyan.WithBackplane("127.0.0.1"),
		banyan.WithPorts(bp.PublisherPort(), bp.SubscriberPort()),
		banyan.WithLogger(quiet),
	}

	// The server republishes every "echo" message on "reply".
	server, err := banyan.Connect(ctx, append(at, banyan.WithSubscriptions("echo"))...)
	if err != nil {
		panic(err)
	}
	defer server.Close()
	go server.Run(ctx, func(m *banyan.Message) {
		server.PublishRaw("reply", m.Payload)
	})

	// The client is subscribed to "reply" when Connect returns.
	client, err := banyan.Connect(ctx, append(at, banyan.WithSubscriptions("reply"))...)
	if err != nil {
		panic(err)
	}
	defer client.Close()
	client.Publish("echo", map[string]any{"message_number": 10})

	m := <-client.Messages()
	var reply struct {
		N int `msgpack:"message_number"`
	}
	if err := m.Decode(&reply); err != nil {
		panic(err)
	}
	fmt.Println(m.Topic, reply.N)
	// Output: reply 10
}

func ExampleMarshal() {
	b, _ := banyan.Marshal(map[string]any{"message_number": 10})
	fmt.Printf("% x\n", b)
	// Output: 81 ae 6d 65 73 73 61 67 65 5f 6e 75 6d 62 65 72 0a
}
