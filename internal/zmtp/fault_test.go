package zmtp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// rawPeer is a hand-driven ZMTP peer for fault tests.
type rawPeer struct {
	t  *testing.T
	nc net.Conn
	fr frameReader
}

func dialRaw(t *testing.T, addr net.Addr, socketType string, minor byte) *rawPeer {
	t.Helper()
	nc, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	p := &rawPeer{t: t, nc: nc, fr: testFrameReader(nc, 1<<20)}
	p.write(greeting(minor))
	g := make([]byte, greetingLen)
	if _, err := io.ReadFull(p.fr.r, g); err != nil {
		t.Fatal(err)
	}
	if _, err := parseGreeting(g); err != nil {
		t.Fatal(err)
	}
	p.write(readyCommand("Socket-Type", socketType))
	return p
}

func (p *rawPeer) write(b []byte) {
	p.t.Helper()
	if _, err := p.nc.Write(b); err != nil {
		p.t.Fatal(err)
	}
}

// command reads the next command, returning its name and data.
func (p *rawPeer) command() (string, []byte, error) {
	for {
		_, cmd, err := p.fr.next()
		if err != nil {
			return "", nil, err
		}
		if cmd != nil {
			return parseCommand(cmd)
		}
	}
}

func TestHandshakeRejectsWrongSocketType(t *testing.T) {
	pub := NewPub(quiet())
	defer pub.Close()
	addr, _ := pub.Bind("127.0.0.1:0")
	p := dialRaw(t, addr, "PUB", 1) // PUB cannot talk to PUB
	name, _, err := p.command()
	if err != nil || name != "READY" {
		t.Fatalf("first command %q, %v; want READY", name, err)
	}
	name, data, err := p.command()
	if err != nil || name != "ERROR" {
		t.Fatalf("second command %q, %v; want ERROR", name, err)
	}
	if reason := string(data[1:]); reason != "invalid socket type" {
		t.Fatalf("reason %q", reason)
	}
	if _, _, err := p.fr.next(); err == nil {
		t.Fatal("connection should be closed after ERROR")
	}
	waitFor(t, "protocol error counted", func() bool { return pub.Stats().ProtocolErrors == 1 })
}

func TestPingPongAndUnknownCommands(t *testing.T) {
	pub := NewPub(quiet())
	defer pub.Close()
	addr, _ := pub.Bind("127.0.0.1:0")
	p := dialRaw(t, addr, "SUB", 1)
	if name, _, _ := p.command(); name != "READY" {
		t.Fatalf("want READY, got %q", name)
	}
	p.write(appendCommand(nil, "HELLO", []byte("ignored")))
	p.write(appendCommand(nil, "PING", []byte{0, 10}, []byte("ctx42")))
	name, data, err := p.command()
	if err != nil || name != "PONG" || string(data) != "ctx42" {
		t.Fatalf("got %q %q %v, want PONG ctx42", name, data, err)
	}
	// Still usable after the unknown command: subscribe in the 3.1 form and receive.
	p.write(appendCommand(nil, "SUBSCRIBE", []byte("x")))
	waitFor(t, "subscription", func() bool {
		ps := *pub.peers.Load()
		return len(ps) == 1 && ps[0].set.Len() == 1
	})
	pub.SendFrames([]byte("xy"), []byte("z"))
	m, _, err := p.fr.next()
	if err != nil || string(m.Topic()) != "xy" || string(m.Frame(1)) != "z" {
		t.Fatalf("got %q, %v", m.Frames(), err)
	}
}

func TestCorruptInputClosesOnlyThatConnection(t *testing.T) {
	cases := map[string][]byte{
		"reserved flag bits":  {0x80, 0x01, 'x'},
		"command with MORE":   {flagCommand | flagMore, 1, 0},
		"truncated command":   {flagCommand, 5, 9, 'a'},
		"command in message":  {flagMore, 1, 'a', flagCommand, 5, 4, 'P', 'I', 'N', 'G'},
		"truncated long size": {flagLong, 0, 0},
	}
	for name, junk := range cases {
		t.Run(name, func(t *testing.T) {
			o := quiet()
			o.MaxMessageSize = 1 << 20
			sub := NewSub(o)
			defer sub.Close()
			sub.Subscribe(nil)
			addr, _ := sub.Bind("127.0.0.1:0")
			bad := dialRaw(t, addr, "PUB", 1)
			good := dialRaw(t, addr, "PUB", 1)
			bad.write(junk)
			if name == "truncated long size" || name == "truncated command" {
				bad.nc.(*net.TCPConn).CloseWrite()
			}
			// The bad connection is closed by us...
			for {
				if _, _, err := bad.fr.next(); err != nil {
					break
				}
			}
			// ...and the good one still delivers.
			good.write(NewMsg([]byte("ok"), []byte("1")).Raw())
			m := recvN(t, sub, 1)[0]
			if string(m.Topic()) != "ok" {
				t.Fatalf("got %q", m.Topic())
			}
			if name != "truncated long size" && name != "truncated command" {
				waitFor(t, "protocol error counted", func() bool { return sub.Stats().ProtocolErrors >= 1 })
			}
		})
	}
}

// The 3.x greeting parser refuses a major version below 3 (older peers are
// found before it is called) and other mechanisms; an HTTP client, which
// looks like a ZMTP 1.0 peer with a 71-byte identity ('G'), is refused at
// its first "frame", whose flags byte has reserved bits set.
func TestGreetingRejectsForeignPeers(t *testing.T) {
	g := greeting(1)
	g[10] = 2
	if _, err := parseGreeting(g); !errors.Is(err, ErrProtocol) {
		t.Fatalf("ZMTP 2: %v", err)
	}
	g = greeting(1)
	copy(g[12:32], "CURVE\x00\x00\x00")
	if _, err := parseGreeting(g); !errors.Is(err, ErrProtocol) {
		t.Fatalf("CURVE: %v", err)
	}
	g = greeting(1)
	g[10] = 4 // a later major version is accepted
	if _, err := parseGreeting(g); err != nil {
		t.Fatalf("ZMTP 4: %v", err)
	}
	// An HTTP client on the port is refused and counted, nothing panics.
	sub := NewSub(quiet())
	defer sub.Close()
	addr, _ := sub.Bind("127.0.0.1:0")
	nc, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + string(bytes.Repeat([]byte{' '}, 64))))
	waitFor(t, "refused", func() bool { return sub.Stats().ProtocolErrors == 1 })
}

func TestSendAllocations(t *testing.T) {
	o := quiet()
	o.SendHWM = 0
	pub := NewPub(o)
	defer pub.Close()
	addr, _ := pub.Bind("127.0.0.1:0")
	// A raw subscriber that discards what it reads without allocating, so
	// the count is Send's and the writer's alone.
	p := dialRaw(t, addr, "SUB", 1)
	p.write(appendCommand(nil, "SUBSCRIBE"))
	p.nc.SetDeadline(time.Time{})
	go io.Copy(io.Discard, p.fr.r)
	waitFor(t, "subscription", func() bool {
		ps := *pub.peers.Load()
		return len(ps) == 1 && ps[0].set.Has("")
	})
	m := NewTopicMsg("tpc01", make([]byte, 40))
	for i := 0; i < 10000; i++ { // warm up queue capacity
		pub.Send(m)
	}
	if a := testing.AllocsPerRun(20000, func() { pub.Send(m) }); a > 0.05 {
		t.Fatalf("Pub.Send allocates %.2f times per message, want 0", a)
	}
}

func TestReadAllocations(t *testing.T) {
	var stream bytes.Buffer
	for i := 0; i < 30000; i++ {
		stream.Write(NewTopicMsg("tpc01", make([]byte, 40)).Raw())
	}
	fr := testFrameReader(&stream, DefaultMaxMessageSize)
	fr.next()
	if a := testing.AllocsPerRun(20000, func() { fr.next() }); a > 1.01 {
		t.Fatalf("reading a message allocates %.2f times, want 1 (the message itself)", a)
	}
}

func FuzzFrameReader(f *testing.F) {
	f.Add(NewMsg([]byte("topic"), []byte("payload")).Raw())
	f.Add(appendCommand(nil, "SUBSCRIBE", []byte("ab")))
	f.Add(appendCommand(nil, "PING", []byte{0, 1}, []byte("c")))
	f.Add(NewMsg(make([]byte, 300)).Raw())
	f.Add([]byte{flagLong, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	// Sizes near 2^63 and 2^64, after a first frame with MORE (issue 9).
	for _, size := range []uint64{1<<64 - 1, 1<<64 - 11, 1<<64 - 12, 1 << 63, 1<<63 - 1, 1<<32 - 1, 1 << 16} {
		b := append([]byte{flagMore, 10}, "0123456789"...)
		b = append(b, flagLong)
		f.Add(append(binary.BigEndian.AppendUint64(b, size), "tail"...))
		f.Add(append(binary.BigEndian.AppendUint64([]byte{flagCommand | flagLong}, size), 4, 'P', 'I', 'N', 'G'))
		// The same in ZMTP 1.0 framing, whose length counts the flags byte.
		b = appendFrame10(nil, flagMore, []byte("0123456789"))
		b = binary.BigEndian.AppendUint64(append(b, 0xff), size)
		f.Add(append(b, 0, 't', 'a', 'i', 'l'))
	}
	// ZMTP 1.0 frames: short and long, an empty body, length 0 (no flags
	// byte), reserved flag bits, 254 and 255 (the first long length).
	f.Add(append(appendFrame10(nil, flagMore, []byte("topic")), appendFrame10(nil, 0, []byte("payload"))...))
	f.Add(appendFrame10(appendFrame10(nil, flagMore, nil), 0, make([]byte, 300)))
	f.Add([]byte{0, 0, 1, 0})
	f.Add([]byte{2, 0x80, 'x'})
	f.Add(appendFrame10(appendFrame10(nil, flagMore, make([]byte, 253)), 0, make([]byte, 254)))
	f.Add([]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		// Each input is read in every framing: 3.x, 2.0 (no commands)
		// and 1.0.
		for _, v := range []Version{Version31, Version20, Version10} {
			fr := testFrameReader(bytes.NewReader(data), 1<<16)
			fr.v1, fr.noCmd = v == Version10, v < Version30
			for i := 0; i < 100; i++ {
				m, cmd, err := fr.next()
				var skipped *skippedError
				if errors.As(err, &skipped) {
					continue
				}
				if err != nil {
					break
				}
				if cmd != nil {
					if fr.noCmd {
						t.Fatalf("ZMTP %s framing accepted a command", v)
					}
					if name, d, err := parseCommand(cmd); err == nil && name == "READY" {
						parseProperties(d)
					}
					continue
				}
				// Whatever was accepted must re-parse consistently, and be
				// in canonical 3.x form (what we send as is).
				n := m.NumFrames()
				if n < 1 || len(m.Frames()) != n {
					t.Fatalf("accepted message with %d frames", n)
				}
				if !bytes.Equal(NewMsg(m.Frames()...).Raw(), m.Raw()) {
					t.Fatalf("ZMTP %s message not in canonical form: % x", v, m.Raw())
				}
			}
		}
	})
}

func FuzzGreeting(f *testing.F) {
	ready := readyCommand("Socket-Type", "PUB")
	f.Add(greeting(1))
	f.Add(greeting(0))
	f.Add(make([]byte, 64))
	f.Add(append(greeting(1), ready...))
	f.Add(append(greeting(0), ready...))
	sig := greeting(1)[:signatureLen]
	f.Add(append(sig, 1, 1, 0, 0))                                     // ZMTP 2.0 PUB, empty identity
	f.Add(append(sig, 1, 9, 2, 0, 0, 0, 0, 0, 0, 0, 3, 'a', 'b', 'c')) // XPUB, long identity
	f.Add(append(sig, 0, 1, 1, 0))                                     // revision 0, 1.0 identity
	f.Add([]byte{1, 0})                                                // ZMTP 1.0, anonymous
	f.Add([]byte{4, 0, 'a', 'b', 'c', 2, 0, 'x'})                      // 1.0 identity "abc", a message
	f.Add(append([]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 4, 0}, "abc"...))   // 1.0 long identity
	f.Add(append(sig, 2))                                              // revision 2
	f.Fuzz(func(t *testing.T, g []byte) {
		parseGreeting(g)
		parseProperties(g)
		parseCommand(g)
		// The whole handshake, our socket greeting as each version and
		// the peer sending g and then EOF: it ends (no reads past what
		// the limits allow, no hang: g ends) and never panics.
		for _, v := range []Version{Version31, Version30, Version20, Version10} {
			o := quiet()
			o.Version = v
			var s socket
			s.init(kindSub, o, nil)
			nc := &fakeConn{r: bytes.NewReader(g)}
			c := &conn{s: &s, nc: nc, fr: newFrameReader(newReader(nc, &s.pool), 1<<16, NewBudget(1<<20), nil)}
			if err := s.handshake(c); err == nil {
				if c.version > v || c.version.String() == "?" {
					t.Fatalf("greeting as %s, agreed on version %d", v, c.version)
				}
				if c.fr.v1 != (c.version == Version10) || c.fr.noCmd != (c.version < Version30) {
					t.Fatalf("version %s with framing v1=%v noCmd=%v", c.version, c.fr.v1, c.fr.noCmd)
				}
			}
			c.fr.r.release()
		}
	})
}

// fakeConn is a peer that sends r's bytes then EOF, and takes anything.
type fakeConn struct {
	net.Conn // nil: only the methods below are used
	r        io.Reader
}

func (c *fakeConn) Read(p []byte) (int, error)         { return c.r.Read(p) }
func (c *fakeConn) Write(p []byte) (int, error)        { return len(p), nil }
func (c *fakeConn) SetDeadline(t time.Time) error      { return nil }
func (c *fakeConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *fakeConn) SetWriteDeadline(t time.Time) error { return nil }

// testFrameReader reads frames from r with a pool and budget of its own.
func testFrameReader(r io.Reader, maxSize int64) frameReader {
	return newFrameReader(newReader(r, new(bufPool)), maxSize, NewBudget(1<<30), nil)
}

// A PUB that floods PINGs and never reads costs only its own connection:
// the SUB's PONG write times out and closes it, and Subscribe, which
// writes to every peer under the subscription lock, does not hang on it.
func TestSubPingFloodCostsOneConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sub := NewSub(quiet())
	defer sub.Close()
	sub.s.controlTimeout = 200 * time.Millisecond
	sub.Subscribe([]byte("A"))
	if err := sub.Connect(ln.Addr().String()); err != nil {
		t.Fatal(err)
	}
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(20 * time.Second))
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(60 * time.Second))
	nc.(*net.TCPConn).SetReadBuffer(4 << 10) // small buffers fill fast, even on a busy machine
	p := &rawPeer{t: t, nc: nc, fr: testFrameReader(nc, 1<<20)}
	p.write(greeting(1))
	g := make([]byte, greetingLen)
	if _, err := io.ReadFull(p.fr.r, g); err != nil {
		t.Fatal(err)
	}
	p.write(readyCommand("Socket-Type", "PUB"))
	for _, want := range []string{"READY", "SUBSCRIBE"} {
		if name, _, err := p.command(); err != nil || name != want {
			t.Fatalf("got %q, %v; want %s", name, err, want)
		}
	}
	sub.subMu.Lock()
	for c := range sub.conns {
		c.nc.(*net.TCPConn).SetWriteBuffer(4 << 10)
	}
	sub.subMu.Unlock()
	go func() { // PINGs until the connection breaks; nothing is read
		flood := bytes.Repeat(ping("flood-0123456789"), 1000)
		for {
			if _, err := nc.Write(flood); err != nil {
				return
			}
		}
	}()
	waitFor(t, "the flooding connection to be closed", func() bool { return sub.Stats().Disconnects == 1 })
	done := make(chan struct{})
	go func() {
		sub.Subscribe([]byte("B"))
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Subscribe hung behind the flooding peer")
	}
}
