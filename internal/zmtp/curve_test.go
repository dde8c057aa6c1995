package zmtp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/curve"
)

// curveKeys is a server key pair and a client key pair.
type curveKeys struct {
	srvPub, srvSec curve.Key
	cliPub, cliSec curve.Key
}

func newCurveKeys(t testing.TB) curveKeys {
	t.Helper()
	var k curveKeys
	var err error
	if k.srvPub, k.srvSec, err = curve.GenerateKeyPair(nil); err != nil {
		t.Fatal(err)
	}
	if k.cliPub, k.cliSec, err = curve.GenerateKeyPair(nil); err != nil {
		t.Fatal(err)
	}
	return k
}

// serverOpts are CURVE options for the binding side; authorize may be nil
// (everyone admitted).
func (k curveKeys) serverOpts(o Options, authorize func(curve.Key) error) Options {
	o.Curve = &Curve{Server: curve.NewServer(k.srvPub, k.srvSec, &curve.ServerOptions{Authorize: authorize})}
	return o
}

// clientOpts are CURVE options for the connecting side.
func (k curveKeys) clientOpts(o Options) Options {
	o.Curve = &Curve{ServerKey: k.srvPub, Public: k.cliPub, Secret: k.cliSec}
	return o
}

// bindCurvePub binds a CURVE Pub (the server) with options o on a free
// loopback port, closed when the test ends.
func bindCurvePub(t *testing.T, o Options) (*Pub, net.Addr) {
	t.Helper()
	pub := NewPub(o)
	addr, err := pub.Bind("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pub.Close() })
	return pub, addr
}

// curvePair binds a CURVE Pub (server) and connects a CURVE Sub (client)
// subscribed to prefixes, and waits for the subscriptions.
func curvePair(t *testing.T, k curveKeys, o Options, prefixes ...string) (*Pub, *Sub) {
	t.Helper()
	pub, addr := bindCurvePub(t, k.serverOpts(o, nil))
	sub := NewSub(k.clientOpts(o))
	for _, p := range prefixes {
		sub.Subscribe([]byte(p))
	}
	if err := sub.Connect(addr.String()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Close(); pub.Close() })
	syncSub(t, sub)
	return pub, sub
}

func syncSub(t *testing.T, sub *Sub) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sub.Sync(ctx); err != nil {
		t.Fatalf("Sync: %v", err)
	}
}

// checkStream sends n messages of varied shapes (multi-frame, sizes from 0
// to past a buffer) and checks they arrive whole and in order.
func checkStream(t *testing.T, pub *Pub, sub *Sub, n int) {
	t.Helper()
	payload := func(i int) []byte {
		size := i * 37 % 300
		switch i % 50 {
		case 7:
			size = 70 << 10 // over 64 KiB
		case 13:
			size = 200 << 10 // over the buffer, several reads
		}
		b := make([]byte, size)
		for j := range b {
			b[j] = byte(i + j)
		}
		return b
	}
	go func() {
		for i := range n {
			pub.SendFrames([]byte("t/x"), []byte(fmt.Sprint(i)), payload(i))
		}
	}()
	for i, m := range recvN(t, sub, n) {
		f := m.Frames()
		if len(f) != 3 || string(f[0]) != "t/x" || string(f[1]) != fmt.Sprint(i) || !bytes.Equal(f[2], payload(i)) {
			t.Fatalf("message %d: %d frames, %q %q, payload %d bytes", i, len(f), f[0], f[1], len(f[len(f)-1]))
		}
	}
}

func TestCurvePubServerSubClient(t *testing.T) {
	k := newCurveKeys(t)
	pub, sub := curvePair(t, k, quiet(), "t/")
	pub.SendFrames([]byte("other"), []byte("filtered by the PUB"))
	checkStream(t, pub, sub, 300)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := pub.Flush(ctx); err != nil {
		t.Fatalf("Flush (PING/PONG in boxes): %v", err)
	}
	peers := pub.Peers(0)
	if len(peers) != 1 || peers[0].CurveKey != k.cliPub {
		t.Fatalf("Pub.Peers: %+v, want the client's key %s", peers, k.cliPub)
	}
	if sp := sub.Peers(); len(sp) != 1 || sp[0].CurveKey != k.srvPub {
		t.Fatalf("Sub.Peers: %+v, want the server's key", sp)
	}
	if s := pub.Stats(); s.ProtocolErrors != 0 {
		t.Fatalf("protocol errors: %+v", s)
	}
}

func TestCurveSubServerPubClient(t *testing.T) {
	k := newCurveKeys(t)
	o := quiet()
	sub := NewSub(k.serverOpts(o, nil))
	sub.Subscribe([]byte("t/"))
	addr, err := sub.Bind("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pub := NewPub(k.clientOpts(o))
	if err := pub.Connect(addr.String()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pub.Close(); sub.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := pub.WaitSubscribed(ctx); err != nil {
		t.Fatal(err)
	}
	checkStream(t, pub, sub, 200)
	// Unsubscribe goes through a box too: the PUB forgets the prefix.
	sub.Unsubscribe([]byte("t/"))
	waitFor(t, "CANCEL applied", func() bool {
		p := pub.Peers(0)
		return len(p) == 1 && p[0].Subscriptions == 0
	})
}

func TestCurveVersion30(t *testing.T) {
	k := newCurveKeys(t)
	o := quiet()
	o.Version = Version30 // subscriptions as messages in boxes
	pub, sub := curvePair(t, k, o, "t/")
	// 3.0 has no PING: Sync returns once connected, so wait for the
	// subscription to be applied.
	waitFor(t, "subscription", func() bool { p := pub.Peers(0); return len(p) == 1 && p[0].Subscriptions == 1 })
	checkStream(t, pub, sub, 60)
}

func TestCurveUnauthorized(t *testing.T) {
	k := newCurveKeys(t)
	o := quiet()
	var asked atomic.Int64
	pub, addr := bindCurvePub(t, k.serverOpts(o, func(c curve.Key) error {
		asked.Add(1)
		return errors.New("not on the list")
	}))
	co := k.clientOpts(o)
	co.ReconnectMin, co.ReconnectMax = 50*time.Millisecond, 100*time.Millisecond
	sub := NewSub(co)
	sub.Subscribe(nil)
	sub.Connect(addr.String())
	t.Cleanup(func() { sub.Close() })
	waitFor(t, "refusals", func() bool { return pub.Stats().ProtocolErrors >= 2 && sub.Stats().ProtocolErrors >= 2 })
	pub.SendFrames([]byte("secret"))
	if s := pub.Stats(); s.Connects != 0 || s.Peers != 0 || asked.Load() < 2 {
		t.Fatalf("refused client connected: %+v, asked %d", s, asked.Load())
	}
	select {
	case m := <-sub.Messages():
		t.Fatalf("refused client got %q", m.Frames())
	case <-time.After(100 * time.Millisecond):
	}
}

func TestCurveWrongServerKey(t *testing.T) {
	k := newCurveKeys(t)
	o := quiet()
	pub, addr := bindCurvePub(t, k.serverOpts(o, nil))
	other := newCurveKeys(t)
	co := other.clientOpts(o)
	co.ReconnectMin, co.ReconnectMax = 100*time.Millisecond, 200*time.Millisecond
	sub := NewSub(co)
	sub.Connect(addr.String())
	t.Cleanup(func() { sub.Close() })
	start := time.Now()
	waitFor(t, "two failed handshakes", func() bool { return pub.Stats().ProtocolErrors >= 2 })
	time.Sleep(300 * time.Millisecond)
	// Backoff, no spin: at most one attempt per ReconnectMin since start.
	max := uint64(time.Since(start)/co.ReconnectMin) + 2
	if n := pub.Stats().ProtocolErrors; n > max {
		t.Fatalf("%d handshakes in %v: the client spins", n, time.Since(start))
	}
	if pub.Stats().Connects != 0 || sub.Stats().Connects != 0 {
		t.Fatal("a handshake with the wrong server key succeeded")
	}
}

func TestCurveRefusesNull(t *testing.T) {
	k := newCurveKeys(t)
	o := quiet()
	pub, addr := bindCurvePub(t, k.serverOpts(o, nil))
	sub := NewSub(o) // NULL
	sub.Subscribe(nil)
	sub.Connect(addr.String())
	t.Cleanup(func() { sub.Close() })
	waitFor(t, "refusal", func() bool { return pub.Stats().ProtocolErrors >= 1 && sub.Stats().ProtocolErrors >= 1 })
	if pub.Stats().Connects != 0 || sub.Stats().Connects != 0 {
		t.Fatal("NULL peer connected to a CURVE socket")
	}
	// And a ZMTP 2.0 peer is refused too: CURVE needs 3.x.
	o2 := o
	o2.Version = Version20
	old := NewSub(o2)
	old.Connect(addr.String())
	t.Cleanup(func() { old.Close() })
	waitFor(t, "refusal of 2.0", func() bool { return pub.Stats().ProtocolErrors >= 2 })
	if pub.Stats().Connects != 0 {
		t.Fatal("ZMTP 2.0 peer connected to a CURVE socket")
	}
}

func TestCurveNeedsKeys(t *testing.T) {
	o := quiet()
	o.Curve = &Curve{}
	p := NewPub(o)
	defer p.Close()
	if _, err := p.Bind("tcp://127.0.0.1:0"); err == nil {
		t.Fatal("Bind without a Curve.Server succeeded")
	}
	if err := p.Connect("127.0.0.1:1"); err == nil {
		t.Fatal("Connect without a Curve.ServerKey succeeded")
	}
}

func TestCurveHandshakeStall(t *testing.T) {
	k := newCurveKeys(t)
	o := quiet()
	o.HandshakeTimeout = 300 * time.Millisecond
	pub, addr := bindCurvePub(t, k.serverOpts(o, nil))
	nc, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	// A CURVE greeting, then silence where HELLO should be.
	nc.Write(greetingFor(1, mechCurve, false))
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 256)
	start := time.Now()
	for {
		if _, err := nc.Read(buf); err != nil {
			break // closed by the server
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("stalled handshake closed after %v", d)
	}
	waitFor(t, "counted", func() bool { return pub.Stats().ProtocolErrors == 1 })
}

// tamperConn flips a bit in what it writes once armed.
type tamperConn struct {
	net.Conn
	armed atomic.Bool
}

func (c *tamperConn) Write(p []byte) (int, error) {
	if c.armed.CompareAndSwap(true, false) && len(p) > 40 {
		q := append([]byte(nil), p...)
		q[len(q)-1] ^= 1
		return c.Conn.Write(q)
	}
	return c.Conn.Write(p)
}

func TestCurveTamperedBox(t *testing.T) {
	k := newCurveKeys(t)
	o := quiet()
	sub := NewSub(k.serverOpts(o, nil))
	sub.Subscribe(nil)
	addr, err := sub.Bind("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	good := NewPub(k.clientOpts(o))
	good.Connect(addr.String())
	t.Cleanup(func() { good.Close(); sub.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := good.WaitSubscribed(ctx); err != nil {
		t.Fatal(err)
	}

	// A second client whose connection we tamper with after the handshake:
	// ours, driven by hand over a wrapped net.Conn.
	bad := NewPub(k.clientOpts(o))
	defer bad.Close()
	nc, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	tc := &tamperConn{Conn: nc}
	done := make(chan struct{})
	go func() {
		defer close(done)
		bad.s.wg.Add(1)
		defer bad.s.wg.Done()
		bad.s.runConn(tc, "tampered")
	}()
	waitFor(t, "two peers", func() bool { return len(sub.Peers()) == 2 })
	waitFor(t, "the tampered peer subscribed", func() bool { p := bad.Peers(0); return len(p) == 1 && p[0].Subscriptions == 1 })
	tc.armed.Store(true)
	bad.SendFrames([]byte("bad"), []byte("this box is tampered with, and long enough"))
	waitFor(t, "tampered connection closed", func() bool { return sub.Stats().ProtocolErrors == 1 && len(sub.Peers()) == 1 })
	good.SendFrames([]byte("good"), []byte("still flowing"))
	m := recvN(t, sub, 1)[0]
	if string(m.Topic()) != "good" {
		t.Fatalf("got %q", m.Frames())
	}
	bad.Close()
	<-done
}

func TestCurveCloseWhere(t *testing.T) {
	k := newCurveKeys(t)
	o := quiet()
	pub, addr := bindCurvePub(t, k.serverOpts(o, nil))
	other := k
	other.cliPub, other.cliSec, _ = curve.GenerateKeyPair(nil)
	co := k.clientOpts(o)
	co.ReconnectMin = 5 * time.Second // stays closed for the test
	a, b := NewSub(co), NewSub(other.clientOpts(o))
	for _, s := range []*Sub{a, b} {
		s.Subscribe(nil)
		s.Connect(addr.String())
		syncSub(t, s)
	}
	t.Cleanup(func() { a.Close(); b.Close(); pub.Close() })
	if n := pub.CloseWhere(func(p PeerInfo) bool { return p.CurveKey == k.cliPub }); n != 1 {
		t.Fatalf("CloseWhere closed %d, want 1", n)
	}
	waitFor(t, "one peer left", func() bool { p := pub.Peers(0); return len(p) == 1 && p[0].CurveKey == other.cliPub })
	if n := pub.CloseWhere(func(p PeerInfo) bool { return p.CurveKey == (curve.Key{}) }); n != 0 {
		t.Fatalf("CloseWhere on zero keys closed %d", n)
	}
}

// A HELLO sent twice (in place of INITIATE) closes the connection, counted.
func TestCurveReplayedHello(t *testing.T) {
	k := newCurveKeys(t)
	pub, addr := bindCurvePub(t, k.serverOpts(quiet(), nil))
	nc, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	nc.Write(greetingFor(1, mechCurve, false))
	g := make([]byte, greetingLen)
	if _, err := io.ReadFull(nc, g); err != nil {
		t.Fatal(err)
	}
	if string(g[12:17]) != "CURVE" || g[32] != 1 {
		t.Fatalf("server greeting % x: want mechanism CURVE, as-server 1", g[12:33])
	}
	cl, err := curve.NewClient(k.srvPub, k.cliPub, k.cliSec, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	hello := appendFrame(nil, flagCommand, cl.Hello())
	nc.Write(hello)
	var hdr [2]byte
	if _, err := io.ReadFull(nc, hdr[:]); err != nil || hdr[0] != flagCommand {
		t.Fatalf("no WELCOME: % x %v", hdr, err)
	}
	welcome := make([]byte, hdr[1])
	io.ReadFull(nc, welcome)
	if err := cl.Welcome(welcome); err != nil {
		t.Fatal(err)
	}
	nc.Write(hello) // again
	if _, err := io.Copy(io.Discard, nc); err != nil {
		t.Fatalf("connection not closed: %v", err)
	}
	waitFor(t, "counted", func() bool { return pub.Stats().ProtocolErrors == 1 })
	if pub.Stats().Connects != 0 {
		t.Fatal("connected after a replayed HELLO")
	}
}

// A server that stalls after its greeting: our client closes after the
// handshake timeout, and retries.
func TestCurveClientStall(t *testing.T) {
	k := newCurveKeys(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			nc.Write(greetingFor(1, mechCurve, true))
			accepted <- nc // and never answer HELLO
		}
	}()
	o := k.clientOpts(quiet())
	o.HandshakeTimeout = 200 * time.Millisecond
	sub := NewSub(o)
	sub.Connect(ln.Addr().String())
	defer sub.Close()
	waitFor(t, "two stalled handshakes given up", func() bool { return sub.Stats().ProtocolErrors >= 2 })
	ln.Close()
	for nc := range accepted {
		nc.Close()
	}
}

// A box over the message size limit closes that connection (its message's
// end is inside boxes not yet opened, so it cannot be read past as on NULL);
// the peer reconnects and what follows arrives.
func TestCurveBoxOverLimit(t *testing.T) {
	k := newCurveKeys(t)
	o := quiet()
	so := k.serverOpts(o, nil)
	so.MaxMessageSize = 1000
	sub := NewSub(so)
	sub.Subscribe(nil)
	addr, err := sub.Bind("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	co := k.clientOpts(o)
	co.ReconnectMin = 20 * time.Millisecond
	pub := NewPub(co)
	pub.Connect(addr.String())
	t.Cleanup(func() { pub.Close(); sub.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := pub.WaitSubscribed(ctx); err != nil {
		t.Fatal(err)
	}
	pub.SendFrames([]byte("big"), make([]byte, 2000))
	waitFor(t, "closed for the large box", func() bool { return sub.Stats().ProtocolErrors == 1 })
	waitFor(t, "reconnected", func() bool { return sub.Stats().Connects >= 2 && pub.Stats().Connects >= 2 })
	if err := pub.WaitSubscribed(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a small message after the reconnect", func() bool {
		pub.SendFrames([]byte("small"), []byte("ok"))
		select {
		case m := <-sub.Messages():
			if string(m.Topic()) != "small" {
				t.Fatalf("got %q", m.Topic())
			}
			return true
		case <-time.After(50 * time.Millisecond):
			return false
		}
	})
}
