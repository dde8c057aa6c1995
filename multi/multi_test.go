package multi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quietLog = testbp.Quiet()

// testBackplane is a test backplane with this package's spec rows.
type testBackplane struct{ *testbp.BP }

func startBackplane(t *testing.T) *testBackplane {
	t.Helper()
	return &testBackplane{testbp.Start(t, backplane.Options{})}
}

// row is a spec line for this backplane.
func (tb *testBackplane) row(name, topics string) string {
	return fmt.Sprintf("%s,127.0.0.1,%d,%q,%d", name, tb.SubscriberPort(), topics, tb.PublisherPort())
}

// peer is a plain component on this backplane.
func (tb *testBackplane) peer(t *testing.T, topics ...string) *banyan.Component {
	t.Helper()
	return tb.Connect(t, banyan.WithSubscriptions(topics...))
}

// writeSpec writes a spec file (header added) to a temporary directory.
func writeSpec(t *testing.T, rows ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "spec.csv")
	if err := os.WriteFile(path, []byte(Header+"\n"+strings.Join(rows, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func open(t *testing.T, rows ...string) *Component {
	t.Helper()
	m, err := OpenFile(context.Background(), writeSpec(t, rows...), WithLogger(quietLog), WithName("test"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// delivery is one handler call.
type delivery struct {
	bp    string
	topic string
	value any
}

// running is a multi component whose Run feeds a channel.
type running struct {
	ch   chan delivery
	stop func() error
}

func run(t *testing.T, m *Component) *running {
	t.Helper()
	r := &running{ch: make(chan delivery, 10000)}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- m.Run(ctx, func(bp string, msg *banyan.Message) {
			v, err := msg.Value()
			if err != nil {
				v = err
			}
			r.ch <- delivery{bp, msg.Topic, v}
		})
	}()
	var once sync.Once
	var err error
	r.stop = func() error { once.Do(func() { cancel(); err = <-errc }); return err }
	t.Cleanup(func() { r.stop() })
	return r
}

func (r *running) next(t *testing.T) delivery {
	t.Helper()
	select {
	case d := <-r.ch:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10 s")
	}
	return delivery{}
}

func wantDelivery(t *testing.T, got delivery, bp, topic string) {
	t.Helper()
	if got.bp != bp || got.topic != topic {
		t.Fatalf("got %q from %s, want %q from %s (value %v)", got.topic, got.bp, topic, bp, got.value)
	}
}

// The handler is told which backplane delivered each message, and
// Publish/Broadcast reach exactly the backplanes they name.
func TestRoutesByBackplane(t *testing.T) {
	bp1, bp2 := startBackplane(t), startBackplane(t)
	p1, p2 := bp1.peer(t, "out", "all"), bp2.peer(t, "out", "all")
	m := open(t, bp1.row("BP1", "[in]"), bp2.row("BP2", "[in]"))
	r := run(t, m)

	p1.Publish("in", map[string]any{"from": "p1"})
	d := r.next(t)
	wantDelivery(t, d, "BP1", "in")
	if v, _ := d.value.(map[string]any); v["from"] != "p1" {
		t.Fatalf("value %v", d.value)
	}
	p2.Publish("in", map[string]any{"from": "p2"})
	wantDelivery(t, r.next(t), "BP2", "in")

	// To BP2 only: p1 sees the marker sent after it, not the message.
	if err := m.Publish("BP2", "out", 2); err != nil {
		t.Fatal(err)
	}
	if err := m.Publish("BP1", "out", 1); err != nil {
		t.Fatal(err)
	}
	if got := testbp.Next(t, p2); got.Topic != "out" || string(got.Payload) != "\x02" {
		t.Fatalf("p2 got %q % x", got.Topic, got.Payload)
	}
	if got := testbp.Next(t, p1); string(got.Payload) != "\x01" {
		t.Fatalf("p1 got % x: a message for BP2 reached BP1", got.Payload)
	}

	if err := m.Broadcast("all", "everyone"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*banyan.Component{p1, p2} {
		if got := testbp.Next(t, p); got.Topic != "all" {
			t.Fatalf("broadcast: got %q", got.Topic)
		}
	}
	if err := r.stop(); err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
}

func TestSubscribeUnsubscribePerBackplane(t *testing.T) {
	ctx := context.Background()
	bp1, bp2 := startBackplane(t), startBackplane(t)
	p1, p2 := bp1.peer(t), bp2.peer(t)
	// "[]" subscribes to nothing (Python: to everything).
	m := open(t, bp1.row("BP1", "[]"), bp2.row("BP2", "[]"))
	r := run(t, m)

	for _, bp := range []string{"BP1", "BP2"} {
		if err := m.SubscribeSync(ctx, bp, "marker"); err != nil {
			t.Fatal(err)
		}
	}
	// Not subscribed to "extra" anywhere: the first delivery of each
	// backplane is the marker published after it.
	p1.Publish("extra", 0)
	p1.Publish("marker", 0)
	wantDelivery(t, r.next(t), "BP1", "marker")
	p2.Publish("extra", 0)
	p2.Publish("marker", 0)
	wantDelivery(t, r.next(t), "BP2", "marker")

	// Subscribed on BP1 only.
	if err := m.SubscribeSync(ctx, "BP1", "extra"); err != nil {
		t.Fatal(err)
	}
	p2.Publish("extra", 1)
	p2.Publish("marker", 1)
	wantDelivery(t, r.next(t), "BP2", "marker")
	p1.Publish("extra", 2)
	wantDelivery(t, r.next(t), "BP1", "extra")

	if err := m.Unsubscribe("BP1", "extra"); err != nil {
		t.Fatal(err)
	}
	// Subscriptions apply in order: once this one is confirmed, so is the
	// unsubscription.
	if err := m.SubscribeSync(ctx, "BP1", "sync"); err != nil {
		t.Fatal(err)
	}
	p1.Publish("extra", 3)
	p1.Publish("marker", 3)
	wantDelivery(t, r.next(t), "BP1", "marker")

	// Subscribe (not synced) works too: confirmed by a later SubscribeSync.
	if err := m.Subscribe("BP2", "late"); err != nil {
		t.Fatal(err)
	}
	if err := m.SubscribeSync(ctx, "BP2", "sync"); err != nil {
		t.Fatal(err)
	}
	p2.Publish("late", 4)
	wantDelivery(t, r.next(t), "BP2", "late")
}

func TestErrors(t *testing.T) {
	tb := startBackplane(t)
	m := open(t,
		fmt.Sprintf(`SubOnly,127.0.0.1,%d,"[x]",`, tb.SubscriberPort()),
		fmt.Sprintf(`PubOnly,127.0.0.1,,"",%d`, tb.PublisherPort()),
		`Nothing,127.0.0.1,,,`)
	for _, tc := range []struct {
		err  error
		want error
	}{
		{m.Publish("nope", "t", 1), ErrUnknownBackplane},
		{m.PublishRaw("nope", "t", []byte{0xc0}), ErrUnknownBackplane},
		{m.Subscribe("nope", "t"), ErrUnknownBackplane},
		{m.Unsubscribe("nope", "t"), ErrUnknownBackplane},
		{m.SubscribeSync(context.Background(), "nope", "t"), ErrUnknownBackplane},
		{m.Publish("SubOnly", "t", 1), ErrNoPublisher},
		{m.PublishRaw("SubOnly", "t", []byte{0xc0}), ErrNoPublisher},
		{m.Publish("Nothing", "t", 1), ErrNoPublisher},
		{m.Subscribe("PubOnly", "t"), ErrNoSubscriber},
		{m.Unsubscribe("PubOnly", "t"), ErrNoSubscriber},
		{m.SubscribeSync(context.Background(), "PubOnly", "t"), ErrNoSubscriber},
		{m.Subscribe("Nothing", "t"), ErrNoSubscriber},
		{m.Publish("PubOnly", "bad\xff", 1), banyan.ErrInvalidTopic},
		{m.Run(context.Background(), nil), nil},
	} {
		if tc.want == nil {
			if tc.err == nil {
				t.Errorf("Run(nil handler) did not fail")
			}
			continue
		}
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("got %v, want %v", tc.err, tc.want)
		}
	}
	if m.Conn("Nothing") != nil || m.Conn("nope") != nil || m.Conn("SubOnly") == nil {
		t.Errorf("Conn: wrong nil-ness")
	}
	if _, ok := m.Stats()["Nothing"]; ok || len(m.Stats()) != 2 {
		t.Errorf("Stats: %v", m.Stats())
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); !errors.Is(err, banyan.ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
	if err := m.Publish("PubOnly", "t", 1); !errors.Is(err, banyan.ErrClosed) {
		t.Fatalf("Publish after Close: %v", err)
	}
	if err := m.Run(context.Background(), func(string, *banyan.Message) {}); !errors.Is(err, banyan.ErrClosed) {
		t.Fatalf("Run after Close: %v", err)
	}
	// Broadcast with no publisher at all.
	m2 := open(t, fmt.Sprintf(`SubOnly,127.0.0.1,%d,"[x]",`, tb.SubscriberPort()))
	if err := m2.Broadcast("t", 1); !errors.Is(err, ErrNoPublisher) {
		t.Fatalf("Broadcast: %v", err)
	}
}

// One-sided rows: a publisher-only row and a subscriber-only row on the
// same backplane talk to each other, and only through the sides they have.
func TestOneSidedRows(t *testing.T) {
	tb := startBackplane(t)
	m := open(t,
		fmt.Sprintf(`Listen,127.0.0.1,%d,"[t,done]",`, tb.SubscriberPort()),
		fmt.Sprintf(`Speak,127.0.0.1,,"[t]",%d`, tb.PublisherPort()), // topics ignored without a subscriber port
	)
	r := run(t, m)
	if err := m.Publish("Speak", "t", "one"); err != nil {
		t.Fatal(err)
	}
	if err := m.Publish("Speak", "done", "two"); err != nil {
		t.Fatal(err)
	}
	wantDelivery(t, r.next(t), "Listen", "t")
	wantDelivery(t, r.next(t), "Listen", "done")
	if got := m.Backplanes(); len(got) != 2 || got[1].Topics != nil || got[0].PublisherPort != 0 {
		t.Fatalf("Backplanes: %+v", got)
	}
	// Each row opened only its own side: one publisher, one subscriber.
	if s := tb.Stats(); s.Publishers != 1 || s.Subscribers != 1 {
		t.Fatalf("backplane sees %d publishers and %d subscribers, want 1 and 1", s.Publishers, s.Subscribers)
	}
}

// Handler calls never overlap, and each backplane's messages keep their
// order, while two backplanes are flooded at once.
func TestRunSerializesAndKeepsOrder(t *testing.T) {
	bp1, bp2 := startBackplane(t), startBackplane(t)
	p1, p2 := bp1.peer(t), bp2.peer(t)
	m := open(t, bp1.row("BP1", "[n]"), bp2.row("BP2", "[n]"))
	const n = 500
	var inHandler atomic.Int32
	var overlaps atomic.Int32
	last := map[string]int{"BP1": -1, "BP2": -1}
	var outOfOrder []string
	done := make(chan struct{})
	count := 0
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		m.Run(ctx, func(bp string, msg *banyan.Message) {
			if inHandler.Add(1) != 1 {
				overlaps.Add(1)
			}
			defer inHandler.Add(-1)
			var i int
			msg.Decode(&i)
			if i != last[bp]+1 {
				outOfOrder = append(outOfOrder, fmt.Sprintf("%s: %d after %d", bp, i, last[bp]))
			}
			last[bp] = i
			if count++; count == 2*n {
				close(done)
			}
		})
	}()
	var wg sync.WaitGroup
	for _, p := range []*banyan.Component{p1, p2} {
		wg.Go(func() {
			for i := range n {
				p.Publish("n", i)
			}
		})
	}
	wg.Wait()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("received %d of %d (stats %v)", count, 2*n, m.Stats())
	}
	cancel()
	if overlaps.Load() != 0 {
		t.Fatalf("%d handler calls overlapped", overlaps.Load())
	}
	if len(outOfOrder) > 0 {
		t.Fatalf("out of order: %v", outOfOrder[:min(5, len(outOfOrder))])
	}
}

// Bad input and handler panics are skipped and counted per backplane; the
// other backplane and later messages are unaffected.
func TestBadInputAndPanics(t *testing.T) {
	bp1, bp2 := startBackplane(t), startBackplane(t)
	p1, p2 := bp1.peer(t), bp2.peer(t)
	m := open(t, bp1.row("BP1", "[t]"), bp2.row("BP2", "[t]"))
	r := &running{ch: make(chan delivery, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- m.Run(ctx, func(bp string, msg *banyan.Message) {
			if msg.Topic == "t/panic" {
				panic("handler bug")
			}
			r.ch <- delivery{bp: bp, topic: msg.Topic}
		})
	}()
	p1.PublishRaw("t/bad", []byte{0xc1})             // not msgpack
	p1.PublishRaw("t/bad", []byte{0x81, 0x01, 0x02}) // int map key: Python cannot read it
	p1.Publish("t/panic", 1)
	p1.Publish("t/ok", 1)
	p2.Publish("t/ok", 2)
	got := map[string]bool{}
	for range 2 {
		d := r.next(t)
		got[d.bp+" "+d.topic] = true
	}
	if !got["BP1 t/ok"] || !got["BP2 t/ok"] {
		t.Fatalf("got %v", got)
	}
	s := m.Stats()
	if s["BP1"].BadMessages != 2 || s["BP1"].HandlerPanics != 1 || s["BP2"].BadMessages != 0 || s["BP2"].HandlerPanics != 0 {
		t.Fatalf("stats %+v", s)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// Each connection reconnects by itself: a restarted backplane (same ports)
// delivers again, with the spec's subscriptions restored.
func TestReconnectAfterBackplaneRestart(t *testing.T) {
	bp1, bp2 := startBackplane(t), startBackplane(t)
	m := open(t, bp1.row("BP1", "[t]"), bp2.row("BP2", "[t]"))
	r := run(t, m)
	pub, sub := bp1.PublisherPort(), bp1.SubscriberPort()
	bp1.Stop()
	var again *testbp.BP
	deadline := time.Now().Add(20 * time.Second)
	for {
		var err error
		if again, err = testbp.TryStart(t, backplane.Options{PublisherPort: pub, SubscriberPort: sub}); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cannot restart the backplane: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	p := again.Connect(t)
	// Our subscription reaches the new backplane after the reconnect: until
	// then, messages are dropped, so publish until one arrives.
	for {
		p.Publish("t", "again")
		select {
		case d := <-r.ch:
			wantDelivery(t, d, "BP1", "t")
			// The subscriber connection is back; the publisher one
			// reconnects on its own backoff.
			testbp.WaitFor(t, "both BP1 connections back", func() bool { return m.Stats()["BP1"].Connected })
			if s := m.Stats()["BP1"]; s.Reconnects == 0 {
				t.Errorf("stats after reconnect: %+v", s)
			}
			return
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no message after the backplane restarted")
		}
	}
}

// A bad row anywhere in the file: nothing is connected (Python connects the
// rows before it and leaves them open).
func TestBadRowConnectsNothing(t *testing.T) {
	bp1 := startBackplane(t)
	path := writeSpec(t, bp1.row("BP1", "[a]"), bp1.row("BP2", "[a,,b]"))
	_, err := OpenFile(context.Background(), path, WithLogger(quietLog))
	if !errors.Is(err, ErrEmptyTopic) {
		t.Fatalf("err = %v", err)
	}
	var se *SpecError
	if !errors.As(err, &se) || se.Row != 2 || se.File != path {
		t.Fatalf("err = %#v", err)
	}
	if s := bp1.Stats(); s.Publishers != 0 || s.Subscribers != 0 {
		t.Fatalf("a connection was made: %+v", s)
	}
	// A spec built in Go is validated too.
	_, err = Open(context.Background(), &Spec{Backplanes: []Backplane{{Name: "A", Address: "127.0.0.1", SubscriberPort: bp1.SubscriberPort(), PublisherPort: bp1.PublisherPort()}, {Name: "A", Address: "x"}}})
	if !errors.Is(err, ErrDuplicateName) {
		t.Fatalf("err = %v", err)
	}
	if s := bp1.Stats(); s.Publishers != 0 || s.Subscribers != 0 {
		t.Fatalf("a connection was made: %+v", s)
	}
}

// A backplane that does not answer: Open fails naming its row and closes
// the connections it had made to the others.
func TestConnectFailureClosesTheOthers(t *testing.T) {
	bp1 := startBackplane(t)
	before := goleak.IgnoreCurrent()
	path := writeSpec(t, bp1.row("BP1", "[a]"), fmt.Sprintf(`BP2,127.0.0.1,%d,"[a]",%d`, testbp.FreePort(t), testbp.FreePort(t)))
	_, err := OpenFile(context.Background(), path, WithLogger(quietLog), WithConnectTimeout(500*time.Millisecond))
	if !errors.Is(err, banyan.ErrBackplaneNotRunning) {
		t.Fatalf("err = %v", err)
	}
	if want := fmt.Sprintf("%s:3: row 2 (BP2)", path); !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not say %q", err, want)
	}
	// BP1 was connected (concurrently) and must have been closed.
	deadline := time.Now().Add(10 * time.Second)
	for s := bp1.Stats(); s.Publishers != 0 || s.Subscribers != 0; s = bp1.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("connections left open: %+v", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	goleak.VerifyNone(t, before)
}

func TestOpenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path := writeSpec(t, fmt.Sprintf(`BP1,127.0.0.1,%d,"[a]",%d`, testbp.FreePort(t), testbp.FreePort(t)))
	if _, err := OpenFile(ctx, path, WithLogger(quietLog)); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if _, err := OpenFile(ctx, filepath.Join(t.TempDir(), "none.csv")); !errors.Is(err, ErrNoSpecFile) {
		t.Fatalf("err = %v", err)
	}
}

// Close makes a running Run return ErrClosed.
func TestCloseStopsRun(t *testing.T) {
	bp1, bp2 := startBackplane(t), startBackplane(t)
	m := open(t, bp1.row("BP1", "[a]"), bp2.row("BP2", "[]"))
	errc := make(chan error, 1)
	started := make(chan struct{})
	go func() {
		close(started)
		errc <- m.Run(context.Background(), func(string, *banyan.Message) {})
	}()
	<-started
	m.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, banyan.ErrClosed) {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after Close")
	}
}
