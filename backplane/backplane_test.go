package backplane

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/testpeer"
	"github.com/gobanyan/banyan/internal/zmtp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs a backplane on the given ports (FreePort: a free one) until the test ends.
func start(t *testing.T, opts Options) (*Backplane, context.CancelFunc) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	opts.Bind = "127.0.0.1"
	bp, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	stop := func() { bp.Close() }
	t.Cleanup(stop)
	return bp, stop
}

func py(t *testing.T, args ...string) *testpeer.Proc {
	p := testpeer.Start(t, testpeer.Python(t, "zmq", "msgpack"), append([]string{"testdata/pypeer.py"}, args...)...)
	p.Expect("READY")
	return p
}

// syncSubs publishes SYNC from pub until every sub has printed it: then the
// subscriptions are known to be in place at the backplane.
func syncSubs(t *testing.T, pub *testpeer.Proc, subs ...*testpeer.Proc) {
	t.Helper()
	for _, s := range subs {
		for got := false; !got; {
			pub.Send("SYNC")
			pub.Expect("SENT")
			for {
				l, ok := s.Next(50 * time.Millisecond)
				if !ok {
					break
				}
				if strings.HasPrefix(l, "MSG SYNC") {
					got = true
				}
			}
		}
	}
	// Let duplicates of SYNC drain.
	for _, s := range subs {
		for {
			if _, ok := s.Next(100 * time.Millisecond); !ok {
				break
			}
		}
	}
}

// counts reads MSG lines until the END topic and counts topics.
func counts(t *testing.T, s *testpeer.Proc) map[string]int {
	t.Helper()
	n := map[string]int{}
	for {
		f := strings.Fields(s.Expect("MSG "))
		if f[1] == "END" {
			return n
		}
		if f[1] != "SYNC" {
			n[f[1]]++
		}
	}
}

func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	_, err = New(Options{Bind: "127.0.0.1", PublisherPort: port, SubscriberPort: FreePort, Logger: quiet})
	if !errors.Is(err, ErrPortInUse) {
		t.Fatalf("err = %v, want ErrPortInUse", err)
	}
	want := fmt.Sprintf("backplane: port %d already in use: is another backplane running?", port)
	if !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("message %q, want prefix %q", err, want)
	}
}

// pyzmq PUB -> our backplane -> pyzmq SUBs with prefix subscriptions.
func TestPyzmqThroughBackplane(t *testing.T) {
	bp, _ := start(t, Options{PublisherPort: FreePort, SubscriberPort: FreePort})
	host := "127.0.0.1"
	pp, sp := fmt.Sprint(bp.PublisherPort()), fmt.Sprint(bp.SubscriberPort())
	ab := py(t, "sub", host, sp, "AB", "SYNC", "END")
	all := py(t, "sub", host, sp, "-")
	pub := py(t, "pub", host, pp)
	syncSubs(t, pub, ab, all)
	for _, line := range []string{"ABC 7", "ABD 5", "XYZ 3", "A 2", "END 1"} {
		pub.Send(line)
		pub.Expect("SENT")
	}
	if got := fmt.Sprint(counts(t, ab)); got != "map[ABC:7 ABD:5]" {
		t.Errorf("AB subscriber got %s", got)
	}
	if got := fmt.Sprint(counts(t, all)); got != "map[A:2 ABC:7 ABD:5 XYZ:3]" {
		t.Errorf("'' subscriber got %s", got)
	}
	if s := bp.Stats(); s.Forwarded == 0 || s.Subscribers != 2 || s.Publishers != 1 {
		t.Errorf("stats %+v", s)
	}
}

// A backplane restart while pyzmq and Go peers stay up: every pair resumes
// (pyzmq -> pyzmq, pyzmq -> Go, Go -> pyzmq).
func TestBackplaneRestart(t *testing.T) {
	pPort, sPort := freePort(t), freePort(t)
	opts := Options{PublisherPort: pPort, SubscriberPort: sPort}
	_, stop := start(t, opts)
	host := "127.0.0.1"
	sub := py(t, "sub", host, fmt.Sprint(sPort), "-")
	pub := py(t, "pub", host, fmt.Sprint(pPort))
	o := zmtp.DefaultOptions()
	o.Logger = quiet
	goSub := zmtp.NewSub(o)
	defer goSub.Close()
	goSub.Subscribe([]byte("py"))
	goSub.Connect(fmt.Sprintf("%s:%d", host, sPort))
	goPub := zmtp.NewPub(o)
	defer goPub.Close()
	goPub.Connect(fmt.Sprintf("%s:%d", host, pPort))

	// check: pyzmq -> pyzmq and Go, and Go -> pyzmq, all deliver.
	check := func(phase string) {
		syncSubs(t, pub, sub) // returns once pyzmq's PUB and SUB are both connected
		pub.Send(phase + " 3")
		pub.Send("END 1")
		if got := fmt.Sprint(counts(t, sub)); got != fmt.Sprintf("map[%s:3]", phase) {
			t.Fatalf("%s: pyzmq subscriber got %s", phase, got)
		}
		// Go SUB: pyzmq publishes "py..." until one arrives.
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		for got := false; !got; {
			pub.Send("py" + phase + " 1")
			pub.Expect("SENT")
			c2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
			m, err := goSub.Recv(c2)
			cancel2()
			if ctx.Err() != nil {
				t.Fatalf("%s: Go subscriber got nothing from pyzmq", phase)
			}
			got = err == nil && string(m.Topic()) == "py"+phase
		}
		// Go PUB -> pyzmq SUB.
		for got := false; !got; {
			goPub.Send(zmtp.NewTopicMsg("go"+phase, []byte{0x81, 0xa1, 'n', 0x07}))
			if l, ok := sub.Next(50 * time.Millisecond); ok && strings.HasPrefix(l, "MSG go"+phase) {
				got = true
			}
			if ctx.Err() != nil {
				t.Fatalf("%s: pyzmq subscriber got nothing from the Go publisher", phase)
			}
		}
		for { // drain
			if _, ok := sub.Next(100 * time.Millisecond); !ok {
				break
			}
		}
	}
	check("before")
	stop()
	start(t, opts)
	check("after")
}

// One subscriber that never reads: the others still get everything, and the
// backplane drops only for the stalled one, within its HWM.
func TestStalledSubscriber(t *testing.T) {
	bp, _ := start(t, Options{PublisherPort: FreePort, SubscriberPort: FreePort, HWM: 1000})
	host := "127.0.0.1"
	pp, sp := fmt.Sprint(bp.PublisherPort()), fmt.Sprint(bp.SubscriberPort())
	py(t, "stall", host, sp)
	good := py(t, "sub", host, sp, "-")
	pub := py(t, "pub", host, pp)
	syncSubs(t, pub, good)
	// 40 rounds of 200 1-KiB messages (8 MiB, more than the stalled peer's
	// socket buffers and HWM hold); pace on the good subscriber.
	for r := 0; r < 40; r++ {
		pub.Send("data 200 1024")
		pub.Expect("SENT")
		pub.Send(fmt.Sprintf("END%d 1", r))
		n := 0
		for {
			f := strings.Fields(good.Expect("MSG "))
			if f[1] == fmt.Sprintf("END%d", r) {
				break
			}
			if f[1] == "SYNC" { // a late duplicate of syncSubs'
				continue
			}
			n++
		}
		if n != 200 {
			t.Fatalf("round %d: the reading subscriber got %d of 200", r, n)
		}
	}
	s := bp.Stats()
	if s.Dropped == 0 {
		t.Fatalf("the stalled subscriber should have caused drops: %+v", s)
	}
	// Memory bound: the stalled peer's queue never exceeds its HWM.
	for _, pp := range bp.queueLengths() {
		if pp > 1000 {
			t.Fatalf("a subscriber queue holds %d messages, HWM is 1000", pp)
		}
	}
}
