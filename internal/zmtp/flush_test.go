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

// A reserved topic space reaches only peers that subscribed into it: not a
// subscriber to everything, nor one whose subscription is shorter than the
// reserved prefix.
func TestReserved(t *testing.T) {
	opts := quiet()
	opts.Reserved = []byte("__banyan/")
	pub := NewPub(opts)
	defer pub.Close()
	addr, err := pub.Bind("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	subs := map[string]*Sub{}
	for _, prefix := range []string{"", "__ban", "__banyan/", "__banyan/probe/"} {
		sb := NewSub(quiet())
		defer sb.Close()
		sb.Subscribe([]byte(prefix))
		sb.Connect(addr.String())
		subs[prefix] = sb
	}
	waitFor(t, "four subscribed peers", func() bool {
		n := 0
		for _, pp := range *pub.peers.Load() {
			if pp.set.Len() > 0 {
				n++
			}
		}
		return n == 4
	})
	pub.Send(NewTopicMsg("__banyan/probe/x", []byte{0x80}))
	pub.Send(NewTopicMsg("__banyan/other", []byte{0x80}))
	pub.Send(NewTopicMsg("__bandit", []byte{0x80}))
	pub.Send(NewTopicMsg("end", []byte{0x80}))
	want := map[string][]string{
		"":                {"__bandit", "end"},
		"__ban":           {"__bandit"},
		"__banyan/":       {"__banyan/probe/x", "__banyan/other"},
		"__banyan/probe/": {"__banyan/probe/x"},
	}
	for prefix, topics := range want {
		for _, m := range recvN(t, subs[prefix], len(topics)) {
			if got := string(m.Topic()); got != topics[0] {
				t.Errorf("subscriber %q got %q, want %q", prefix, got, topics[0])
			}
			topics = topics[1:]
		}
	}
	// Messages arrive in order and "end" was last: nothing else came.
	if n := subs[""].Stats().Received; n != 2 {
		t.Fatalf("the subscriber to everything received %d messages, want 2", n)
	}
}
