package backplane_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
)

// Embed a backplane in a program. `banyan backplane` does the same with the
// default ports 43124/43125 on every interface; here free loopback ports.
func Example() {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	bp, err := backplane.New(backplane.Options{Bind: "127.0.0.1", PublisherPort: backplane.FreePort, SubscriberPort: backplane.FreePort, Logger: quiet})
	if err != nil {
		panic(err) // errors.Is(err, backplane.ErrPortInUse) when a port is taken
	}
	defer bp.Close()

	c, err := banyan.Connect(ctx, banyan.WithBackplane("127.0.0.1"),
		banyan.WithPorts(bp.PublisherPort(), bp.SubscriberPort()), banyan.WithLogger(quiet),
		banyan.WithSubscriptions("hello"))
	if err != nil {
		panic(err)
	}
	c.Publish("hello", "world")
	m := <-c.Messages()
	v, _ := m.Value()
	fmt.Println(m.Topic, v, bp.Stats().Subscribers)
	c.Close()
	// Output: hello world 1
}
