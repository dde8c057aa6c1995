package retry

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestUntil(t *testing.T) {
	ctx := context.Background()
	n := 0
	if err := Until(ctx, nil, nil, nil, time.Microsecond, time.Millisecond, func() bool { n++; return n == 5 }); err != nil || n != 5 {
		t.Fatalf("err %v after %d tries, want nil after 5", err, n)
	}
	sig := make(chan struct{}, 1)
	sig <- struct{}{}
	if err := Until(ctx, nil, nil, sig, time.Hour, time.Hour, func() bool { return false }); err != nil {
		t.Fatalf("signal: %v", err)
	}
	stop := make(chan struct{})
	close(stop)
	errStop := errors.New("stopped")
	if err := Until(ctx, stop, errStop, nil, time.Hour, time.Hour, func() bool { return false }); err != errStop {
		t.Fatalf("stop: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := Until(cctx, nil, nil, nil, time.Hour, time.Hour, func() bool { return false }); !errors.Is(err, context.Canceled) {
		t.Fatalf("ctx: %v", err)
	}
}

// UntilChanged tries again at once when the state changes, with an hour's
// pause as the only other way.
func TestUntilChanged(t *testing.T) {
	ch := make(chan struct{})
	var state atomic.Int32
	tried := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		done <- UntilChanged(context.Background(), nil, nil, nil, func() <-chan struct{} { return ch }, time.Hour, time.Hour,
			func() bool {
				select {
				case tried <- struct{}{}:
				default:
				}
				return state.Load() == 1
			})
	}()
	<-tried // the first try failed: only the change can bring the next
	state.Store(1)
	close(ch)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a change did not wake the loop")
	}
}
