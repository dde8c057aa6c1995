package backplane

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/zmtp"
)

// BenchmarkForwardSubscriptions measures the cost of one message forwarded
// publisher -> backplane -> subscriber when that subscriber holds N prefix
// subscriptions (a robot subscribing per sensor). Both the backplane's PUB
// and the subscriber's SUB match every message against the N prefixes; the
// topics cycle through all of them. ns/op is per delivered message.
func BenchmarkForwardSubscriptions(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		b.Run(fmt.Sprintf("subs=%d", n), func(b *testing.B) { benchForwardSubs(b, n) })
	}
}

func benchForwardSubs(b *testing.B, n int) {
	bp, err := New(Options{Bind: "127.0.0.1", PublisherPort: FreePort, SubscriberPort: FreePort, HWM: Unlimited, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer bp.Close()
	o := zmtp.DefaultOptions()
	o.SendHWM = 0
	o.Logger = quiet
	sub := zmtp.NewSub(o)
	defer sub.Close()
	msgs := make([]zmtp.Msg, n)
	for i := range n {
		prefix := fmt.Sprintf("sensor/%05d/", i)
		sub.Subscribe([]byte(prefix))
		msgs[i] = zmtp.NewTopicMsg(prefix+"temp", []byte{0x81, 0xa1, 'v', 0xcb, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18})
	}
	pub := zmtp.NewPub(o)
	defer pub.Close()
	if err := sub.Connect(fmt.Sprintf("127.0.0.1:%d", bp.SubscriberPort())); err != nil {
		b.Fatal(err)
	}
	if err := pub.Connect(fmt.Sprintf("127.0.0.1:%d", bp.PublisherPort())); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := pub.WaitSubscribed(ctx); err != nil {
		b.Fatal(err)
	}
	// The backplane applies one connection's subscriptions in order: once
	// the last prefix delivers, all of them do.
	last := msgs[n-1]
	for {
		pub.Send(last)
		select {
		case <-sub.Messages():
		case <-time.After(20 * time.Millisecond):
			if ctx.Err() != nil {
				b.Fatal("subscriptions never took effect")
			}
			continue
		}
		break
	}
	drain := func() { // stray warm-up copies
		for {
			select {
			case <-sub.Messages():
			case <-time.After(100 * time.Millisecond):
				return
			}
		}
	}
	drain()
	done := make(chan struct{})
	b.ResetTimer()
	go func() {
		defer close(done)
		for range b.N {
			select {
			case <-sub.Messages():
			case <-ctx.Done():
				return
			}
		}
	}()
	for i := range b.N {
		pub.Send(msgs[i%n])
	}
	<-done
	b.StopTimer()
	if ctx.Err() != nil {
		b.Fatal("messages lost")
	}
}
