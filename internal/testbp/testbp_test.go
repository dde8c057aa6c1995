package testbp_test

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A started backplane listens on loopback free ports (never the defaults),
// carries messages between components made with Options, and its Args are
// the -b -p -s flags for it.
func TestStartCarriesMessages(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	pub, sub := bp.PublisherPort(), bp.SubscriberPort()
	if pub <= 0 || sub <= 0 || pub == sub || pub == backplane.DefaultPublisherPort || sub == backplane.DefaultSubscriberPort {
		t.Fatalf("ports %d %d", pub, sub)
	}
	want := []string{"-b", "127.0.0.1", "-p", strconv.Itoa(pub), "-s", strconv.Itoa(sub)}
	if got := bp.Args(); !slices.Equal(got, want) {
		t.Errorf("Args() = %q, want %q", got, want)
	}
	// The ports are bound on loopback only.
	if c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(pub))); err != nil {
		t.Errorf("publisher port not on loopback: %v", err)
	} else {
		c.Close()
	}
	rx := bp.Connect(t)
	if err := rx.SubscribeSync(t.Context(), "t"); err != nil {
		t.Fatal(err)
	}
	tx := bp.Connect(t)
	if err := tx.Publish("t", map[string]any{"n": 1}); err != nil {
		t.Fatal(err)
	}
	m := testbp.Next(t, rx)
	v, err := m.Map()
	if m.Topic != "t" || err != nil || fmt.Sprint(v["n"]) != "1" {
		t.Fatalf("got %q %v %v", m.Topic, v, err)
	}
	if s := bp.Stats(); s.Forwarded == 0 || s.Publishers != 2 || s.Subscribers != 2 {
		t.Errorf("stats %+v", s)
	}
}

// Stop closes the ports and may be called again (the cleanup does); a
// backplane can then be started again on the same ports.
func TestStopRestart(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	pub, sub := bp.PublisherPort(), bp.SubscriberPort()
	bp.Stop()
	bp.Stop()
	var again *testbp.BP
	testbp.WaitFor(t, "a restart on the same ports", func() bool {
		var err error
		again, err = testbp.TryStart(t, backplane.Options{PublisherPort: pub, SubscriberPort: sub})
		return err == nil
	})
	if again.PublisherPort() != pub || again.SubscriberPort() != sub {
		t.Errorf("restarted on %d %d, want %d %d", again.PublisherPort(), again.SubscriberPort(), pub, sub)
	}
}

// TryStart reports a taken port instead of failing the test.
func TestTryStartPortInUse(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	_, err := testbp.TryStart(t, backplane.Options{PublisherPort: bp.PublisherPort()})
	if !errors.Is(err, backplane.ErrPortInUse) {
		t.Fatalf("got %v, want ErrPortInUse", err)
	}
}

func TestFreePorts(t *testing.T) {
	ports := testbp.FreePorts(t, 3)
	if len(ports) != 3 || ports[0] == ports[1] || ports[1] == ports[2] || ports[0] == ports[2] {
		t.Fatalf("ports %v", ports)
	}
	for _, p := range append(ports, testbp.FreePort(t)) {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			t.Fatalf("port %d not free: %v", p, err)
		}
		l.Close()
	}
}

// Buffer keeps every write from concurrent writers; its WaitFor returns
// once the text is there.
func TestBuffer(t *testing.T) {
	var b testbp.Buffer
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			for range 100 {
				fmt.Fprintf(&b, "%d\n", i)
			}
		})
	}
	go func() { wg.Wait(); b.Write([]byte("done")) }()
	b.WaitFor(t, "done")
	if n := len(b.String()); n != 10*100*2+len("done") {
		t.Errorf("%d bytes", n)
	}
}

// fatalTB records a fatal failure instead of failing the real test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatal(args ...any) { f.msg = fmt.Sprint(args...); runtime.Goexit() }

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// inGoroutine runs f with a fatalTB and returns its failure message.
func inGoroutine(t *testing.T, f func(tb testing.TB)) string {
	tb := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); f(tb) }()
	<-done
	return tb.msg
}

// Next fails the test when the component is closed rather than returning nil.
func TestNextOnClosedComponent(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	c := bp.Connect(t)
	c.Close()
	if msg := inGoroutine(t, func(tb testing.TB) { testbp.Next(tb, c) }); msg != "component closed" {
		t.Errorf("Next on a closed component: %q", msg)
	}
}

// Start fails the test when it cannot bind.
func TestStartFailsOnTakenPort(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	msg := inGoroutine(t, func(tb testing.TB) { testbp.Start(tb, backplane.Options{SubscriberPort: bp.SubscriberPort()}) })
	if msg == "" {
		t.Error("Start on a taken port did not fail the test")
	}
}
