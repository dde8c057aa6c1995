package benchmark

import (
	"context"
	"fmt"
	"time"
)

// warmUp sends publisher i's warm-up messages until every subscriber has
// seen one, or ctx ends.
func (r *runner) warmUp(ctx context.Context, i int) error {
	buf, err := newPayload(r.cfg.Size)
	if err != nil {
		return err
	}
	t := time.NewTicker(warmEvery)
	defer t.Stop()
	for k := uint64(0); ; k++ {
		stampPayload(buf, k, true, time.Now().UnixNano())
		if err := r.pubs[i].Publish(r.topics[i], buf); err != nil {
			return fmt.Errorf("publisher %d: warm-up: %w", i, err)
		}
		if r.warmSeenBy(i) == len(r.subs) {
			return nil
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			if r.warmSeenBy(i) == len(r.subs) {
				return nil
			}
			return fmt.Errorf("the warm-up messages of publisher %d reached %d of %d subscribers within %v: is the bus forwarding? (%w)",
				i, r.warmSeenBy(i), len(r.subs), r.cfg.WarmUp, ctx.Err())
		}
	}
}

// warmSeenBy counts the subscribers that have seen a warm-up message of
// publisher i.
func (r *runner) warmSeenBy(i int) int {
	n := 0
	for _, s := range r.subs {
		if s.warmSeen[i].Load() {
			n++
		}
	}
	return n
}

// publish sends publisher i's measured messages from start: its share of
// Msgs, or for Duration; at Rate on the schedule start + k/Rate (never
// ahead of it); within the window. The buffer is stamped in place.
func (r *runner) publish(ctx context.Context, i int, start time.Time) error {
	cfg := r.cfg
	buf, err := newPayload(cfg.Size)
	if err != nil {
		return err
	}
	n := cfg.share(i)
	var pause *time.Timer
	if cfg.Rate > 0 {
		pause = time.NewTimer(time.Hour)
		defer pause.Stop()
	}
	var acked uint64 // the slowest subscriber's next sequence, as last read
	for k := uint64(0); cfg.Duration > 0 || k < n; k++ {
		if k&255 == 0 && ctx.Err() != nil {
			return nil
		}
		if pause != nil {
			if d := time.Until(start.Add(time.Duration(float64(k) / cfg.Rate * float64(time.Second)))); d > 0 {
				pause.Reset(d)
				select {
				case <-pause.C:
				case <-ctx.Done():
					return nil
				}
			}
		}
		if cfg.Window > 0 && behind(k, acked) >= uint64(cfg.Window) {
			if acked = r.waitWindow(ctx, i, k); behind(k, acked) >= uint64(cfg.Window) {
				return nil // the subscribers stopped taking: the rest would be lost
			}
		}
		now := time.Now()
		if cfg.Duration > 0 && now.Sub(start) >= cfg.Duration {
			return nil
		}
		stampPayload(buf, k, false, now.UnixNano())
		if err := r.pubs[i].Publish(r.topics[i], buf); err != nil {
			return fmt.Errorf("publisher %d: %w", i, err)
		}
		r.published[i].Add(1)
	}
	return nil
}

// waitWindow waits until every subscriber's next sequence of publisher i
// is within the window of k, and returns the slowest. It gives up when the
// slowest has not moved for Idle, or ctx ends.
func (r *runner) waitWindow(ctx context.Context, i int, k uint64) uint64 {
	w := uint64(r.cfg.Window)
	slowest := r.slowest(i)
	moved := time.Now()
	for behind(k, slowest) >= w && ctx.Err() == nil {
		time.Sleep(windowPoll)
		if s := r.slowest(i); s != slowest {
			slowest, moved = s, time.Now()
		} else if time.Since(moved) > r.cfg.Idle {
			break
		}
	}
	return slowest
}

// slowest is the lowest next sequence of publisher i over the subscribers.
func (r *runner) slowest(i int) uint64 {
	low := r.subs[0].next[i].Load()
	for _, s := range r.subs[1:] {
		low = min(low, s.next[i].Load())
	}
	return low
}

// behind is how far sequence next trails k (0 if it does not: a foreign
// message can claim any sequence).
func behind(k, next uint64) uint64 {
	if next >= k {
		return 0
	}
	return k - next
}
