package zmtp

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// The peers here speak ZMTP 2.0 (RFC 15) and 1.0 (RFC 13) byte by byte,
// written from the RFCs and not with this package's code, against our
// default (3.1) sockets, which must detect them (RFC 23, "Detecting ZMTP
// 1.0 and 2.0 Peers").

// link returns a raw TCP connection to s: our socket accepts it (Bind) or
// makes it (Connect to a listener of the test's).
func link(t *testing.T, s *socket, weAccept bool) net.Conn {
	t.Helper()
	var nc net.Conn
	if weAccept {
		addr, err := s.Bind("127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		if nc, err = net.Dial("tcp", addr.String()); err != nil {
			t.Fatal(err)
		}
	} else {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ln.(*net.TCPListener).SetDeadline(time.Now().Add(20 * time.Second))
		if err := s.Connect(ln.Addr().String()); err != nil {
			t.Fatal(err)
		}
		if nc, err = ln.Accept(); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	return nc
}

func mustWrite(t *testing.T, nc net.Conn, b []byte) {
	t.Helper()
	if _, err := nc.Write(b); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, nc net.Conn, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := io.ReadFull(nc, b); err != nil {
		t.Fatalf("reading %d bytes: %v", n, err)
	}
	return b
}

// greet20 is RFC 15's greeting with 1.0 detection: signature (the padding
// holds identity length + 1), revision 1, socket type, empty identity. It
// checks the other side's signature, revision (1 or later: ours sends 3)
// and socket type, and reads its identity frame, which must be empty.
func greet20(t *testing.T, nc net.Conn, ourType, wantType byte) {
	t.Helper()
	mustWrite(t, nc, []byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f})
	sig := mustRead(t, nc, 10)
	if sig[0] != 0xff || sig[9]&1 != 1 {
		t.Fatalf("signature % x", sig)
	}
	mustWrite(t, nc, []byte{0x01, ourType})
	rt := mustRead(t, nc, 2)
	if rt[0] < 1 || rt[1] != wantType {
		t.Fatalf("revision %d, socket type %d; want >= 1 and %d", rt[0], rt[1], wantType)
	}
	mustWrite(t, nc, []byte{0x00, 0x00})
	if id := mustRead(t, nc, 2); id[0] != 0 || id[1] != 0 {
		t.Fatalf("identity frame % x, want 00 00", id)
	}
}

// greet10 is RFC 13's anonymous greeting, and reads the other side's
// identity frame: RFC 23 makes it our 10-byte signature, a long length of 1
// (just the flags byte).
func greet10(t *testing.T, nc net.Conn) {
	t.Helper()
	mustWrite(t, nc, []byte{0x01, 0x00})
	id, _, err := read10(nc)
	if err != nil || len(id) != 0 {
		t.Fatalf("identity frame %q, %v; want an empty one", id, err)
	}
}

// frames20 encodes a message in RFC 15 framing.
func frames20(frames ...string) []byte {
	var b []byte
	for i, f := range frames {
		flags := byte(0)
		if i < len(frames)-1 {
			flags = 1
		}
		if len(f) > 255 {
			b = append(b, flags|2)
			b = binary.BigEndian.AppendUint64(b, uint64(len(f)))
		} else {
			b = append(b, flags, byte(len(f)))
		}
		b = append(b, f...)
	}
	return b
}

// frames10 encodes a message in RFC 13 framing: the length counts the
// flags byte; 255 and over take 0xff and 8 bytes.
func frames10(frames ...string) []byte {
	var b []byte
	for i, f := range frames {
		flags := byte(0)
		if i < len(frames)-1 {
			flags = 1
		}
		if n := len(f) + 1; n < 255 {
			b = append(b, byte(n))
		} else {
			b = append(b, 0xff)
			b = binary.BigEndian.AppendUint64(b, uint64(n))
		}
		b = append(b, flags)
		b = append(b, f...)
	}
	return b
}

// read20 reads one RFC 15 frame; reserved bits (commands included) fail.
func read20(nc net.Conn) (body []byte, more bool, err error) {
	var h [1]byte
	if _, err := io.ReadFull(nc, h[:]); err != nil {
		return nil, false, err
	}
	if h[0]&^3 != 0 {
		return nil, false, fmt.Errorf("reserved flags 0x%02x in a ZMTP 2.0 frame", h[0])
	}
	var n uint64
	if h[0]&2 != 0 {
		var l [8]byte
		if _, err := io.ReadFull(nc, l[:]); err != nil {
			return nil, false, err
		}
		n = binary.BigEndian.Uint64(l[:])
	} else {
		var l [1]byte
		if _, err := io.ReadFull(nc, l[:]); err != nil {
			return nil, false, err
		}
		n = uint64(l[0])
	}
	if n > 1<<20 {
		return nil, false, fmt.Errorf("frame of %d bytes", n)
	}
	body = make([]byte, n)
	_, err = io.ReadFull(nc, body)
	return body, h[0]&1 != 0, err
}

// read10 reads one RFC 13 frame.
func read10(nc net.Conn) (body []byte, more bool, err error) {
	var h [1]byte
	if _, err := io.ReadFull(nc, h[:]); err != nil {
		return nil, false, err
	}
	n := uint64(h[0])
	if h[0] == 0xff {
		var l [8]byte
		if _, err := io.ReadFull(nc, l[:]); err != nil {
			return nil, false, err
		}
		n = binary.BigEndian.Uint64(l[:])
	}
	if n == 0 || n > 1<<20 {
		return nil, false, fmt.Errorf("frame length %d", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(nc, b); err != nil {
		return nil, false, err
	}
	return b[1:], b[0]&1 != 0, nil
}

// readMsg reads one whole message with read (read20 or read10).
func readMsg(t *testing.T, nc net.Conn, read func(net.Conn) ([]byte, bool, error)) []string {
	t.Helper()
	var frames []string
	for {
		body, more, err := read(nc)
		if err != nil {
			t.Fatalf("after frames %q: %v", frames, err)
		}
		frames = append(frames, string(body))
		if !more {
			return frames
		}
	}
}

// expectEOF reads what the other side sends until it closes: nothing, or
// the test fails.
func expectEOF(t *testing.T, nc net.Conn) {
	t.Helper()
	rest, err := io.ReadAll(nc)
	if len(rest) > 0 {
		t.Fatalf("unexpected bytes % x", rest)
	}
	if err != nil && !strings.Contains(err.Error(), "reset") {
		t.Fatal(err)
	}
}

var (
	longBody = strings.Repeat("L", 300)
	oddSent  = [][]string{
		{"ABC", "1"},
		{"XYZ", "2"},
		{"ABL", longBody},
		{"ABM", "", "xyz", ""},
		{"END", ""},
	}
)

// sendOdd publishes oddSent on pub.
func sendOdd(pub *Pub) {
	for _, m := range oddSent {
		fs := make([][]byte, len(m))
		for i, f := range m {
			fs[i] = []byte(f)
		}
		pub.SendFrames(fs...)
	}
}

// readUntilEnd reads messages with read up to the one on END, in
// wantOdd's form.
func readUntilEnd(t *testing.T, nc net.Conn, read func(net.Conn) ([]byte, bool, error)) string {
	t.Helper()
	var got []string
	for {
		m := readMsg(t, nc, read)
		got = append(got, fmt.Sprintf("%q", m))
		if m[0] == "END" {
			return strings.Join(got, "\n")
		}
	}
}

// wantOdd is what a subscriber to AB and END gets of oddSent, or all of it.
func wantOdd(all bool) string {
	var want []string
	for _, m := range oddSent {
		if all || m[0] != "XYZ" {
			want = append(want, fmt.Sprintf("%q", m))
		}
	}
	return strings.Join(want, "\n")
}

// Our PUB (3.1) with a hand-written 2.0 and 1.0 SUB, as acceptor and as
// connector. The 2.0 SUB subscribes with messages and gets only what
// matches; the 1.0 SUB sends nothing and gets everything (libzmq's
// subscription for it). Neither is ever sent a command.
func TestOldPeersSubscribeToOurPub(t *testing.T) {
	for _, v := range []Version{Version20, Version10} {
		for _, weAccept := range []bool{true, false} {
			t.Run(fmt.Sprintf("zmtp%s/weAccept=%v", v, weAccept), func(t *testing.T) {
				pub := NewPub(quiet())
				defer pub.Close()
				nc := link(t, &pub.s, weAccept)
				read := read20
				if v == Version20 {
					greet20(t, nc, 2, 1)
					mustWrite(t, nc, append(frames20("\x01AB"), frames20("\x01END")...))
				} else {
					greet10(t, nc)
					read = read10
				}
				waitFor(t, "subscriptions", func() bool {
					ps := *pub.peers.Load()
					if len(ps) != 1 {
						return false
					}
					ps[0].mu.Lock()
					defer ps[0].mu.Unlock()
					if v == Version10 {
						return ps[0].conn != nil && fmt.Sprint(ps[0].subs) == "map[:1]"
					}
					return fmt.Sprint(ps[0].subs) == "map[AB:1 END:1]"
				})
				if got := pubVersions(pub); got != v.String() {
					t.Errorf("connection speaks %s, want %s", got, v)
				}
				sendOdd(pub)
				if g, w := readUntilEnd(t, nc, read), wantOdd(v == Version10); g != w {
					t.Fatalf("got\n%s\nwant\n%s", g, w)
				}
				pub.Close()
				expectEOF(t, nc)
			})
		}
	}
}

// Our SUB (3.1), subscribed to AB and END, with a hand-written 2.0 and 1.0
// PUB, as acceptor and as connector. The 2.0 PUB is sent the subscriptions
// as messages, the 1.0 PUB nothing; both send everything, our SUB filters.
// Sync returns without PING (being connected counts for them).
func TestOldPeersPublishToOurSub(t *testing.T) {
	for _, v := range []Version{Version20, Version10} {
		for _, weAccept := range []bool{true, false} {
			t.Run(fmt.Sprintf("zmtp%s/weAccept=%v", v, weAccept), func(t *testing.T) {
				sub := NewSub(quiet())
				defer sub.Close()
				sub.Subscribe([]byte("AB"))
				sub.Subscribe([]byte("END"))
				nc := link(t, &sub.s, weAccept)
				frames := frames20
				if v == Version20 {
					greet20(t, nc, 1, 2)
					for _, want := range []string{"\x01AB", "\x01END"} {
						if m := readMsg(t, nc, read20); len(m) != 1 || m[0] != want {
							t.Fatalf("subscription %q, want %q", m, want)
						}
					}
				} else {
					greet10(t, nc)
					frames = frames10
				}
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				if err := sub.Sync(ctx); err != nil {
					t.Fatalf("Sync: %v", err)
				}
				var all []byte
				for _, m := range oddSent {
					all = append(all, frames(m...)...)
				}
				mustWrite(t, nc, all)
				var got []string
				for {
					m, err := sub.Recv(ctx)
					if err != nil {
						t.Fatal(err)
					}
					var fs []string
					for _, f := range m.Frames() {
						fs = append(fs, string(f))
					}
					got = append(got, fmt.Sprintf("%q", fs))
					if fs[0] == "END" {
						break
					}
				}
				if g, w := strings.Join(got, "\n"), wantOdd(false); g != w {
					t.Fatalf("got\n%s\nwant\n%s", g, w)
				}
				if f := sub.Stats().Filtered; f != 1 {
					t.Errorf("filtered %d, want 1 (XYZ)", f)
				}
				if got := subVersions(sub); got != v.String() {
					t.Errorf("connection speaks %s, want %s", got, v)
				}
				sub.Close()
				expectEOF(t, nc) // no PING, no subscription to the 1.0 PUB
			})
		}
	}
}

// A peer with revision 0 (ZMTP 1.0 framing after a versioned greeting, as
// libzmq's handshake_v1_0 treats it) sends its socket type and identity,
// then subscriptions as 1.0 messages, and gets 1.0 frames: no subscription
// to everything is made up for it.
func TestRevisionZeroPeer(t *testing.T) {
	pub := NewPub(quiet())
	defer pub.Close()
	nc := link(t, &pub.s, true)
	mustWrite(t, nc, []byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f})
	mustRead(t, nc, 10)
	mustWrite(t, nc, []byte{0x00, 0x02})
	if rt := mustRead(t, nc, 2); rt[1] != 1 {
		t.Fatalf("revision and type % x", rt)
	}
	mustWrite(t, nc, []byte{0x01, 0x00})
	if id, _, err := read10(nc); err != nil || len(id) != 0 {
		t.Fatalf("identity %q, %v", id, err)
	}
	mustWrite(t, nc, append(frames10("\x01AB"), frames10("\x01END")...))
	waitFor(t, "subscriptions", func() bool {
		ps := *pub.peers.Load()
		if len(ps) != 1 {
			return false
		}
		ps[0].mu.Lock()
		defer ps[0].mu.Unlock()
		return fmt.Sprint(ps[0].subs) == "map[AB:1 END:1]"
	})
	sendOdd(pub)
	if g, w := readUntilEnd(t, nc, read10), wantOdd(false); g != w {
		t.Fatalf("got\n%s\nwant\n%s", g, w)
	}
}

// Faults in the old handshakes close that connection, counted, without
// reserving what a header claims.
func TestOldHandshakeFaults(t *testing.T) {
	huge := binary.BigEndian.AppendUint64(nil, 1<<62)
	cases := map[string]struct {
		send   []byte
		reason string
		greet  Version // what we greet as (0: 3.1)
	}{
		"2.0 PUB to our PUB":        {append([]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 1, 1}, 0, 0), "incompatible", 0},
		"2.0 identity too long":     {append([]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 1, 2, 2}, huge...), "identity frame", 0},
		"2.0 identity with command": {[]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 1, 2, 4, 0}, "reserved", 0},
		"1.0 identity too long":     {append([]byte{0xff}, append(huge, 0)...), "identity frame", 0},
		"1.0 identity length 0":     {[]byte{0x00, 0x00}, "length 0", 0},
		"revision 2":                {[]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 2, 2}, "revision 2", 0},
		"revision 2, greeting 2.0":  {[]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 2, 2}, "revision 2", Version20},
		"2.0 identity with MORE":    {[]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 1, 2, 1, 0}, "MORE set", 0},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var logs syncBuffer
			o := quiet()
			o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			o.Version = c.greet
			pub := NewPub(o)
			defer pub.Close()
			nc := link(t, &pub.s, true)
			mustWrite(t, nc, c.send)
			io.Copy(io.Discard, nc) // until we close it
			waitFor(t, "the fault logged", func() bool { return strings.Contains(logs.String(), c.reason) })
			if s := pub.Stats(); s.ProtocolErrors != 1 || s.Connects != 0 {
				t.Errorf("%d protocol errors, %d connects; want 1, 0", s.ProtocolErrors, s.Connects)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer for a logger that connection goroutines
// write to while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A 2.0 subscriber's "subscription" message claiming 200 MiB is read past
// at the command bound, not buffered up to the message limit: a PUB's
// peers send nothing else, so they cannot make it hold message-sized
// memory.
func TestOldPeerHugeSubscription(t *testing.T) {
	pub := NewPub(quiet())
	defer pub.Close()
	nc := link(t, &pub.s, true)
	greet20(t, nc, 2, 1)
	mustWrite(t, nc, binary.BigEndian.AppendUint64([]byte{2}, 200<<20)) // a long final frame
	mustWrite(t, nc, append([]byte{1}, make([]byte, 4<<20)...))
	waitFor(t, "the message refused", func() bool { return pub.Stats().Refused == 1 })
	if b := pub.Stats().PendingBytes; b > 2*maxCommand {
		t.Fatalf("the PUB holds %d bytes of a refused subscription message", b)
	}
}
