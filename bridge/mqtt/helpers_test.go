package mqtt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTimeout bounds every wait for something that should happen.
const testTimeout = 20 * time.Second

var quietLog = testbp.Quiet()

func testLog(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return quietLog
}

// broker is a mosquitto started by the test on a free loopback port.
type broker struct {
	t    *testing.T
	bin  string
	conf string
	port int
	proc *testpeer.Proc
}

// startBroker runs mosquitto with a config in t.TempDir(): listener on
// 127.0.0.1, anonymous clients allowed, plus extra config lines. It returns
// once the port accepts connections; the test's cleanup kills it.
func startBroker(t *testing.T, extra ...string) *broker {
	t.Helper()
	b := &broker{t: t, bin: testpeer.Command(t, "mosquitto"), port: testbp.FreePort(t)}
	b.conf = filepath.Join(t.TempDir(), "mosquitto.conf")
	lines := append([]string{fmt.Sprintf("listener %d 127.0.0.1", b.port)}, extra...)
	if !strings.Contains(strings.Join(extra, "\n"), "allow_anonymous") {
		lines = append(lines, "allow_anonymous true")
	}
	if err := os.WriteFile(b.conf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.start()
	return b
}

func (b *broker) start() {
	b.t.Helper()
	b.proc = testpeer.Start(b.t, b.bin, "-c", b.conf)
	b.t.Cleanup(b.proc.Kill) // it ignores stdin: no need for Stop's grace period
	deadline := time.Now().Add(testTimeout)
	for {
		c, err := net.DialTimeout("tcp", b.addr(), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("mosquitto did not listen on %s: %v", b.addr(), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// restart kills the broker (SIGKILL: no goodbye to clients) and starts it
// again on the same port.
func (b *broker) restart() {
	b.t.Helper()
	b.proc.Kill()
	b.start()
}

func (b *broker) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.port)) }

// sub runs mosquitto_sub with args on this broker. Use subReady to wait
// until its subscription is in place.
func (b *broker) sub(args ...string) *testpeer.Proc {
	b.t.Helper()
	bin := testpeer.Command(b.t, "mosquitto_sub")
	p := testpeer.Start(b.t, bin, append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(b.port)}, args...)...)
	b.t.Cleanup(p.Kill)
	return p
}

// pub runs mosquitto_pub once with args and waits for it.
func (b *broker) pub(args ...string) {
	b.t.Helper()
	bin := testpeer.Command(b.t, "mosquitto_pub")
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(b.port)}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.t.Fatalf("mosquitto_pub %v: %v: %s", args, err, out)
	}
}

// subReady waits until the mosquitto_sub process p receives: it publishes
// marker messages on topic until p prints a line that contains mark.
func (b *broker) subReady(p *testpeer.Proc, topic, mark string) {
	b.t.Helper()
	deadline := time.Now().Add(testTimeout)
	for time.Now().Before(deadline) {
		b.pub("-t", topic, "-m", mark)
		if line, ok := p.Next(200 * time.Millisecond); ok {
			if strings.Contains(line, mark) {
				drain(p)
				return
			}
		}
	}
	b.t.Fatalf("mosquitto_sub never received %q on %s", mark, topic)
}

// drain discards lines already printed (more markers).
func drain(p *testpeer.Proc) {
	for {
		if _, ok := p.Next(50 * time.Millisecond); !ok {
			return
		}
	}
}

// testBackplane is a test backplane with this package's component helper.
type testBackplane struct{ *testbp.BP }

func startBackplane(t *testing.T) *testBackplane {
	t.Helper()
	return &testBackplane{testbp.Start(t, backplane.Options{})}
}

// component connects a plain Banyan component (the other end on Banyan).
func (tb *testBackplane) component(t *testing.T, subs ...string) *banyan.Component {
	t.Helper()
	return tb.Connect(t, banyan.WithSubscriptions(subs...))
}

// startBridge connects a bridge to tb and br with o (Banyan and broker
// options filled in) and runs it until the test ends.
func startBridge(t *testing.T, tb *testBackplane, br *broker, o Options) *Bridge {
	t.Helper()
	o.Backplane = tb.Options()
	if o.Broker == "" {
		o.Broker, o.Port = "127.0.0.1", br.port
	}
	if o.Logger == nil {
		o.Logger = testLog(t)
	}
	if o.MaxReconnectInterval == 0 {
		o.MaxReconnectInterval = time.Second
	}
	b, err := New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, banyan.ErrClosed) {
			t.Errorf("Run: %v", err)
		}
		b.Close()
	})
	return b
}
