package testbp

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
)

// Patience bounds every wait in this package. It only keeps a broken test
// from hanging: nothing is asserted about how long a wait takes.
const Patience = 30 * time.Second

// Host is the loopback address test backplanes bind to by default.
const Host = "127.0.0.1"

// Quiet returns a logger that discards everything.
func Quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// BP is a backplane run by a test. The embedded Backplane gives its ports
// and Stats.
type BP struct {
	*backplane.Backplane
	host string
	log  *slog.Logger
}

// Start runs a backplane with opts until the test ends, failing the test
// if it cannot bind. Unlike backplane.New's defaults, it binds Host unless
// opts.Bind is set, a zero port means a free port (never 43124 or 43125),
// and a nil opts.Logger means Quiet.
func Start(t testing.TB, opts backplane.Options) *BP {
	t.Helper()
	b, err := TryStart(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TryStart is Start returning the error of backplane.New instead of failing
// the test, for tests that retry (a restart on ports just released).
func TryStart(t testing.TB, opts backplane.Options) (*BP, error) {
	t.Helper()
	if opts.Bind == "" {
		opts.Bind = Host
	}
	if opts.PublisherPort == 0 {
		opts.PublisherPort = backplane.FreePort
	}
	if opts.SubscriberPort == 0 {
		opts.SubscriberPort = backplane.FreePort
	}
	if opts.Logger == nil {
		opts.Logger = Quiet()
	}
	bp, err := backplane.New(opts)
	if err != nil {
		return nil, err
	}
	b := &BP{Backplane: bp, host: opts.Bind, log: opts.Logger}
	t.Cleanup(b.Stop)
	return b, nil
}

// Stop stops the backplane and waits until it has closed its ports. It may
// be called more than once; the test's cleanup calls it too.
func (b *BP) Stop() { b.Close() }

// Options returns a new slice of component options that reach this
// backplane (its address and ports, and its logger), followed by extra.
func (b *BP) Options(extra ...banyan.Option) []banyan.Option {
	return append([]banyan.Option{banyan.WithBackplane(b.host), banyan.WithPorts(b.PublisherPort(), b.SubscriberPort()),
		banyan.WithLogger(b.log)}, extra...)
}

// Args returns the command-line flags that reach this backplane:
// -b host -p publisher-port -s subscriber-port.
func (b *BP) Args() []string {
	return []string{"-b", b.host, "-p", strconv.Itoa(b.PublisherPort()), "-s", strconv.Itoa(b.SubscriberPort())}
}

// Connect connects a component to this backplane with Options(extra...);
// see the package-level Connect.
func (b *BP) Connect(t testing.TB, extra ...banyan.Option) *banyan.Component {
	t.Helper()
	return Connect(t, b.Options(extra...)...)
}

// Connect connects a component with opts, failing the test on error. The
// test's cleanup closes it.
func Connect(t testing.TB, opts ...banyan.Option) *banyan.Component {
	t.Helper()
	c, err := banyan.Connect(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Next returns the next message c receives (its Messages channel), failing
// the test if c is closed or nothing arrives within Patience.
func Next(t testing.TB, c *banyan.Component) *banyan.Message {
	t.Helper()
	select {
	case m, ok := <-c.Messages():
		if !ok {
			t.Fatal("component closed")
		}
		return m
	case <-time.After(Patience):
		t.Fatalf("no message within %v", Patience)
	}
	return nil
}

// FreePort returns a loopback TCP port that nothing listened on a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	return FreePorts(t, 1)[0]
}

// FreePorts returns n distinct loopback TCP ports that nothing listened on
// a moment ago (all are held open together, then released).
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", net.JoinHostPort(Host, "0"))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// WaitFor polls cond every 10 ms until it holds, failing the test with
// "gave up waiting for <what>" after Patience.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Buffer is a bytes.Buffer safe for concurrent writers and readers, for a
// command's output that the test reads while the command runs. The zero
// value is empty and ready.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// WaitFor polls until the output contains want, failing the test with the
// output so far after Patience.
func (s *Buffer) WaitFor(t testing.TB, want string) {
	t.Helper()
	deadline := time.Now().Add(Patience)
	for !strings.Contains(s.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output lacks %q:\n%s", want, s.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
