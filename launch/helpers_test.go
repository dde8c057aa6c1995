package launch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"go.uber.org/goleak"
)

// envHelperBackplane makes the test binary act as a backplane (for
// Options.BackplaneCommand tests): its value is "pubport subport".
const envHelperBackplane = "BANYAN_LAUNCH_TEST_BACKPLANE"

func TestMain(m *testing.M) {
	if v := os.Getenv(envHelperBackplane); v != "" {
		os.Exit(helperBackplane(v))
	}
	goleak.VerifyTestMain(m)
}

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// syncBuffer is a goroutine-safe buffer.
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

// testBP is one of our backplanes on free loopback ports.
type testBP struct {
	bp     *backplane.Backplane
	cancel context.CancelFunc
	done   chan struct{}
}

func startBackplane(t *testing.T) *testBP {
	t.Helper()
	bp, err := backplane.New(backplane.Options{Bind: "127.0.0.1", PublisherPort: -1, SubscriberPort: -1, Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tb := &testBP{bp: bp, cancel: cancel, done: make(chan struct{})}
	go func() { bp.Run(ctx); close(tb.done) }()
	t.Cleanup(func() { tb.cancel(); <-tb.done })
	return tb
}

func (tb *testBP) opts(extra ...banyan.Option) []banyan.Option {
	return append([]banyan.Option{banyan.WithBackplane("127.0.0.1"), banyan.WithPorts(tb.bp.PublisherPort(), tb.bp.SubscriberPort()), banyan.WithLogger(quietLog)}, extra...)
}

func (tb *testBP) connect(t *testing.T, extra ...banyan.Option) *banyan.Component {
	t.Helper()
	c, err := banyan.Connect(context.Background(), tb.opts(extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// launcherOptions are options for a launcher on tb with fast restarts.
func (tb *testBP) launcherOptions(out io.Writer) Options {
	return Options{
		Backplane: "127.0.0.1", PublisherPort: tb.bp.PublisherPort(), SubscriberPort: tb.bp.SubscriberPort(),
		Process:   testProcessOptions(out),
		Republish: 100 * time.Millisecond,
		Logger:    quietLog,
	}
}

func testProcessOptions(out io.Writer) ProcessOptions {
	return ProcessOptions{Output: out, Backoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, MaxRestarts: 3, KillTimeout: 3 * time.Second, Subreaper: true}
}

// freePorts returns two ports nothing listens on.
func freePorts(t *testing.T) (int, int) {
	t.Helper()
	var ports [2]int
	var ls []net.Listener
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	for _, l := range ls {
		l.Close()
	}
	return ports[0], ports[1]
}

// waitFor polls cond until it holds; the deadline only keeps a broken test
// from hanging.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// runAsync runs f in a goroutine and returns a function that waits for
// its result (it may be called more than once).
func runAsync(f func() error) func() error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	var once sync.Once
	var err error
	return func() error {
		once.Do(func() {
			select {
			case err = <-ch:
			case <-time.After(60 * time.Second):
				err = errors.New("did not return")
			}
		})
		return err
	}
}

func statusOf(procs []ProcessStatus, name string) ProcessStatus {
	for _, p := range procs {
		if p.Name == name {
			return p
		}
	}
	return ProcessStatus{}
}

// gone reports whether pid no longer exists (not even as a zombie).
func gone(pid int) bool { return syscall.Kill(pid, 0) == syscall.ESRCH }

// csvFile writes a launch CSV into a temporary directory.
func csvFile(t *testing.T, rows ...string) string {
	t.Helper()
	p := t.TempDir() + "/launch.csv"
	content := strings.Join(append([]string{strings.Join(Columns, ",")}, rows...), "\n") + "\n"
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func load(t *testing.T, rows ...string) []Entry {
	t.Helper()
	entries, err := Load(csvFile(t, rows...))
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// helperBackplane runs a backplane in the test binary until SIGTERM.
func helperBackplane(ports string) int {
	var pub, sub int
	if _, err := fmt.Sscan(ports, &pub, &sub); err != nil {
		return 2
	}
	bp, err := backplane.New(backplane.Options{Bind: "127.0.0.1", PublisherPort: pub, SubscriberPort: sub, Logger: quietLog})
	if err != nil {
		return 3
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	bp.Run(ctx)
	return 0
}

// readPID reads a PID a child wrote to a file.
func readPID(t *testing.T, path string) int {
	t.Helper()
	var pid int
	waitFor(t, "PID file "+path, func() bool {
		b, err := os.ReadFile(path)
		if err != nil || !bytes.HasSuffix(b, []byte("\n")) {
			return false
		}
		_, err = fmt.Sscan(strings.TrimSpace(string(b)), &pid)
		return err == nil && pid > 0
	})
	return pid
}

func haveCommand(name string) bool { _, err := exec.LookPath(name); return err == nil }
