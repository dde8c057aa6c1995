// Command client is Python Banyan's simple echo client in Go: it sends
// {'message_number': 10} on "echo" and, on each reply, the next lower
// number, down to 0.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/gobanyan/banyan"
)

func main() {
	addr := flag.String("b", "", "backplane address (default: $BANYAN_BACKPLANE, else this host)")
	count := flag.Int("m", 10, "number of messages")
	pub := flag.Int("p", banyan.DefaultPublisherPort, "backplane publisher port")
	sub := flag.Int("s", banyan.DefaultSubscriberPort, "backplane subscriber port")
	flag.Parse()
	ctx := context.Background()

	// Subscribed to "reply" when Connect returns: no sleep, no lost replies.
	c, err := banyan.Connect(ctx, banyan.WithBackplane(*addr), banyan.WithPorts(*pub, *sub), banyan.WithName("EchoClient"),
		banyan.WithSubscriptions("reply"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	start := time.Now()
	c.Publish("echo", map[string]any{"message_number": *count})
	for m := range c.Messages() {
		var reply struct {
			N int `msgpack:"message_number"`
		}
		if err := m.Decode(&reply); err != nil {
			log.Printf("bad reply: %v", err)
			continue
		}
		if reply.N == 0 {
			break
		}
		c.Publish("echo", map[string]any{"message_number": reply.N - 1})
	}
	fmt.Printf("%d messages sent and received in %v.\n", *count+1, time.Since(start))
}
