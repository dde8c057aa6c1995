package banyan

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/zmtp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// testBackplane runs one of our backplanes on free loopback ports.
type testBackplane struct {
	bp     *backplane.Backplane
	cancel context.CancelFunc
	done   chan struct{}
}

func startBackplane(t testing.TB, pubPort, subPort int) *testBackplane {
	t.Helper()
	bp, err := backplane.New(backplane.Options{Bind: "127.0.0.1", PublisherPort: pubPort, SubscriberPort: subPort, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tb := &testBackplane{bp: bp, cancel: cancel, done: make(chan struct{})}
	go func() { bp.Run(ctx); close(tb.done) }()
	t.Cleanup(tb.stop)
	return tb
}

func (tb *testBackplane) stop() { tb.cancel(); <-tb.done }

func (tb *testBackplane) opts(extra ...Option) []Option {
	return append([]Option{WithBackplane("127.0.0.1"), WithPorts(tb.bp.PublisherPort(), tb.bp.SubscriberPort()), WithLogger(quietLog)}, extra...)
}

func connect(t *testing.T, tb *testBackplane, extra ...Option) *Component {
	t.Helper()
	c, err := Connect(context.Background(), tb.opts(extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// next waits for the next message on the channel form.
func next(t *testing.T, c *Component) *Message {
	t.Helper()
	select {
	case m, ok := <-c.Messages():
		if !ok {
			t.Fatal("component closed")
		}
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10 s")
	}
	return nil
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestBackplaneNotRunning(t *testing.T) {
	_, err := Connect(context.Background(), WithBackplane("127.0.0.1"), WithPorts(freePort(t), freePort(t)),
		WithConnectTimeout(300*time.Millisecond), WithLogger(quietLog))
	if !errors.Is(err, ErrBackplaneNotRunning) {
		t.Fatalf("err = %v", err)
	}
	if !strings.HasPrefix(err.Error(), "Backplane is not running - please start it.") {
		t.Fatalf("message %q is not Python's", err)
	}
}

// Ready on return: a message published right after both Connects arrive,
// every time (Python loses these to the slow-joiner race).
func TestReadyOnReturn(t *testing.T) {
	tb := startBackplane(t, -1, -1)
	// A spy that receives everything must never see the probes.
	spy := connect(t, tb, WithSubscriptions(""))
	for i := 0; i < 20; i++ {
		sub, err := Connect(context.Background(), tb.opts(WithSubscriptions("first"))...)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := Connect(context.Background(), tb.opts()...)
		if err != nil {
			t.Fatal(err)
		}
		pub.Publish("first", map[string]any{"i": i})
		var v struct {
			I int `msgpack:"i"`
		}
		if err := next(t, sub).Decode(&v); err != nil || v.I != i {
			t.Fatalf("round %d: got %v, %v", i, v, err)
		}
		pub.Close()
		sub.Close()
	}
	spy.Publish("end", nil)
	for m := next(t, spy); m.Topic != "end"; m = next(t, spy) {
		if strings.HasPrefix(m.Topic, ReservedPrefix) || m.Topic != "first" {
			t.Fatalf("spy received %q", m.Topic)
		}
	}
}

func TestPublishRunDecode(t *testing.T) {
	tb := startBackplane(t, -1, -1)
	echo := connect(t, tb, WithSubscriptions("echo"))
	client := connect(t, tb)
	if err := client.SubscribeSync(context.Background(), "reply"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go echo.Run(ctx, func(m *Message) {
		v, err := m.Map()
		if err != nil {
			t.Error(err)
			return
		}
		echo.Publish("reply", v)
	})
	for i := 0; i < 100; i++ {
		client.Publish("echo", map[string]any{"message_number": i})
		m := next(t, client)
		var got struct {
			N int `msgpack:"message_number"`
		}
		if err := m.Decode(&got); err != nil || m.Topic != "reply" || got.N != i {
			t.Fatalf("round %d: %q %+v %v", i, m.Topic, got, err)
		}
	}
	if s := client.Stats(); s.Published != 100 || !s.Connected {
		t.Fatalf("client stats %+v", s)
	}
}

func TestPrefixAndUnsubscribe(t *testing.T) {
	tb := startBackplane(t, -1, -1)
	c := connect(t, tb)
	c.SubscribeSync(context.Background(), "ab", "zz")
	c.Unsubscribe("zz")
	c.SubscribeSync(context.Background()) // a probe after the cancel: it has reached the backplane
	c.Publish("zz", 1)
	c.Publish("xyz", 2)
	c.Publish("abc", 3)
	if m := next(t, c); m.Topic != "abc" {
		t.Fatalf("got %q", m.Topic)
	}
	if err := c.Subscribe("bad\xff"); !errors.Is(err, ErrInvalidTopic) {
		t.Fatalf("Subscribe(non-UTF-8) = %v", err)
	}
	if err := c.Publish("bad\xff", 1); !errors.Is(err, ErrInvalidTopic) {
		t.Fatalf("Publish(non-UTF-8) = %v", err)
	}
}

// Bad input never kills the component: each bad message is skipped and
// counted, and a panicking handler is recovered.
func TestNeverDiesOnBadInput(t *testing.T) {
	tb := startBackplane(t, -1, -1)
	c := connect(t, tb, WithSubscriptions(""))
	raw := zmtp.NewPub(zmtp.Options{SendHWM: 1000, Logger: quietLog})
	defer raw.Close()
	raw.Connect("127.0.0.1:" + itoa(tb.bp.PublisherPort()))
	// Wait until raw's connection forwards: use a good message as a marker.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	marker := make(chan string, 100)
	go c.Run(ctx, func(m *Message) {
		if m.Topic == "panic" {
			panic("handler bug")
		}
		marker <- m.Topic
	})
	deadline := time.Now().Add(10 * time.Second)
	for synced := false; !synced; {
		raw.Send(zmtp.NewTopicMsg("sync", []byte{0xc0}))
		select {
		case <-marker:
			synced = true
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("raw publisher never connected")
		}
	}
	for len(marker) > 0 {
		<-marker
	}
	before := c.Stats()
	raw.Send(zmtp.NewMsg([]byte("one-frame")))
	raw.Send(zmtp.NewTopicMsg("bad\xfftopic", []byte{0xc0}))
	raw.Send(zmtp.NewTopicMsg("badpack", []byte{0xc1}))
	raw.Send(zmtp.NewTopicMsg("truncated", []byte{0x82, 0xa1, 'a'}))
	raw.Send(zmtp.NewTopicMsg("intkey", []byte{0x81, 0x01, 0x02}))
	raw.Send(zmtp.NewTopicMsg("badutf8", []byte{0xa2, 0xff, 0xfe}))
	raw.Send(zmtp.NewTopicMsg("panic", []byte{0x80}))
	raw.Send(zmtp.NewTopicMsg("good", []byte{0x80}))
	select {
	case tp := <-marker:
		if tp != "good" {
			t.Fatalf("handler saw %q, want only good", tp)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("component stopped delivering after bad input")
	}
	s := c.Stats()
	if d := s.BadMessages - before.BadMessages; d != 6 {
		t.Errorf("bad messages counted %d, want 6", d)
	}
	if s.HandlerPanics != 1 {
		t.Errorf("handler panics %d, want 1", s.HandlerPanics)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestRunReturnsOnCloseAndContext(t *testing.T) {
	tb := startBackplane(t, -1, -1)
	c := connect(t, tb)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { errc <- c.Run(ctx, func(*Message) {}) }()
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Run after cancel = %v, want nil", err)
	}
	go func() { errc <- c.Run(context.Background(), func(*Message) {}) }()
	c.Close()
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Fatalf("Run after Close = %v, want ErrClosed", err)
	}
	if err := c.Publish("x", 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("Publish after Close = %v", err)
	}
}

func TestIdleCallback(t *testing.T) {
	tb := startBackplane(t, -1, -1)
	var n atomic.Int32
	c := connect(t, tb, WithIdle(5*time.Millisecond, func() { n.Add(1) }))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for n.Load() < 3 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	c.Run(ctx, func(*Message) {})
	if n.Load() < 3 {
		t.Fatal("idle callback not called")
	}
}

func TestReconnectAfterBackplaneRestart(t *testing.T) {
	pp, sp := freePort(t), freePort(t)
	tb := startBackplane(t, pp, sp)
	sub := connect(t, tb, WithSubscriptions("t"))
	pub := connect(t, tb)
	pub.Publish("t", "before")
	if v, _ := next(t, sub).Value(); v != "before" {
		t.Fatalf("got %v", v)
	}
	tb.stop()
	startBackplane(t, pp, sp)
	// Publish until delivery resumes: both sides reconnect and resubscribe.
	deadline := time.Now().Add(15 * time.Second)
	for {
		pub.Publish("t", "after")
		select {
		case m := <-sub.Messages():
			if v, _ := m.Value(); v != "after" {
				t.Fatalf("got %v", v)
			}
			if s := sub.Stats(); s.Reconnects == 0 {
				t.Fatalf("reconnect not counted: %+v", s)
			}
			return
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("delivery did not resume after the backplane restarted")
		}
	}
}

func TestWorkersAndExternalProcessor(t *testing.T) {
	tb := startBackplane(t, -1, -1)
	got := make(chan any, 10)
	c := connect(t, tb, WithSubscriptions("x"), WithWorkers(3),
		WithExternalProcessor(func(topic string, v any) { got <- v }))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx, nil)
	c.Publish("x", map[string]any{"k": "v"})
	select {
	case v := <-got:
		if m, ok := v.(map[string]any); !ok || m["k"] != "v" {
			t.Fatalf("got %#v", v)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("external processor not called")
	}
}

// One-sided components (Python's Multi rows with one port): a
// subscribe-only component is ready when Connect returns, and a
// publish-only one's first message is not lost.
func TestOneSidedComponents(t *testing.T) {
	tb := startBackplane(t, -1, -1)
	for i := 0; i < 10; i++ {
		// The other port of each is a closed one: it is never dialled.
		sub, err := Connect(context.Background(), WithBackplane("127.0.0.1"), WithPorts(freePort(t), tb.bp.SubscriberPort()),
			WithLogger(quietLog), WithoutPublisher(), WithSubscriptions("one"))
		if err != nil {
			t.Fatal(err)
		}
		pub, err := Connect(context.Background(), WithBackplane("127.0.0.1"), WithPorts(tb.bp.PublisherPort(), freePort(t)),
			WithLogger(quietLog), WithoutSubscriber())
		if err != nil {
			t.Fatal(err)
		}
		pub.Publish("one", i)
		if v, _ := next(t, sub).Value(); v != int64(i) {
			t.Fatalf("round %d: got %v", i, v)
		}
		if err := sub.Publish("x", 1); !errors.Is(err, ErrNoPublisher) {
			t.Fatalf("Publish on subscribe-only: %v", err)
		}
		if err := pub.Subscribe("x"); !errors.Is(err, ErrNoSubscriber) {
			t.Fatalf("Subscribe on publish-only: %v", err)
		}
		if err := sub.SubscribeSync(context.Background(), "two"); err != nil {
			t.Fatal(err)
		}
		pub.Publish("two", "b")
		if m := next(t, sub); m.Topic != "two" {
			t.Fatalf("got %q", m.Topic)
		}
		if !sub.Stats().Connected || !pub.Stats().Connected {
			t.Fatalf("stats: %+v %+v", sub.Stats(), pub.Stats())
		}
		pub.Close()
		sub.Close()
	}
	if _, err := Connect(context.Background(), WithoutPublisher(), WithoutSubscriber()); err == nil {
		t.Fatal("a component with neither side was accepted")
	}
	_, err := Connect(context.Background(), WithBackplane("127.0.0.1"), WithPorts(freePort(t), freePort(t)),
		WithLogger(quietLog), WithoutSubscriber(), WithConnectTimeout(200*time.Millisecond))
	if !errors.Is(err, ErrBackplaneNotRunning) {
		t.Fatalf("publish-only with no backplane: %v", err)
	}
}
