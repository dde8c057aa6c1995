package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
	"github.com/gobanyan/banyan/multi"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// pyComponent is the Python Banyan-style component of the multi tests.
const pyComponent = "../../multi/testdata/py_component.py"

// testBackplane is a test backplane with the spec rows of this example.
type testBackplane struct{ *testbp.BP }

func startBackplane(t *testing.T) *testBackplane {
	t.Helper()
	return &testBackplane{testbp.Start(t, backplane.Options{})}
}

func (tb *testBackplane) row(name, topics string) string {
	return fmt.Sprintf("%s,127.0.0.1,%d,%q,%d", name, tb.SubscriberPort(), topics, tb.PublisherPort())
}

func (tb *testBackplane) connect(t *testing.T, topics ...string) *banyan.Component {
	t.Helper()
	return tb.Connect(t, banyan.WithSubscriptions(topics...))
}

// lines collects what run prints, line by line.
type lines struct {
	mu  sync.Mutex
	buf string
	ch  chan string
}

func (l *lines) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf += string(b)
	for {
		i := strings.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		l.ch <- l.buf[:i]
		l.buf = l.buf[i+1:]
	}
}

func (l *lines) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-l.ch:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("the server printed nothing within 10 s")
	}
	return ""
}

// server runs the example on a spec file for two backplanes and waits for
// it to be ready. The test's end stops it and checks that it returned nil.
func server(t *testing.T, bp1, bp2 *testBackplane) *lines {
	t.Helper()
	spec := filepath.Join(t.TempDir(), "spec.csv")
	// As Python's demo spec, with BP2 subscribed to nothing.
	body := multi.Header + "\n" + bp1.row("BP1", "[echo]") + "\n" + bp2.row("BP2", "[]") + "\n"
	if err := os.WriteFile(spec, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out := &lines{ch: make(chan string, 1000)}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"-n", "TestServer", spec}, out, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	if l := out.next(t); l != "TestServer ready: echo on BP1, notice to BP2" {
		t.Fatalf("server said %q", l)
	}
	return out
}

// goClient is Python's simple echo client: message_number 10 down to 0,
// each sent when the previous reply arrives.
func goClient(t *testing.T, c *banyan.Component) {
	t.Helper()
	for n := 10; n >= 0; n-- {
		if err := c.Publish("echo", map[string]any{"message_number": n}); err != nil {
			t.Fatal(err)
		}
		m := testbp.Next(t, c)
		var v struct {
			N int `msgpack:"message_number"`
		}
		if err := m.Decode(&v); err != nil || m.Topic != "reply" || v.N != n {
			t.Fatalf("reply %d: got %q %+v %v", n, m.Topic, v, err)
		}
	}
}

func checkServerOutput(t *testing.T, out *lines) {
	t.Helper()
	for n := 10; n >= 0; n-- {
		if l, want := out.next(t), "Message number: "+strconv.Itoa(n); l != want {
			t.Fatalf("server printed %q, want %q", l, want)
		}
	}
}

func checkNotice(t *testing.T, notifier *banyan.Component) {
	t.Helper()
	m := testbp.Next(t, notifier)
	v, err := m.Map()
	if err != nil || m.Topic != "notice" || v["message"] != "got it" || v["id"] != "b" || len(v) != 2 {
		t.Fatalf("notice: %q %v %v", m.Topic, v, err)
	}
}

// Two of our backplanes, Go client on BP1 and Go notifier on BP2.
func TestMultiEcho(t *testing.T) {
	bp1, bp2 := startBackplane(t), startBackplane(t)
	notifier := bp2.connect(t, "notice")
	out := server(t, bp1, bp2)
	client := bp1.connect(t, "reply")
	goClient(t, client)
	checkNotice(t, notifier)
	checkServerOutput(t, out)
	// Only one notice, and the client's backplane never saw it.
	client.Publish("echo", map[string]any{"message_number": 1})
	if m := testbp.Next(t, client); m.Topic != "reply" {
		t.Fatalf("client got %q", m.Topic)
	}
}

// startPython runs the Python component on tb and waits until its
// publisher and subscriber both carry messages (its py_hello reaches us;
// our py_ctl reaches it).
func startPython(t *testing.T, tb *testBackplane, topics string) *testpeer.Proc {
	t.Helper()
	py := testpeer.Python(t, "zmq", "msgpack")
	helper := tb.connect(t, "py_hello")
	p := testpeer.Start(t, py, pyComponent, "127.0.0.1", strconv.Itoa(tb.PublisherPort()), strconv.Itoa(tb.SubscriberPort()), topics)
	p.Expect("READY")
	testbp.Next(t, helper)
	deadline := time.Now().Add(20 * time.Second)
	for {
		helper.Publish("py_ctl", map[string]any{})
		if l, ok := p.Next(100 * time.Millisecond); ok && strings.HasPrefix(l, "RECV py_ctl") {
			helper.Close()
			return p
		}
		if time.Now().After(deadline) {
			t.Fatal("the Python component never received py_ctl")
		}
	}
}

// Python's notifier on BP2: it gets the notice the Go server sends there.
func TestMultiEchoPythonNotifier(t *testing.T) {
	bp1, bp2 := startBackplane(t), startBackplane(t)
	py := startPython(t, bp2, "notice")
	out := server(t, bp1, bp2)
	goClient(t, bp1.connect(t, "reply"))
	if l := py.Expect("RECV notice"); l != `RECV notice {"id": "b", "message": "got it"}` {
		t.Fatalf("python: %q", l)
	}
	py.Expect("Notification Received!")
	checkServerOutput(t, out)
}

// A Python echo client on BP1 (driven from here), Go notifier on BP2.
func TestMultiEchoPythonClient(t *testing.T) {
	bp1, bp2 := startBackplane(t), startBackplane(t)
	notifier := bp2.connect(t, "notice")
	out := server(t, bp1, bp2)
	py := startPython(t, bp1, "reply")
	for n := 10; n >= 0; n-- {
		py.Send(fmt.Sprintf(`PUB echo {"message_number": %d}`, n))
		if l, want := py.Expect("RECV reply"), fmt.Sprintf(`RECV reply {"message_number": %d}`, n); l != want {
			t.Fatalf("python got %q, want %q", l, want)
		}
	}
	checkNotice(t, notifier)
	checkServerOutput(t, out)
}

// Specs that cannot run the demo are refused before anything connects.
func TestRefusedSpecs(t *testing.T) {
	bp1 := startBackplane(t)
	dir := t.TempDir()
	files := 0
	write := func(rows ...string) string {
		files++
		p := filepath.Join(dir, strconv.Itoa(files)+".csv")
		if err := os.WriteFile(p, []byte(multi.Header+"\n"+strings.Join(rows, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	subOnly := fmt.Sprintf(`BP2,127.0.0.1,%d,"[]",`, bp1.SubscriberPort())
	for _, tc := range []struct {
		args []string
		want error
	}{
		{[]string{write(bp1.row("BP1", "[echo]"))}, multi.ErrUnknownBackplane},
		{[]string{write(bp1.row("BP1", "[echo]"), subOnly)}, multi.ErrNoPublisher},
		{[]string{"-echo", "BP2", write(bp1.row("BP1", "[echo]"), subOnly)}, multi.ErrNoPublisher},
		{[]string{write(bp1.row("BP1", "[echo, reply]"), bp1.row("BP2", "[]")), "-strict"}, nil}, // flag after the file: usage error
		{[]string{"-strict", write(bp1.row("BP1", "[echo, reply]"), bp1.row("BP2", "[]"))}, multi.ErrSpaceInTopic},
		{[]string{filepath.Join(dir, "none.csv")}, multi.ErrNoSpecFile},
		{nil, nil},
	} {
		// A spec that were accepted would serve until the context ends.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := run(ctx, tc.args, io.Discard, io.Discard)
		cancel()
		if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("run %q: %v, want %v", tc.args, err, tc.want)
		}
	}
	if s := bp1.Stats(); s.Publishers != 0 || s.Subscribers != 0 {
		t.Fatalf("a refused spec connected: %+v", s)
	}
}

// A spec whose echo row does not subscribe "echo" still works: the server
// subscribes itself.
func TestEchoSubscribedByServer(t *testing.T) {
	bp1, bp2 := startBackplane(t), startBackplane(t)
	spec := filepath.Join(t.TempDir(), "spec.csv")
	os.WriteFile(spec, []byte(multi.Header+"\n"+bp1.row("A", "[]")+"\n"+bp2.row("B", "[]")+"\n"), 0o600)
	out := &lines{ch: make(chan string, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"-echo", "A", "-notice", "B", spec}, out, io.Discard) }()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}()
	out.next(t)
	notifier := bp2.connect(t, "notice")
	client := bp1.connect(t, "reply")
	client.Publish("echo", map[string]any{"message_number": 0})
	if m := testbp.Next(t, client); m.Topic != "reply" {
		t.Fatalf("got %q", m.Topic)
	}
	checkNotice(t, notifier)
}
