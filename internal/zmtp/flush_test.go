package zmtp

import (
	"context"
	"testing"
	"time"
)

// Flush returns only after the peer has read every message sent before it:
// with a 3.1 peer by its PONG, with an older one once they are written.
func TestFlush(t *testing.T) {
	for _, v := range []Version{Version31, Version30, Version20} {
		t.Run(v.String(), func(t *testing.T) {
			opts := quiet()
			opts.RecvHWM = 10000
			opts.SendHWM = 0
			sopts := opts
			sopts.Version = v
			pub := NewPub(opts)
			defer pub.Close()
			addr, err := pub.Bind("tcp://127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			sub := NewSub(sopts)
			defer sub.Close()
			sub.Subscribe(nil)
			sub.Connect(addr.String())
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := pub.WaitSubscribed(ctx); err != nil {
				t.Fatal(err)
			}
			const n = 5000
			m := NewTopicMsg("t", make([]byte, 100))
			for range n {
				pub.Send(m)
			}
			if err := pub.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			if v == Version31 {
				// The PONG came after the peer read all of them.
				if got := sub.Stats().Received; got != n {
					t.Fatalf("after Flush the peer has read %d of %d messages", got, n)
				}
			} else if q := pub.QueueLengths(); len(q) != 1 || q[0] != 0 {
				t.Fatalf("after Flush the queue holds %v", q)
			}
			recvN(t, sub, n)
			if s := pub.Stats(); s.Dropped != 0 {
				t.Fatalf("dropped %d", s.Dropped)
			}
		})
	}
}

// A Flush with no connected peer returns at once.
func TestFlushNoPeer(t *testing.T) {
	pub := NewPub(quiet())
	if err := pub.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	pub.Close()
}
