package service_test

import (
	"errors"
	"log/slog"
	"sync"
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/service"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLifecycleRunOnce(t *testing.T) {
	var l service.Lifecycle
	if err := l.Start(); err != nil {
		t.Fatalf("first Start: %v", err)
	}
	if err := l.Start(); !errors.Is(err, service.ErrRunning) {
		t.Fatalf("second Start: %v, want ErrRunning", err)
	}
}

func TestLifecycleCloseOnce(t *testing.T) {
	var l service.Lifecycle
	calls := 0
	stop := func() error { calls++; return errors.New("stopped") }
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = l.Close(stop) })
	}
	wg.Wait()
	if calls != 1 {
		t.Errorf("stop called %d times, want 1", calls)
	}
	n := 0
	for _, err := range errs {
		if err != nil {
			n++
		}
	}
	if n != 1 || !l.Closed() {
		t.Errorf("%d calls returned stop's error, want 1; closed %v", n, l.Closed())
	}
	if err := l.Start(); !errors.Is(err, banyan.ErrClosed) {
		t.Errorf("Start after Close: %v, want banyan.ErrClosed", err)
	}
	if err := l.Start(); !errors.Is(err, service.ErrRunning) {
		t.Errorf("second Start after Close: %v, want ErrRunning", err)
	}
}

func TestLifecycleEnd(t *testing.T) {
	boom := errors.New("boom")
	for _, c := range []struct {
		name        string
		closeBefore bool
		err, want   error
	}{
		{"ctx ended", false, nil, nil},
		{"loop failed", false, boom, boom},
		{"loop closed", false, banyan.ErrClosed, banyan.ErrClosed},
		{"Close ended Run", true, nil, banyan.ErrClosed},
		{"Close ended Run, loop failed", true, boom, banyan.ErrClosed},
	} {
		var l service.Lifecycle
		calls := 0
		stop := func() error { calls++; return nil }
		closeFn := func() error { return l.Close(stop) }
		if err := l.Start(); err != nil {
			t.Fatal(err)
		}
		if c.closeBefore {
			closeFn()
		}
		if err := l.End(closeFn, c.err); !errors.Is(err, c.want) || (c.want == nil && err != nil) {
			t.Errorf("%s: End returned %v, want %v", c.name, err, c.want)
		}
		if calls != 1 || !l.Closed() {
			t.Errorf("%s: stop called %d times, closed %v; want once, closed", c.name, calls, l.Closed())
		}
	}
}

func TestQueueDropsWhenFull(t *testing.T) {
	q := service.NewQueue(2)
	for i, want := range []bool{true, true, false, false} {
		ok, drops := q.Offer([]byte{byte(i)})
		if ok != want {
			t.Errorf("Offer %d: %v, want %v", i, ok, want)
		}
		if !ok && drops != uint64(i-1) {
			t.Errorf("Offer %d: %d drops, want %d", i, drops, i-1)
		}
	}
	var got []byte
	done := make(chan error)
	go func() {
		done <- q.Run(func(f []byte) error {
			got = append(got, f...)
			if len(got) == 2 {
				q.Stop()
			}
			return nil
		})
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if string(got) != "\x00\x01" {
		t.Errorf("wrote % x", got)
	}
	q.Stop() // again: no panic
}

func TestQueueRunEndsOnWriteError(t *testing.T) {
	q := service.NewQueue(0)
	q.Offer([]byte("x"))
	boom := errors.New("boom")
	if err := q.Run(func([]byte) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Run: %v, want the write error", err)
	}
}

func TestFirstWarn(t *testing.T) {
	var f service.FirstWarn
	for i, want := range []slog.Level{slog.LevelWarn, slog.LevelDebug, slog.LevelDebug} {
		if got := f.Level(); got != want {
			t.Errorf("occurrence %d: %v, want %v", i+1, got, want)
		}
	}
}
