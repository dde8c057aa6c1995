package banyan

import (
	"context"
	"testing"
)

// BenchmarkConnect is the time from Connect to ready (both connections up,
// subscriptions in effect) and Close, against our backplane on loopback:
// what a component pays at start and on each SubscribeSync-style wait.
func BenchmarkConnect(b *testing.B) {
	tb := startBackplane(b, -1, -1)
	opts := tb.opts(WithSubscriptions("a"))
	b.ReportAllocs()
	for b.Loop() {
		c, err := Connect(context.Background(), opts...)
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// BenchmarkSubscribeSync is one SubscribeSync on a connected component.
func BenchmarkSubscribeSync(b *testing.B) {
	tb := startBackplane(b, -1, -1)
	c, err := Connect(context.Background(), tb.opts()...)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.SubscribeSync(context.Background(), "t"); err != nil {
			b.Fatal(err)
		}
	}
}
