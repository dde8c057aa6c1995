package benchmark_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/benchmark"
)

// Two publishers and three subscribers through a backplane of our own, on
// free loopback ports.
func Example() {
	bp, err := backplane.New(backplane.Options{Bind: "127.0.0.1", PublisherPort: backplane.FreePort,
		SubscriberPort: backplane.FreePort, HWM: backplane.Unlimited, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bp.Close()
	bus := benchmark.Banyan(banyan.WithBackplane("127.0.0.1"), banyan.WithPorts(bp.PublisherPort(), bp.SubscriberPort()))
	res, err := benchmark.Run(context.Background(), bus, benchmark.RunConfig{Pubs: 2, Subs: 3, Msgs: 1000, Size: 64})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: delivered %d of %d, lost %d, p50 latency > 0: %v\n", res.Bus, res.Delivered, res.Expected, res.Lost, res.Latency.P50 > 0)
	// Output: banyan: delivered 3000 of 3000, lost 0, p50 latency > 0: true
}
