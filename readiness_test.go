package banyan

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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
	// The forwarder prints a subscription when its application loop reads
	// it from the XPUB, which may be after it forwarded a message that the
	// subscription let through: read until every expected line is in, in
	// any order, failing on any other line. XPUB events come in order, so
	// once the last round's subscriptions are in, any churn before them
	// (the old probe's subscribe and unsubscribe) has been read too.
	want := map[string]int{"SUB " + hx("first"): rounds, "SUB " + hx("second"): rounds,
		"MSG " + hx("first"): rounds, "MSG " + hx("second"): rounds, "MSG " + hx("end"): 1}
	count := map[string]int{}
	var got []string
	for fmt.Sprint(count) != fmt.Sprint(want) {
		l := fwd.Expect("")
		got = append(got, l)
		count[l]++
		if count[l] > want[l] {
			t.Fatalf("the forwarder saw %q, which no user caused (so far, in order: %q)", l, got)
		}
	}
}

// logWatch collects log output from several goroutines and signals
// when a line containing want arrives.
type logWatch struct {
	mu   sync.Mutex
	buf  strings.Builder
	want string
	seen chan struct{}
	once sync.Once
}

func (w *logWatch) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(b), nil
}

func (w *logWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// A component started before its backplane says once that it is waiting,
// with the address, and connects when the backplane comes up.
func TestConnectWaitsForBackplane(t *testing.T) {
	pubPort, subPort := freePort(t), freePort(t)
	w := &logWatch{want: "waiting for the backplane", seen: make(chan struct{})}
	log := slog.New(slog.NewTextHandler(w, nil))
	type result struct {
		c   *Component
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := Connect(context.Background(), WithBackplane("127.0.0.1"), WithPorts(pubPort, subPort),
			WithLogger(log), WithConnectTimeout(0), WithSubscriptions("t"))
		done <- result{c, err}
	}()
	select {
	case <-w.seen:
	case r := <-done:
		t.Fatalf("Connect returned before any backplane was up: %v", r.err)
	case <-time.After(30 * time.Second):
		t.Fatal("no waiting message within 30 s")
	}
	tb := startBackplane(t, pubPort, subPort)
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Connect did not return within 30 s of the backplane starting")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	defer r.c.Close()
	pub := connect(t, tb)
	pub.Publish("t", 1)
	if m := next(t, r.c); m.Topic != "t" {
		t.Fatalf("got %q", m.Topic)
	}
	out := w.String()
	if n := strings.Count(out, "waiting for the backplane"); n != 1 {
		t.Fatalf("said %d times that it waits, want once:\n%s", n, out)
	}
	if addr := "127.0.0.1:" + strconv.Itoa(pubPort) + "/" + strconv.Itoa(subPort); !strings.Contains(out, addr) {
		t.Fatalf("the waiting message does not name %s:\n%s", addr, out)
	}
}

// Flush returns once the backplane has read what was published before it
// (its forwarded count says so), and publishes nothing (a subscriber to
// everything gets exactly the published messages).
func TestFlush(t *testing.T) {
	tb := startBackplane(t, -1, -1)
	sub := connect(t, tb, WithSubscriptions(""), WithHWM(Unlimited))
	pub := connect(t, tb, WithHWM(Unlimited))
	const n = 500 // under the backplane's per-subscriber HWM (1000): none dropped
	for i := range n {
		pub.Publish("f", i)
	}
	if err := pub.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := tb.bp.Stats(); s.Forwarded < n {
		t.Fatalf("after Flush the backplane has received %d of %d messages", s.Forwarded, n)
	}
	for i := range n {
		if m := next(t, sub); m.Topic != "f" {
			t.Fatalf("message %d: %q", i, m.Topic)
		}
	}
	pub.Publish("end", nil)
	if m := next(t, sub); m.Topic != "end" {
		t.Fatalf("after the published messages: %q", m.Topic)
	}
	pub.Close()
	if err := pub.Flush(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Flush after Close = %v, want ErrClosed", err)
	}
}

// A Connect bounded at or below the notice's delay (the launcher's "is a
// backplane running?" probe) fails without saying that it waits.
func TestShortConnectTimeoutSaysNothing(t *testing.T) {
	pubPort, subPort := freePort(t), freePort(t)
	w := &logWatch{want: "waiting for the backplane", seen: make(chan struct{})}
	_, err := Connect(context.Background(), WithBackplane("127.0.0.1"), WithPorts(pubPort, subPort),
		WithLogger(slog.New(slog.NewTextHandler(w, nil))), WithConnectTimeout(waitNotice))
	if !errors.Is(err, ErrBackplaneNotRunning) {
		t.Fatalf("Connect without a backplane: %v, want ErrBackplaneNotRunning", err)
	}
	if out := w.String(); strings.Contains(out, "waiting for the backplane") {
		t.Fatalf("a %v probe said it waits:\n%s", waitNotice, out)
	}
}
