package zmtp

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/curve"
	"github.com/gobanyan/banyan/internal/testpeer"
)

// startPyEnv is startPy with extra environment (CURVE keys, see peer.py).
func startPyEnv(t *testing.T, env []string, args ...string) *testpeer.Proc {
	t.Helper()
	py := testpeer.Python(t, "zmq", "msgpack")
	p := testpeer.StartEnv(t, append(os.Environ(), env...), py, append([]string{"testdata/peer.py"}, args...)...)
	p.Expect("READY")
	return p
}

// pyClientEnv makes peer.py a CURVE client with the keys in k.
func (k curveKeys) pyClientEnv() []string {
	return []string{"CURVE_SERVERKEY=" + k.srvPub.String(), "CURVE_PUBLIC=" + k.cliPub.String(), "CURVE_SECRET=" + k.cliSec.String()}
}

// onlyKey admits one client key.
func onlyKey(k curve.Key) func(curve.Key) error {
	return func(c curve.Key) error {
		if c != k {
			return errors.New("not on the list")
		}
		return nil
	}
}

// A pyzmq CURVE SUB client of our CURVE PUB: multi-frame, long and large
// messages arrive whole and in order.
func TestCurveInteropPySubOfOurPub(t *testing.T) {
	k := newCurveKeys(t)
	pub := NewPub(k.serverOpts(quiet(), onlyKey(k.cliPub)))
	defer pub.Close()
	addr, err := pub.Bind("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := startPyEnv(t, k.pyClientEnv(), "sub", "tcp://"+addr.String(), "connect", "t/")
	defer p.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := pub.WaitSubscribed(ctx); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 100<<10/16) // 100 KiB
	want := []string{}
	for i := range 20 {
		frames := [][]byte{[]byte("t/a"), []byte(fmt.Sprint(i))}
		switch i {
		case 5:
			frames = append(frames, bytes.Repeat([]byte("L"), 300), nil)
		case 11:
			frames = append(frames, big)
		}
		pub.SendFrames([]byte("x/not"), []byte("filtered"))
		pub.SendFrames(frames...)
		hexes := make([]string, len(frames))
		for j, f := range frames {
			hexes[j] = hex.EncodeToString(f)
			if hexes[j] == "" {
				hexes[j] = "-"
			}
		}
		want = append(want, "MSG "+strings.Join(hexes, " "))
	}
	for i, w := range want {
		if got := p.Expect("MSG "); got != w {
			t.Fatalf("message %d: got %.80s..., want %.80s...", i, got, w)
		}
	}
	if peers := pub.Peers(0); len(peers) != 1 || peers[0].CurveKey != k.cliPub {
		t.Fatalf("peers %+v", peers)
	}
}

// Our CURVE SUB client of a pyzmq CURVE PUB server.
func TestCurveInteropOurSubOfPyPub(t *testing.T) {
	k := newCurveKeys(t)
	port := freePort(t)
	p := startPyEnv(t, []string{"CURVE_SERVER_SECRET=" + k.srvSec.String(), "BIG=1"},
		"pub", fmt.Sprintf("tcp://127.0.0.1:%d", port), "bind")
	defer p.Stop()
	sub := NewSub(k.clientOpts(quiet()))
	defer sub.Close()
	sub.Subscribe([]byte("AB"))
	sub.Subscribe([]byte("SYNC"))
	sub.Subscribe([]byte("END"))
	sub.Connect(fmt.Sprintf("127.0.0.1:%d", port))
	waitSync(t, sub, p)
	msgs := recvUntilEnd(t, sub)
	var rest []Msg
	var bigOK bool
	for _, m := range msgs {
		if string(m.Topic()) == "ABB" {
			bigOK = bytes.Equal(m.Frame(1), bytes.Repeat(func() []byte {
				b := make([]byte, 256)
				for i := range b {
					b[i] = byte(i)
				}
				return b
			}(), 400))
			continue
		}
		rest = append(rest, m)
	}
	if !bigOK {
		t.Fatal("the 100 KiB message ABB did not arrive whole")
	}
	checkPyPubMessages(t, rest)
	if sp := sub.Peers(); len(sp) != 1 || sp[0].CurveKey != k.srvPub || sp[0].Version != Version31 {
		t.Fatalf("peers %+v", sp)
	}
}

// A pyzmq client with a key the server does not list is refused in the
// handshake, counted, and gets nothing; so is a NULL pyzmq client.
func TestCurveInteropPyRefused(t *testing.T) {
	k := newCurveKeys(t)
	stranger := newCurveKeys(t)
	stranger.srvPub, stranger.srvSec = k.srvPub, k.srvSec
	var logs syncBuffer
	o := quiet()
	o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	pub := NewPub(k.serverOpts(o, onlyKey(k.cliPub)))
	defer pub.Close()
	addr, err := pub.Bind("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ep := "tcp://" + addr.String()
	bad := startPyEnv(t, stranger.pyClientEnv(), "sub", ep, "connect", "-")
	defer bad.Stop()
	// Logged with the stranger's key, and counted.
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	})
	waitFor(t, "the stranger refused", func() bool {
		l, key := logs.String(), stranger.cliPub.String()
		return pub.Stats().ProtocolErrors >= 1 && (strings.Contains(l, "curve_key="+key) || strings.Contains(l, `curve_key="`+key))
	})
	bad.Stop() // no more of its retries in the counts
	time.Sleep(200 * time.Millisecond)
	// libzmq, seeing our CURVE greeting, closes before or after sending
	// its own NULL one: refused either way, and counted.
	before := pub.Stats().ProtocolErrors
	null := startPy(t, "sub", ep, "connect", "-")
	defer null.Stop()
	waitFor(t, "the NULL client refused", func() bool { return pub.Stats().ProtocolErrors > before })
	for range 20 {
		pub.SendFrames([]byte("secret"), []byte("payload"))
		time.Sleep(10 * time.Millisecond)
	}
	if s := pub.Stats(); s.Connects != 0 || s.Peers != 0 {
		t.Fatalf("a refused client connected: %+v", s)
	}
	for _, p := range []*testpeer.Proc{null} {
		if l, ok := p.Next(200 * time.Millisecond); ok && strings.HasPrefix(l, "MSG") {
			t.Fatalf("a refused client got %q", l)
		}
	}
}

// A pyzmq CURVE PUB client of our CURVE SUB server (a component publishing
// to a backplane).
func TestCurveInteropPyPubToOurSubServer(t *testing.T) {
	k := newCurveKeys(t)
	sub := NewSub(k.serverOpts(quiet(), onlyKey(k.cliPub)))
	defer sub.Close()
	sub.Subscribe([]byte("AB"))
	sub.Subscribe([]byte("SYNC"))
	sub.Subscribe([]byte("END"))
	addr, err := sub.Bind("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := startPyEnv(t, k.pyClientEnv(), "pub", "tcp://"+addr.String(), "connect")
	defer p.Stop()
	waitSync(t, sub, p)
	checkPyPubMessages(t, recvUntilEnd(t, sub))
	if sp := sub.Peers(); len(sp) != 1 || sp[0].CurveKey != k.cliPub {
		t.Fatalf("peers %+v", sp)
	}
}
