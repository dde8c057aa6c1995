package launch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
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

var quietLog = testbp.Quiet()

// testBP is one of our backplanes on free loopback ports, with this
// package's launcher options.
type testBP struct{ *testbp.BP }

func startBackplane(t *testing.T) *testBP {
	t.Helper()
	return &testBP{testbp.Start(t, backplane.Options{})}
}

// launcherOptions are options for a launcher on tb with fast restarts.
func (tb *testBP) launcherOptions(out io.Writer) Options {
	return Options{
		Backplane: "127.0.0.1", PublisherPort: tb.PublisherPort(), SubscriberPort: tb.SubscriberPort(),
		Process:   testProcessOptions(out),
		Republish: 100 * time.Millisecond,
		Logger:    quietLog,
	}
}

func testProcessOptions(out io.Writer) ProcessOptions {
	return ProcessOptions{Output: out, Backoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, MaxRestarts: 3, KillTimeout: 3 * time.Second, Subreaper: true}
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
	content := strings.Join(append([]string{strings.Join(columns(), ",")}, rows...), "\n") + "\n"
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
	testbp.WaitFor(t, "PID file "+path, func() bool {
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
