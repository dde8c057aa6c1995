package zmtp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func quiet() Options {
	o := DefaultOptions()
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return o
}

// waitFor polls cond until it holds or 10 s pass (a liveness bound, not a timing assertion).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func recvN(t *testing.T, sb *Sub, n int) []Msg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []Msg
	for len(out) < n {
		m, err := sb.Recv(ctx)
		if err != nil {
			t.Fatalf("after %d of %d messages: %v", len(out), n, err)
		}
		out = append(out, m)
	}
	return out
}

// pubSubPair binds a PUB and connects a SUB subscribed to prefixes, and
// waits until the PUB has the subscription.
func pubSubPair(t *testing.T, opts Options, prefixes ...string) (*Pub, *Sub) {
	t.Helper()
	pub := NewPub(opts)
	addr, err := pub.Bind("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sub := NewSub(opts)
	for _, p := range prefixes {
		sub.Subscribe([]byte(p))
	}
	if err := sub.Connect(addr.String()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Close(); pub.Close() })
	waitFor(t, "subscription", func() bool {
		for _, pp := range *pub.peers.Load() {
			pp.mu.Lock()
			n := len(pp.subs)
			pp.mu.Unlock()
			if n == len(prefixes) {
				return true
			}
		}
		return false
	})
	return pub, sub
}

func TestPubSubPrefix(t *testing.T) {
	pub, sub := pubSubPair(t, quiet(), "AB")
	for _, topic := range []string{"ABC", "XYZ", "ABD", "A"} {
		pub.Send(NewMsg([]byte(topic), []byte("payload-"+topic)))
	}
	pub.Send(NewMsg([]byte("AB"), []byte("end")))
	got := recvN(t, sub, 3)
	want := []string{"ABC", "ABD", "AB"}
	for i, m := range got {
		if string(m.Topic()) != want[i] {
			t.Fatalf("message %d topic %q, want %q", i, m.Topic(), want[i])
		}
	}
	if string(got[0].Frame(1)) != "payload-ABC" || got[0].NumFrames() != 2 {
		t.Fatalf("frames = %q", got[0].Frames())
	}
}

func TestUnsubscribeAndRefcount(t *testing.T) {
	pub, sub := pubSubPair(t, quiet(), "a")
	sub.Subscribe([]byte("a")) // count 2
	sub.Subscribe([]byte("b"))
	sub.Unsubscribe([]byte("a")) // count 1: still subscribed
	sub.Unsubscribe([]byte("b"))
	waitFor(t, "cancel of b", func() bool {
		pp := (*pub.peers.Load())[0]
		pp.mu.Lock()
		defer pp.mu.Unlock()
		_, hasB := pp.subs["b"]
		return !hasB && pp.subs["a"] == 1
	})
	pub.Send(NewMsg([]byte("b1"), nil))
	pub.Send(NewMsg([]byte("a1"), nil))
	if m := recvN(t, sub, 1)[0]; string(m.Topic()) != "a1" {
		t.Fatalf("got %q, want a1 (b was cancelled)", m.Topic())
	}
}

func TestLargeMessageAndLimit(t *testing.T) {
	o := quiet()
	o.MaxMessageSize = 1 << 20
	pub, sub := pubSubPair(t, o, "")
	big := make([]byte, 900<<10)
	for i := range big {
		big[i] = byte(i)
	}
	pub.Send(NewMsg([]byte("t"), big))
	m := recvN(t, sub, 1)[0]
	if string(m.Frame(1)) != string(big) {
		t.Fatal("large payload corrupted")
	}
	// Over the limit: read past, dropped and counted; the connection stays
	// up and the next message on it is delivered.
	pub.Send(NewMsg([]byte("t"), make([]byte, 2<<20)))
	pub.Send(NewMsg([]byte("after"), nil))
	if m := recvN(t, sub, 1)[0]; string(m.Topic()) != "after" {
		t.Fatalf("got %q after the oversized message", m.Topic())
	}
	if st := sub.Stats(); st.Refused != 1 || st.Connects != 1 || st.ProtocolErrors != 0 {
		t.Fatalf("stats %+v: want 1 refused on the same connection", st)
	}
}

func TestSlowPeerDropsOnlyForItself(t *testing.T) {
	o := quiet()
	o.SendHWM = 10
	o.RecvHWM = 1
	pub, fast := pubSubPair(t, o, "")
	// A second subscriber whose channel is never read: it fills its RecvHWM,
	// then TCP buffers, then its queue at the PUB, which drops.
	slow := NewSub(o)
	slow.Subscribe(nil)
	addr := pub.s.listeners[0].Addr().String()
	slow.Connect(addr)
	defer slow.Close()
	waitFor(t, "two peers subscribed", func() bool {
		n := 0
		for _, pp := range *pub.peers.Load() {
			if pp.set.Has("") {
				n++
			}
		}
		return n == 2
	})
	const total = 20000
	payload := make([]byte, 1000)
	done := make(chan int)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		n := 0
		for n < total {
			if _, err := fast.Recv(ctx); err != nil {
				break
			}
			n++
		}
		done <- n
	}()
	fastPeer := (*pub.peers.Load())[0] // connected first
	for i := 0; i < total; i++ {
		pub.Send(NewMsg([]byte(fmt.Sprint(i)), payload))
		for queued(fastPeer) > 5 {
			time.Sleep(20 * time.Microsecond) // pace to the fast peer, never to the slow one
		}
	}
	if n := <-done; n != total {
		t.Fatalf("fast subscriber got %d of %d", n, total)
	}
	if pub.Stats().Dropped == 0 {
		t.Fatal("the stalled peer should have dropped messages")
	}
}

func queued(pp *pubPeer) int {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	return len(pp.q)
}

// Sync returns only after the PUB has applied the subscriptions: no wait
// is needed afterwards.
func TestSubSyncAndWaitSubscribed(t *testing.T) {
	pub := NewPub(quiet())
	defer pub.Close()
	addr, _ := pub.Bind("127.0.0.1:0")
	sub := NewSub(quiet())
	defer sub.Close()
	sub.Connect(addr.String())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := 0; i < 20; i++ {
		prefix := fmt.Sprintf("p%d", i)
		sub.Subscribe([]byte(prefix))
		if err := sub.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		pp := (*pub.peers.Load())[0]
		pp.mu.Lock()
		n := pp.subs[prefix]
		pp.mu.Unlock()
		if n != 1 {
			t.Fatalf("after Sync the PUB has not applied %q", prefix)
		}
	}
	if err := pub.WaitSubscribed(ctx); err != nil {
		t.Fatal(err)
	}
}
