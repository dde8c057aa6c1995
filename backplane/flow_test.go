package backplane

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/zmtp"
)

// flood publishes n messages of size bytes (sequence numbered) from a
// lossless publisher through bp, and returns what a subscriber that
// takes them slowly (one at a time, RecvHWM 1, pausing every 50) got, in
// order, and the largest flow-control backlog seen meanwhile.
func flood(t *testing.T, bp *Backplane, n, size int, extra func(addr string)) (got int, peak int64) {
	t.Helper()
	o := zmtp.DefaultOptions()
	o.Logger = quiet
	o.SendHWM = 0
	o.RecvHWM = 1
	sub := zmtp.NewSub(o)
	defer sub.Close()
	sub.Subscribe([]byte("f"))
	sub.Connect(fmt.Sprintf("127.0.0.1:%d", bp.SubscriberPort()))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := sub.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if extra != nil {
		extra(fmt.Sprintf("127.0.0.1:%d", bp.SubscriberPort()))
	}
	pub := zmtp.NewPub(o)
	defer pub.Close()
	pub.Connect(fmt.Sprintf("127.0.0.1:%d", bp.PublisherPort()))
	if err := pub.WaitSubscribed(ctx); err != nil {
		t.Fatal(err)
	}
	var maxBacklog atomic.Int64
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			if b := bp.pub.Backlog(); b > maxBacklog.Load() {
				maxBacklog.Store(b)
			}
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Microsecond):
			}
		}
	}()
	payload := make([]byte, size)
	for i := range n {
		binary.BigEndian.PutUint64(payload, uint64(i))
		pub.Send(zmtp.NewTopicMsg("f", payload))
	}
	for got < n {
		m, err := sub.Recv(ctx)
		if err != nil {
			break // deliveries stopped: the rest was dropped
		}
		if seq := int(binary.BigEndian.Uint64(m.Frame(1))); seq < got {
			t.Fatalf("message %d after %d: order broken", seq, got)
		}
		got++
		if got%50 == 0 {
			time.Sleep(time.Millisecond)
		}
		if got == n {
			break
		}
		// Deliveries may have ended (drops): stop waiting once the
		// backplane has forwarded everything and holds nothing more.
		if bp.Stats().Forwarded >= uint64(n) && bp.Stats().Dropped > 0 && sum(bp.queueLengths()) == 0 {
			drain, c := context.WithTimeout(ctx, 2*time.Second)
			for ; got < n; got++ {
				if _, err := sub.Recv(drain); err != nil {
					break
				}
			}
			c()
			break
		}
	}
	return got, maxBacklog.Load()
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// With flow control a lossless flood into a slow subscriber loses
// nothing, though the subscriber's HWM is far smaller than the flood, and
// what waits at the backplane stays near the bound; without it, the same
// flood drops at the HWM.
func TestFlowControl(t *testing.T) {
	const n, size, bound = 3000, 8 << 10, 1 << 20 // 24 MiB through a 1 MiB bound
	t.Run("on", func(t *testing.T) {
		bp, _ := start(t, Options{PublisherPort: FreePort, SubscriberPort: FreePort, HWM: 200, FlowControl: bound})
		got, peak := flood(t, bp, n, size, nil)
		if got != n || bp.Stats().Dropped != 0 {
			t.Fatalf("got %d of %d, dropped %d: flow control should lose nothing", got, n, bp.Stats().Dropped)
		}
		if peak > bound+2*(size+64) {
			t.Fatalf("backlog reached %d bytes; bound %d (plus a message in flight)", peak, bound)
		}
		if peak == 0 {
			t.Fatal("no backlog ever seen: the test measured nothing")
		}
	})
	t.Run("off", func(t *testing.T) {
		bp, _ := start(t, Options{PublisherPort: FreePort, SubscriberPort: FreePort, HWM: 200})
		if got, _ := flood(t, bp, n, size, nil); got == n || bp.Stats().Dropped == 0 {
			t.Fatalf("got %d of %d, dropped %d: without flow control the HWM should have dropped", got, n, bp.Stats().Dropped)
		}
	})
}

// A subscriber that takes nothing does not stop the bus under flow
// control: after a second it is no longer waited for, the others get
// everything, and it drops at its HWM as it would without flow control.
func TestFlowControlStalledSubscriber(t *testing.T) {
	const n, size, bound = 3000, 8 << 10, 1 << 20
	bp, _ := start(t, Options{PublisherPort: FreePort, SubscriberPort: FreePort, HWM: 200, FlowControl: bound})
	var stalled *zmtp.Sub
	got, _ := flood(t, bp, n, size, func(addr string) {
		o := zmtp.DefaultOptions()
		o.Logger = quiet
		o.RecvHWM = 1
		stalled = zmtp.NewSub(o) // never read: its channel, socket buffers and queue fill
		stalled.Subscribe([]byte("f"))
		stalled.Connect(addr)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := stalled.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	})
	defer stalled.Close()
	if got != n {
		t.Fatalf("the reading subscriber got %d of %d", got, n)
	}
	if bp.Stats().Dropped == 0 {
		t.Fatal("the stalled subscriber should have dropped at its HWM")
	}
}
