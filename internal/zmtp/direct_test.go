package zmtp

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// seqMsg is message i of a sender: topic "s<sender>", payload the sequence
// number then size-8 bytes of a pattern that depends on it, so a message
// that lost or gained bytes (a tail written to the wrong place) shows.
func seqMsg(sender, i, size int) Msg {
	return NewMsg(fmt.Appendf(nil, "s%d", sender), seqPayload(i, max(size, 8)))
}

// seqPayload is the payload of message i: byte j is i+j, bytes 0-7 the
// sequence number (built by repeating one period: quick under -race).
func seqPayload(i, size int) []byte {
	var period [256]byte
	for j := range period {
		period[j] = byte(i + j)
	}
	p := bytes.Repeat(period[:], size/256+1)[:size]
	binary.BigEndian.PutUint64(p, uint64(i))
	return p
}

// smallSendBuffers shrinks the socket send buffers of pub's connections,
// so that direct writes of larger messages are partial.
func smallSendBuffers(t *testing.T, pub *Pub) {
	t.Helper()
	pub.s.mu.Lock()
	defer pub.s.mu.Unlock()
	if len(pub.s.conns) == 0 {
		t.Fatal("no connection")
	}
	for c := range pub.s.conns {
		// Not below a loopback segment (64 KiB): smaller, Linux slows to a
		// crawl (a 1 MiB message took about half a second).
		if err := c.nc.(*net.TCPConn).SetWriteBuffer(64 << 10); err != nil {
			t.Fatal(err)
		}
	}
}

// countDirect counts the messages pub writes on the direct path.
func countDirect(pub *Pub) *atomic.Int64 {
	var n atomic.Int64
	pub.afterDirectWrite = func(int, int) { n.Add(1) }
	return &n
}

// checkSeq checks that m is message want of its sender and intact.
func checkSeq(t *testing.T, m Msg, want int) {
	t.Helper()
	p := m.Frame(1)
	if len(p) < 8 {
		t.Fatalf("message %d: payload of %d bytes", want, len(p))
	}
	if got := int(binary.BigEndian.Uint64(p)); got != want {
		t.Fatalf("%s: got message %d, want %d (order broken or message lost)", m.Topic(), got, want)
	}
	if !bytes.Equal(p, seqPayload(want, len(p))) {
		t.Fatalf("%s message %d: payload corrupted", m.Topic(), want)
	}
}

// The direct path and the writer goroutine take turns without reordering
// or damaging anything: single messages after pauses (direct), bursts
// (queued, batched), SendBurst with and without more, and messages larger
// than the socket buffer, whose tail the direct write leaves to the writer
// ahead of what was queued meanwhile.
func TestDirectPathKeepsOrder(t *testing.T) {
	o := quiet()
	o.SendHWM = 0 // lossless: every message must arrive
	o.RecvHWM = 100000
	pub, sub := pubSubPair(t, o, "")
	defer pub.Close()
	defer sub.Close()
	smallSendBuffers(t, pub)
	direct := countDirect(pub)
	const total = 1500
	go func() {
		for i := 0; i < total; i++ {
			size := 16
			switch {
			case i%97 == 0:
				size = 1 << 20 // more than a loopback socket buffer takes at once
			case i%13 == 0:
				size = 40 << 10
			}
			m := seqMsg(0, i, size)
			switch i % 5 {
			case 0:
				time.Sleep(2 * directGap) // a pause: Send goes direct
				pub.Send(m)
			case 1:
				pub.SendBurst(m, false)
			case 2, 3:
				pub.SendBurst(m, true)
			default:
				pub.Send(m)
			}
		}
	}()
	for i, m := range recvN(t, sub, total) {
		checkSeq(t, m, i)
	}
	if direct.Load() == 0 {
		t.Fatal("no message took the direct path: the test checks nothing")
	}
	if st := sub.Stats(); st.ProtocolErrors != 0 {
		t.Fatalf("protocol errors at the receiver: %+v", st)
	}
}

// Many goroutines sending at once, each in its own order, mixing the
// paths: each sender's messages arrive complete and in order, and the tail
// of a message the socket took only part of goes out before what others
// queued meanwhile.
func TestDirectPathConcurrentSenders(t *testing.T) {
	o := quiet()
	o.SendHWM = 0
	o.RecvHWM = 100000
	pub, sub := pubSubPair(t, o, "")
	defer pub.Close()
	defer sub.Close()
	smallSendBuffers(t, pub)
	direct := countDirect(pub)
	const senders, each = 8, 2000
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				size := 8 + i%300
				if i%100 == 0 {
					size = 256 << 10 // partly written directly while others queue
				}
				m := seqMsg(s, i, size)
				switch {
				case i%50 == 0:
					time.Sleep(2 * directGap)
					pub.Send(m)
				case i%2 == 0:
					pub.SendBurst(m, i%4 == 0)
				default:
					pub.Send(m)
				}
			}
		}()
	}
	next := map[string]int{}
	for _, m := range recvN(t, sub, senders*each) {
		k := string(m.Topic())
		checkSeq(t, m, next[k])
		next[k]++
	}
	wg.Wait()
	if direct.Load() == 0 {
		t.Fatal("no message took the direct path")
	}
}

// A subscriber that stops reading: Send still returns at once on the
// direct path (the write is non-blocking; what the socket does not take
// waits in the queue), and the queue stays within its bounds.
func TestDirectPathNeverBlocksOnStalledPeer(t *testing.T) {
	o := quiet()
	o.SendHWM = 100
	o.SendHWMBytes = 8 << 20
	pub := stalledSubscriber(t, o)
	direct := countDirect(pub)
	big := NewMsg([]byte("t"), make([]byte, 256<<10))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 2000 { // 500 MiB offered to a peer that reads nothing
			if i%2 == 0 {
				pub.SendBurst(big, false) // direct whenever the peer is idle
			} else {
				time.Sleep(2 * directGap)
				pub.Send(big)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("Send blocked on a stalled peer")
	}
	pp := (*pub.peers.Load())[0]
	pp.mu.Lock()
	held, n := pp.qBytes, len(pp.q)
	pp.mu.Unlock()
	if held > o.SendHWMBytes+int64(big.Size()) || n > o.SendHWM {
		t.Fatalf("stalled peer holds %d messages, %d bytes; bounds %d, %d", n, held, o.SendHWM, o.SendHWMBytes)
	}
	if pub.Stats().Dropped == 0 {
		t.Fatal("nothing dropped")
	}
	if direct.Load() == 0 {
		t.Fatal("no message took the direct path")
	}
}

// Connections that drop while large messages are going out directly: each
// next connection starts on a message boundary (no tail of a message
// written to the old one: the receiver would close it as broken), and
// what is sent after the reconnect arrives intact and in order.
func TestDirectPathAcrossReconnect(t *testing.T) {
	o := quiet()
	o.SendHWM = 0
	o.ReconnectMin = time.Millisecond
	o.ReconnectMax = 10 * time.Millisecond
	var broken atomic.Int64
	so := o
	so.Logger = slog.New(countBroken{&broken})
	sub := NewSub(so)
	defer sub.Close()
	sub.Subscribe(nil)
	addr, err := sub.Bind("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pub := NewPub(o)
	defer pub.Close()
	pub.Connect(addr.String())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := pub.WaitSubscribed(ctx); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	sent := make(chan struct{})
	go func() { // large messages, directly, while connections are cut
		defer close(sent)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			pub.SendBurst(NewMsg([]byte("big"), bytes.Repeat([]byte{byte(i)}, 1<<20)), false)
		}
	}()
	for range 5 {
		time.Sleep(20 * time.Millisecond)
		sub.s.mu.Lock()
		for c := range sub.s.conns {
			c.nc.Close()
		}
		sub.s.mu.Unlock()
	}
	close(stop)
	<-sent
	// Now an ordered tail. A cut may still be noticed late (by the next
	// write), which loses what was in flight: then try again, with a new
	// marker. Whatever arrives must be whole.
	ok := false
	for attempt := 0; attempt < 10 && !ok; attempt++ {
		marker := fmt.Sprintf("marker%d", attempt)
		waitFor(t, "reconnected", func() bool { return sub.Stats().Peers == 1 })
		pub.Send(NewMsg([]byte(marker), nil))
		const tail = 200
		for i := range tail {
			pub.SendBurst(seqMsg(1, i, 1000+i*97), i%3 == 0)
		}
		ok = receiveTail(t, sub, marker, tail)
	}
	if !ok {
		t.Fatal("no ordered tail arrived whole in 10 attempts")
	}
	if n := broken.Load(); n != 0 {
		t.Fatalf("%d connections carried a broken message", n)
	}
}

// receiveTail skips to marker, then reads n sequence-numbered messages;
// it reports false if some are missing (a late cut lost them), and fails
// the test if any arrives damaged or out of order.
func receiveTail(t *testing.T, sub *Sub, marker string, n int) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		m, err := sub.Recv(ctx)
		if err != nil {
			return false
		}
		switch topic := string(m.Topic()); {
		case topic == "big":
			if b := m.Frame(1); len(b) != 1<<20 || bytes.Count(b, b[:1]) != len(b) {
				t.Fatalf("a large message arrived damaged (%d bytes)", len(b))
			}
			continue
		case topic == marker:
		default:
			continue // an earlier attempt's
		}
		break
	}
	for i := range n {
		m, err := sub.Recv(ctx)
		if err != nil {
			return false
		}
		if p := m.Frame(1); len(p) >= 8 && int(binary.BigEndian.Uint64(p)) > i {
			checkSeq(t, m, int(binary.BigEndian.Uint64(p))) // whole, at least
			return false                                    // a gap: lost with a connection cut late
		}
		checkSeq(t, m, i)
	}
	return true
}

// countBroken counts connections closed for a protocol error after their
// handshake (a message that arrived broken), as the socket logs them; a
// handshake cut short by the test's own closing is not one.
type countBroken struct{ n *atomic.Int64 }

func (h countBroken) Enabled(context.Context, slog.Level) bool { return true }
func (h countBroken) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h countBroken) WithGroup(string) slog.Handler            { return h }
func (h countBroken) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "closing connection" {
		h.n.Add(1)
	}
	return nil
}

// The tail of a message the socket took only part of goes out before
// what was queued while the direct write was under way.
func TestDirectPathTailGoesFirst(t *testing.T) {
	o := quiet()
	o.SendHWM = 0
	pub, sub := pubSubPair(t, o, "")
	defer pub.Close()
	defer sub.Close()
	var partial bool
	pub.afterDirectWrite = func(n, size int) {
		if n < size && !partial {
			partial = true
			pub.SendBurst(seqMsg(0, 1, 100), false) // queued: the write right is held
		}
	}
	pub.SendBurst(seqMsg(0, 0, 32<<20), false) // more than loopback takes at once
	if !partial {
		t.Fatal("the direct write of 32 MiB was not partial: the test checks nothing")
	}
	for i, m := range recvN(t, sub, 2) {
		checkSeq(t, m, i)
	}
}
