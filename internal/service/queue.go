package service

import (
	"sync"
	"sync/atomic"
)

// Queue is the bounded queue of frames for one peer and the loop that
// writes them: a slow peer loses its own frames, never holds up the
// others. Create it with NewQueue.
type Queue struct {
	out   chan []byte
	done  chan struct{}
	stop  sync.Once
	drops atomic.Uint64
}

// NewQueue returns a queue that holds up to n frames (at least 1).
func NewQueue(n int) *Queue {
	return &Queue{out: make(chan []byte, max(n, 1)), done: make(chan struct{})}
}

// Offer queues frame without blocking. When the queue is full, the frame
// is dropped, counted, and Offer returns false with the number of frames
// this queue has dropped so far.
func (q *Queue) Offer(frame []byte) (ok bool, drops uint64) {
	select {
	case q.out <- frame:
		return true, q.drops.Load()
	default:
		return false, q.drops.Add(1)
	}
}

// Run writes the queued frames with write, one at a time in order, until
// Stop is called (it returns nil) or write fails (it returns that error).
// Call it from one goroutine.
func (q *Queue) Run(write func(frame []byte) error) error {
	for {
		select {
		case <-q.done:
			return nil
		case f := <-q.out:
			if err := write(f); err != nil {
				return err
			}
		}
	}
}

// Stop ends Run; frames still queued are not written. It may be called
// more than once.
func (q *Queue) Stop() { q.stop.Do(func() { close(q.done) }) }
