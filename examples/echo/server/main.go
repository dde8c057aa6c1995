// Command server is Python Banyan's simple echo server in Go: it republishes
// every message on topic "echo" to topic "reply".
//
//	banyan backplane &
//	go run ./examples/echo/server &
//	go run ./examples/echo/client
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/gobanyan/banyan"
)

func main() {
	addr := flag.String("b", "", "backplane address (default: $BANYAN_BACKPLANE, else this host)")
	pub := flag.Int("p", banyan.DefaultPublisherPort, "backplane publisher port")
	sub := flag.Int("s", banyan.DefaultSubscriberPort, "backplane subscriber port")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	c, err := banyan.Connect(ctx, banyan.WithBackplane(*addr), banyan.WithPorts(*pub, *sub), banyan.WithName("EchoServer"),
		banyan.WithSubscriptions("echo"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	c.Run(ctx, func(m *banyan.Message) {
		var msg struct {
			N int `msgpack:"message_number"`
		}
		if err := m.Decode(&msg); err == nil {
			fmt.Println("Message number:", msg.N)
		}
		c.PublishRaw("reply", m.Payload)
	})
}
