package banyan

import (
	"context"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"

	"github.com/gobanyan/banyan/internal/testpeer"
	"github.com/gobanyan/banyan/internal/zmtp"
)

// userRounds connects a subscriber (WithSubscriptions "first") and a
// publisher, publishes right after both Connects, checks the message
// arrives, then SubscribeSync("second") and publishes again: readiness
// kept its promise each time. It reports how many subscription changes
// the subscriber sent (it must be exactly the user's two). With keep, the
// components stay up and are returned; otherwise each round closes them.
func userRounds(t *testing.T, rounds int, keep bool, opts func(...Option) []Option) (up []*Component) {
	t.Helper()
	for i := 0; i < rounds; i++ {
		sub, err := Connect(context.Background(), opts(WithSubscriptions("first"))...)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := Connect(context.Background(), opts()...)
		if err != nil {
			t.Fatal(err)
		}
		pub.Publish("first", map[string]any{"i": i})
		if m := next(t, sub); m.Topic != "first" {
			t.Fatalf("round %d: got %q", i, m.Topic)
		}
		if err := sub.SubscribeSync(context.Background(), "second"); err != nil {
			t.Fatal(err)
		}
		pub.Publish("second", map[string]any{"i": i})
		if m := next(t, sub); m.Topic != "second" {
			t.Fatalf("round %d: got %q", i, m.Topic)
		}
		if n := sub.sub.Stats().Sent; n != 2 {
			t.Fatalf("round %d: the subscriber sent %d subscription changes, want the user's 2", i, n)
		}
		if n := pub.sub.Stats().Sent; n != 0 {
			t.Fatalf("round %d: the publisher sent %d subscription changes, want 0", i, n)
		}
		if keep {
			up = append(up, pub, sub)
			continue
		}
		pub.Close()
		sub.Close()
	}
	return up
}

// A subscriber to everything sees exactly what users published while
// components connect, subscribe, SubscribeSync and close: readiness leaves
// no trace on the bus. The spy is a bare ZMTP SUB, so no library filter
// hides anything from it.
func TestReadinessLeavesNoTrace(t *testing.T) {
	tb := startBackplane(t, -1, -1)
	spy := zmtp.NewSub(zmtp.Options{Logger: quietLog})
	defer spy.Close()
	spy.Subscribe(nil)
	spy.Connect("127.0.0.1:" + strconv.Itoa(tb.bp.SubscriberPort()))
	if err := spy.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	const rounds = 10
	userRounds(t, rounds, false, tb.opts)
	end := connect(t, tb)
	end.Publish("end", nil)
	var got []string
	for {
		m, err := spy.Recv(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Topic()) == "end" {
			break
		}
		got = append(got, string(m.Topic()))
	}
	want := strings.TrimSpace(strings.Repeat("first second ", rounds))
	if g := strings.Join(got, " "); g != want {
		t.Fatalf("the spy saw %q, want %q", g, want)
	}
}

// Through libzmq: a forwarder whose XPUB reports every subscription change
// (testdata/xpub_forwarder.py) sees only the user's subscriptions, never an
// unsubscribe (JeroMQ 0.4.2's backplane crashed on our old readiness
// probe's unsubscribe), and forwards only the user's messages; readiness
// holds through it. The components stay up to the end: libzmq reports a
// closed subscriber's subscriptions as unsubscribes.
func TestReadinessThroughLibzmq(t *testing.T) {
	py := testpeer.Python(t, "zmq")
	in, out := freePort(t), freePort(t)
	fwd := testpeer.Start(t, py, "testdata/xpub_forwarder.py", strconv.Itoa(in), strconv.Itoa(out))
	fwd.Expect("READY")
	opts := func(extra ...Option) []Option {
		return append([]Option{WithBackplane("127.0.0.1"), WithPorts(in, out), WithLogger(quietLog)}, extra...)
	}
	const rounds = 5
	up := userRounds(t, rounds, true, opts)
	defer func() {
		for _, c := range up {
			c.Close()
		}
	}()
	end, err := Connect(context.Background(), opts()...)
	if err != nil {
		t.Fatal(err)
	}
	defer end.Close()
	end.Publish("end", nil)
	hx := func(s string) string { return hex.EncodeToString([]byte(s)) }
	var got []string
	for l := fwd.Expect(""); l != "MSG "+hx("end"); l = fwd.Expect("") {
		got = append(got, l)
	}
	round := []string{"SUB " + hx("first"), "MSG " + hx("first"), "SUB " + hx("second"), "MSG " + hx("second")}
	var want []string
	for range rounds {
		want = append(want, round...)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the forwarder saw\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
