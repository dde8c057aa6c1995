package zmtp

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"testing"

	"github.com/gobanyan/banyan/internal/curve"
)

// curveSessions runs a CURVE handshake in memory, with randomness seeded
// so that the same boxes come out every time (a fuzz corpus stays valid).
func curveSessions(t testing.TB) (client, server *curve.Session) {
	t.Helper()
	rnd := rand.NewChaCha8([32]byte{1})
	srvPub, srvSec, _ := curve.GenerateKeyPair(rnd)
	cliPub, cliSec, _ := curve.GenerateKeyPair(rnd)
	srv := curve.NewServer(srvPub, srvSec, &curve.ServerOptions{Rand: rnd})
	cl, err := curve.NewClient(srvPub, cliPub, cliSec, nil, rnd)
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handshake(nil)
	welcome, err := h.Hello(cl.Hello())
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Welcome(welcome); err != nil {
		t.Fatal(err)
	}
	initiate, err := cl.Initiate()
	if err != nil {
		t.Fatal(err)
	}
	ready, _, _, err := h.Initiate(initiate)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Ready(ready); err != nil {
		t.Fatal(err)
	}
	return cl.Session(), h.Session()
}

// sealStream seals plain frames as a connection's writer does.
func sealStream(t testing.TB, sess *curve.Session, plain []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w := writer{nc: bufConn{w: &out}, pool: &bufPool{}, sess: sess}
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// bufConn is a connection that only takes writes, into w.
type bufConn struct {
	net.Conn
	w *bytes.Buffer
}

func (c bufConn) Write(p []byte) (int, error) { return c.w.Write(p) }

// FuzzCurveOpen feeds the box-opening layer arbitrary streams: it must
// never panic, and what it yields must be valid frames or an error.
func FuzzCurveOpen(f *testing.F) {
	cs, _ := curveSessions(f)
	plain := NewMsg([]byte("topic"), bytes.Repeat([]byte("x"), 300), nil).raw
	plain = append(plain, appendCommand(nil, "PING", []byte{0, 0}, []byte("ctx"))...)
	plain = append(plain, NewMsg([]byte("t"), []byte("small")).raw...)
	f.Add(sealStream(f, cs, plain))
	f.Add([]byte{0, 33})
	f.Add([]byte{flagLong, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, stream []byte) {
		_, ss := curveSessions(t)
		in := newReader(bytes.NewReader(stream), &bufPool{})
		o := newOpenReader(in, ss, 1<<20, NewBudget(4<<20))
		defer o.release()
		fr := newFrameReader(newReader(o, &bufPool{}), 1<<20, NewBudget(4<<20), nil)
		for range 100 {
			_, _, err := fr.next()
			var skipped *skippedError
			if errors.As(err, &skipped) {
				continue
			}
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrProtocol) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrBudget) {
					t.Fatalf("unexpected error kind: %v", err)
				}
				return
			}
		}
	})
}

// TestCurveOpenStream checks the layer on a known stream: the frames come
// back as sealed, in order, and a replayed box is refused.
func TestCurveOpenStream(t *testing.T) {
	cs, _ := curveSessions(t)
	_, ss := curveSessions(t) // another run of the same handshake: the corpus depends on it
	m1 := NewMsg([]byte("topic"), bytes.Repeat([]byte("x"), 300), nil)
	m2 := NewMsg([]byte("t"), []byte("small"))
	stream := sealStream(t, cs, append(append([]byte(nil), m1.raw...), m2.raw...))
	in := newReader(bytes.NewReader(stream), &bufPool{})
	o := newOpenReader(in, ss, 1<<20, nil)
	defer o.release()
	fr := newFrameReader(newReader(o, &bufPool{}), 1<<20, nil, nil)
	for _, want := range []Msg{m1, m2} {
		got, _, err := fr.next()
		if err != nil || !bytes.Equal(got.raw, want.raw) {
			t.Fatalf("got %q, %v; want %q", got.Frames(), err, want.Frames())
		}
	}
	// A fresh box, then the same box again: its nonce is not above the
	// last one's.
	first := sealStream(t, cs, NewMsg([]byte("again")).raw)
	in = newReader(bytes.NewReader(append(append([]byte(nil), first...), first...)), &bufPool{})
	o2 := newOpenReader(in, ss, 1<<20, nil)
	defer o2.release()
	fr = newFrameReader(newReader(o2, &bufPool{}), 1<<20, nil, nil)
	if m, _, err := fr.next(); err != nil || string(m.Topic()) != "again" {
		t.Fatalf("fresh box: %q %v", m.Frames(), err)
	}
	if _, _, err := fr.next(); !errors.Is(err, ErrProtocol) {
		t.Fatalf("replayed box: %v, want a protocol error", err)
	}
}
