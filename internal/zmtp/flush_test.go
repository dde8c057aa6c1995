package zmtp

import (
	"context"
	"net"
	"sync"
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

// Flush with an older peer returns while another goroutine keeps its
// queue from ever running dry (a slow reader, a sender that never stops):
// it waits for what was sent before it, not for a moment when the queue is
// empty, which may never come.
func TestFlushOlderPeerUnderStream(t *testing.T) {
	pub := NewPub(quiet())
	defer pub.Close()
	nc := link(t, &pub.s, true)
	nc.SetDeadline(time.Time{})
	greet20(t, nc, 2, 1)
	mustWrite(t, nc, frames20("\x01"))
	waitFor(t, "the subscription", func() bool { return len(*pub.peers.Load()) == 1 && (*pub.peers.Load())[0].set.Len() == 1 })
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	full := make(chan struct{})
	go func() { // a slow reader, once the queue is full: 16 KiB a millisecond
		defer wg.Done()
		select {
		case <-full:
		case <-stop:
			return
		}
		buf := make([]byte, 16<<10)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := nc.Read(buf); err != nil {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	go func() {
		defer wg.Done()
		m := NewTopicMsg("t", make([]byte, 100))
		for {
			select {
			case <-stop:
				return
			default:
				pub.Send(m)
			}
		}
	}()
	defer wg.Wait()
	defer nc.Close()
	defer close(stop)
	waitFor(t, "the queue to fill", func() bool { return pub.Stats().Dropped > 0 })
	close(full)
	for i := range 3 {
		// Each Flush waits behind at most a queue and the socket buffers,
		// which the reader drains in well under a second.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := pub.Flush(ctx)
		cancel()
		if err != nil {
			t.Fatalf("Flush %d while sending: %v (queue %v)", i, err, pub.QueueLengths())
		}
	}
}

// A Flush's PING still queued when its 3.1 connection ends is not sent to
// an older peer that takes the connection's place (a 2.0 peer would read a
// frame with a reserved flag): the writer passes it, and the Flush
// returns once what came before it is written.
func TestFlushPingForOlderConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(20 * time.Second))
	pub := NewPub(quiet())
	defer pub.Close()
	if err := pub.Connect(ln.Addr().String()); err != nil {
		t.Fatal(err)
	}
	accept := func() net.Conn {
		nc, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		nc.SetDeadline(time.Now().Add(20 * time.Second))
		greet20(t, nc, 2, 1)
		mustWrite(t, nc, frames20("\x01"))
		return nc
	}
	first := accept()
	waitFor(t, "the first connection", func() bool { return pubVersions(pub) == "2.0" })
	first.Close()
	pp := (*pub.peers.Load())[0]
	waitFor(t, "the connection to end", func() bool {
		pp.mu.Lock()
		defer pp.mu.Unlock()
		return pp.conn == nil
	})
	// Left in the queue as by a 3.1 connection that ended before its
	// writer got to it (Flush queues only for a connected peer).
	pub.SendFrames([]byte("before"))
	token, ch := pub.pongs.add("flush")
	defer pub.pongs.remove(token)
	pp.mu.Lock()
	pp.q = append(pp.q, Msg{raw: ping(token)})
	pp.grow(int64(len(pp.q[len(pp.q)-1].raw)))
	pp.mu.Unlock()
	pub.SendFrames([]byte("END"))

	second := accept()
	for _, want := range []string{"before", "END"} {
		body, _, err := read20(second) // fails on a command frame
		if err != nil || string(body) != want {
			t.Fatalf("the 2.0 peer read %q, %v; want %q", body, err, want)
		}
	}
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatal("the Flush's PING was never passed")
	}
}

// stalledPeer is a PUB with one accepted SUB that never receives (RecvHWM
// 1, nobody reading): what is sent behind its first message stays unread.
func stalledPeer(t *testing.T) (*Pub, *Sub, context.Context) {
	t.Helper()
	pub := NewPub(quiet())
	t.Cleanup(func() { pub.Close() })
	addr, err := pub.Bind("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sopts := quiet()
	sopts.RecvHWM = 1
	sub := NewSub(sopts)
	t.Cleanup(func() { sub.Close() })
	sub.Subscribe(nil)
	sub.Connect(addr.String())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	if err := pub.WaitSubscribed(ctx); err != nil {
		t.Fatal(err)
	}
	return pub, sub, ctx
}

// A Flush waiting on an accepted peer that leaves returns: a peer that is
// not connected is not waited for, wherever its PING is when it leaves.
func TestFlushPeerLeaves(t *testing.T) {
	// Still queued, or in the batch of a writer blocked on the full
	// connection: 20 MiB sent, more than the socket buffers hold.
	t.Run("queued", func(t *testing.T) {
		pub, sub, ctx := stalledPeer(t)
		m := NewTopicMsg("t", make([]byte, 1024))
		for range 20000 {
			pub.Send(m)
		}
		done := make(chan error, 1)
		go func() { done <- pub.Flush(ctx) }()
		select {
		case err := <-done:
			t.Fatalf("Flush returned %v while the peer read nothing", err)
		case <-time.After(100 * time.Millisecond):
		}
		sub.Close()
		if err := <-done; err != nil {
			t.Fatalf("Flush after the peer left: %v", err)
		}
	})
	// Already written: nothing of it is queued any more, and the peer
	// will never answer it. The end of the connection it went out on
	// releases the Flush.
	t.Run("written", func(t *testing.T) {
		pub, sub, ctx := stalledPeer(t)
		for range 3 {
			pub.Send(NewTopicMsg("t", []byte("x")))
		}
		done := make(chan error, 1)
		go func() { done <- pub.Flush(ctx) }()
		waitFor(t, "the PING written", func() bool {
			pub.pongs.mu.Lock()
			defer pub.pongs.mu.Unlock()
			for _, w := range pub.pongs.waiting {
				if w.on != nil {
					return true
				}
			}
			return false
		})
		select {
		case err := <-done:
			t.Fatalf("Flush returned %v while the peer read nothing", err)
		default:
		}
		sub.Close()
		if err := <-done; err != nil {
			t.Fatalf("Flush after the peer left: %v", err)
		}
	})
}
