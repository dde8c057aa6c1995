package ws

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"
)

// errBusy is a wait for the decode budget that ran out of time.
var errBusy = errors.New("ws: decode budget spent")

// budget bounds the bytes of browser messages held in memory at once,
// across all connections (Options.MaxDecodeBytes): a weighted semaphore.
// Waiters are served in the order they came, so a large request is not
// starved by small ones, and each waits on its own channel: nothing polls.
type budget struct {
	mu      sync.Mutex
	size    int64
	used    int64
	waiters list.List // of *budgetWaiter, first come first
}

// budgetWaiter is one acquire waiting for n bytes; ready is closed once
// they are its.
type budgetWaiter struct {
	n     int64
	ready chan struct{}
}

func newBudget(size int64) *budget { return &budget{size: size} }

// acquire takes n bytes of the budget, waiting at most wait for them. It
// returns errBusy if they did not come in time (or n exceeds the whole
// budget), and ctx's error if ctx ended first.
func (b *budget) acquire(ctx context.Context, n int64, wait time.Duration) error {
	b.mu.Lock()
	if b.used+n <= b.size && b.waiters.Len() == 0 {
		b.used += n
		b.mu.Unlock()
		return nil
	}
	if n > b.size {
		b.mu.Unlock()
		return errBusy
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	elem := b.waiters.PushBack(w)
	b.mu.Unlock()

	t := time.NewTimer(wait)
	defer t.Stop()
	var err error
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-t.C:
		err = errBusy
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready:
		// Granted while giving up: give it back.
		b.used -= n
	default:
		b.waiters.Remove(elem)
	}
	// The waiters behind this one may fit now.
	b.notify()
	return err
}

// release returns n bytes to the budget.
func (b *budget) release(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	if b.used < 0 {
		b.mu.Unlock()
		panic("ws: decode budget released more than was acquired")
	}
	b.notify()
	b.mu.Unlock()
}

// notify grants waiters in order while they fit. b.mu is held.
func (b *budget) notify() {
	for e := b.waiters.Front(); e != nil; e = b.waiters.Front() {
		w := e.Value.(*budgetWaiter)
		if b.used+w.n > b.size {
			return
		}
		b.used += w.n
		b.waiters.Remove(e)
		close(w.ready)
	}
}

// inUse returns the bytes acquired now.
func (b *budget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}
