package benchmark

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

type nopPub struct{ n int }

func (p *nopPub) Publish(string, []byte) error { p.n++; return nil }
func (p *nopPub) Close() error                 { return nil }

// The publish loop allocates its buffer once, not per message.
func TestPublishNoAllocPerMessage(t *testing.T) {
	cfg, _ := RunConfig{Msgs: 1000, Window: -1}.withDefaults()
	p := &nopPub{}
	r := &runner{cfg: cfg, subs: []*subscriber{newSubscriber(map[string]int{"bench/0": 0}, cfg.Size)},
		pubs: []Publisher{p}, topics: []string{"bench/0"}, published: make([]atomic.Uint64, 1)}
	allocs := testing.AllocsPerRun(5, func() {
		if err := r.publish(context.Background(), 0, time.Now()); err != nil {
			t.Fatal(err)
		}
	})
	if p.n != 6*1000 || allocs > 3 {
		t.Fatalf("%d published, %v allocations per 1000 messages", p.n, allocs)
	}
}
