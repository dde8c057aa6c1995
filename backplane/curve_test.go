package backplane_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/curve"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
)

func keyPair(t *testing.T) (pub, sec [32]byte) {
	t.Helper()
	p, s, err := curve.GenerateKeyPair(nil)
	if err != nil {
		t.Fatal(err)
	}
	return p, s
}

// A CURVE backplane: admitted components talk, a NULL one and one with an
// unlisted key are refused and counted, and Reauthorize closes a component
// whose key was removed.
func TestCurveBackplane(t *testing.T) {
	srvPub, srvSec := keyPair(t)
	alicePub, aliceSec := keyPair(t)
	bobPub, bobSec := keyPair(t)
	evePub, eveSec := keyPair(t)
	var mu sync.Mutex
	allowed := map[[32]byte]bool{alicePub: true, bobPub: true}
	bp := testbp.Start(t, backplane.Options{CurveSecretKey: srvSec, Authorize: func(k [32]byte) error {
		mu.Lock()
		defer mu.Unlock()
		if !allowed[k] {
			return errors.New("not listed")
		}
		return nil
	}})
	if bp.CurvePublicKey() != curve.Key(srvPub).String() {
		t.Fatalf("CurvePublicKey %q", bp.CurvePublicKey())
	}
	alice := bp.Connect(t, banyan.WithCurve(srvPub, alicePub, aliceSec), banyan.WithSubscriptions("secret"))
	bob := bp.Connect(t, banyan.WithCurve(srvPub, bobPub, bobSec))
	bob.Publish("secret", map[string]any{"code": 1234})
	if m := testbp.Next(t, alice); m.Topic != "secret" {
		t.Fatalf("alice got %q", m.Topic)
	}

	short := func(opts ...banyan.Option) error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		c, err := banyan.Connect(ctx, append(bp.Options(opts...), banyan.WithConnectTimeout(2*time.Second))...)
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := short(); err == nil {
		t.Error("a NULL component connected to a CURVE backplane")
	}
	if err := short(banyan.WithCurve(srvPub, evePub, eveSec)); err == nil {
		t.Error("a component with an unlisted key connected")
	}
	// short gives up after its own bound, which a slow machine can reach
	// before the backplane has seen the handshake: wait for the count.
	testbp.WaitFor(t, "the unlisted key counted", func() bool { return bp.Stats().Unauthorized > 0 })
	if err := short(banyan.WithCurve(evePub, alicePub, aliceSec)); err == nil {
		t.Error("a component with the wrong server key connected")
	}

	mu.Lock()
	delete(allowed, bobPub)
	mu.Unlock()
	if n := bp.Reauthorize(); n != 2 {
		t.Errorf("Reauthorize closed %d connections, want bob's 2", n)
	}
	testbp.WaitFor(t, "bob to be cut off", func() bool { return !bob.Stats().Connected })
	if !alice.Stats().Connected {
		t.Error("alice was cut off too")
	}
}

// A pyzmq (libzmq) CURVE client publishes through our CURVE backplane to a
// Go CURVE component, which answers; the answer comes back to pyzmq. A
// second pyzmq client, whose key is not listed, is refused on both sockets:
// it gets nothing and passes nothing.
func TestCurveBackplaneWithPyzmq(t *testing.T) {
	py := testpeer.Python(t, "zmq", "msgpack")
	srvPub, srvSec := keyPair(t)
	goPub, goSec := keyPair(t)
	pyPub, pySec := keyPair(t)
	evePub, eveSec := keyPair(t)
	bp := testbp.Start(t, backplane.Options{CurveSecretKey: srvSec, Authorize: func(k [32]byte) error {
		if k != goPub && k != pyPub {
			return errors.New("not listed")
		}
		return nil
	}})
	c := bp.Connect(t, banyan.WithCurve(srvPub, goPub, goSec), banyan.WithSubscriptions("from/py"))
	startPeer := func(pub, sec [32]byte, n int) *testpeer.Proc {
		p := testpeer.Start(t, py, "-c", `
import sys, time, zmq, msgpack
ctx = zmq.Context()
def curve(s):
    s.curve_serverkey = sys.argv[1].encode()
    s.curve_publickey = sys.argv[2].encode()
    s.curve_secretkey = sys.argv[3].encode()
    return s
pub = curve(ctx.socket(zmq.PUB)); pub.connect("tcp://127.0.0.1:" + sys.argv[4])
sub = curve(ctx.socket(zmq.SUB)); sub.setsockopt(zmq.SUBSCRIBE, b"to/py"); sub.connect("tcp://127.0.0.1:" + sys.argv[5])
n = int(sys.argv[6])
print("READY", flush=True)
for line in sys.stdin:
    if line.startswith("SEND"):
        pub.send_multipart([b"from/py", msgpack.packb({"n": n})])
        print("SENT", flush=True)
    elif line.startswith("RECV"):
        if sub.poll(200):
            t, p = sub.recv_multipart()
            print("GOT", t.decode(), msgpack.unpackb(p)["answer"], flush=True)
        else:
            print("NONE", flush=True)
`, curve.Key(srvPub).String(), curve.Key(pub).String(), curve.Key(sec).String(),
			strconv.Itoa(bp.PublisherPort()), strconv.Itoa(bp.SubscriberPort()), strconv.Itoa(n))
		t.Cleanup(p.Kill)
		p.Expect("READY")
		return p
	}
	peer := startPeer(pyPub, pySec, 1)
	got := make(chan *banyan.Message, 1000)
	go func() {
		for m := range c.Messages() {
			got <- m
		}
	}()
	// n reads the next message's "n" field, or -1 after 100 ms without one.
	n := func() int {
		select {
		case m := <-got:
			v, err := m.Map()
			if err != nil {
				t.Fatalf("received %v", err)
			}
			i, _ := strconv.Atoi(fmt.Sprint(v["n"]))
			return i
		case <-time.After(100 * time.Millisecond):
			return -1
		}
	}
	testbp.WaitFor(t, "pyzmq's message through the CURVE backplane", func() bool {
		peer.Send("SEND")
		peer.Expect("SENT")
		return n() == 1
	})
	testbp.WaitFor(t, "the answer back at pyzmq", func() bool {
		c.Publish("to/py", map[string]any{"answer": 42})
		peer.Send("RECV")
		return peer.Expect("") == "GOT to/py 42"
	})

	before := bp.Stats().Unauthorized
	eve := startPeer(evePub, eveSec, 666)
	testbp.WaitFor(t, "both of the unlisted client's sockets to be refused", func() bool {
		return bp.Stats().Unauthorized >= before+2
	})
	// For a second, longer than the listed client took to get through, the
	// unlisted one keeps sending and asking for what the Go component
	// publishes: it receives nothing.
	for range 5 {
		eve.Send("SEND")
		eve.Expect("SENT")
		c.Publish("to/py", map[string]any{"answer": 43})
		eve.Send("RECV")
		if line := eve.Expect(""); line != "NONE" {
			t.Fatalf("the unlisted client received: %q", line)
		}
	}
	// The listed client's marker arrives; nothing of the unlisted one's
	// came before it (or after it, within the wait).
	for {
		peer.Send("SEND")
		peer.Expect("SENT")
		i := n()
		if i == 666 {
			t.Fatal("a message of the unlisted client passed the backplane")
		}
		if i == 1 {
			break
		}
	}
	for i := n(); i != -1; i = n() {
		if i == 666 {
			t.Fatal("a message of the unlisted client passed the backplane")
		}
	}
}
