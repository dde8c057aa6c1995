package ws

import (
	"context"
	"errors"
	"testing"
	"time"
)

// long is a wait that no test reaches.
const long = time.Hour

// waiting returns once b has n waiters.
func waiting(t *testing.T, b *budget, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b.mu.Lock()
		got := b.waiters.Len()
		b.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d waiters, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// acquireAsync acquires n in a goroutine and returns its result.
func acquireAsync(ctx context.Context, b *budget, n int64, wait time.Duration) <-chan error {
	done := make(chan error, 1)
	go func() { done <- b.acquire(ctx, n, wait) }()
	return done
}

func TestBudgetWaitsAndGrantsInOrder(t *testing.T) {
	b := newBudget(10)
	ctx := context.Background()
	if err := b.acquire(ctx, 8, long); err != nil {
		t.Fatal(err)
	}
	big := acquireAsync(ctx, b, 5, long)
	waiting(t, b, 1)
	small := acquireAsync(ctx, b, 1, long) // would fit, but comes after big
	waiting(t, b, 2)
	select {
	case err := <-small:
		t.Fatalf("small overtook big: %v", err)
	default:
	}
	b.release(8)
	if err := <-big; err != nil {
		t.Fatal(err)
	}
	if err := <-small; err != nil {
		t.Fatal(err)
	}
	if got := b.inUse(); got != 6 {
		t.Fatalf("in use %d, want 6", got)
	}
	b.release(6)
	if got := b.inUse(); got != 0 {
		t.Fatalf("in use %d, want 0", got)
	}
}

func TestBudgetGivesUp(t *testing.T) {
	b := newBudget(10)
	if err := b.acquire(context.Background(), 10, long); err != nil {
		t.Fatal(err)
	}
	// Out of time: errBusy, and the waiter is gone.
	if err := b.acquire(context.Background(), 1, time.Millisecond); !errors.Is(err, errBusy) {
		t.Fatalf("timed out: %v", err)
	}
	waiting(t, b, 0)
	// Cancelled: ctx's error.
	ctx, cancel := context.WithCancel(context.Background())
	done := acquireAsync(ctx, b, 1, long)
	waiting(t, b, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	waiting(t, b, 0)
	// More than the whole budget can never come.
	if err := b.acquire(context.Background(), 11, long); !errors.Is(err, errBusy) {
		t.Fatalf("more than all: %v", err)
	}
	// A big waiter that gives up lets the small ones behind it in.
	bigCtx, bigCancel := context.WithCancel(context.Background())
	big := acquireAsync(bigCtx, b, 5, long)
	waiting(t, b, 1)
	b.release(2)
	small := acquireAsync(context.Background(), b, 2, long)
	waiting(t, b, 2)
	bigCancel()
	if err := <-big; !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if err := <-small; err != nil {
		t.Fatal(err)
	}
	if got := b.inUse(); got != 10 {
		t.Fatalf("in use %d, want 10", got)
	}
}
