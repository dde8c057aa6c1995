// Package retry repeats an attempt with a doubling pause until it succeeds,
// a signal arrives, or the wait is called off: the shape of every "until
// ready" loop in the project (PING/PONG, subscriptions, flushes).
package retry

import (
	"context"
	"time"
)

// Until calls try, then waits for signal (a success reported from
// elsewhere) or a pause that starts at first and doubles up to max, and
// tries again. It returns nil when try reports done or signal fires,
// ctx.Err() when ctx ends, and stopErr when stop is closed.
func Until(ctx context.Context, stop <-chan struct{}, stopErr error, signal <-chan struct{},
	first, max time.Duration, try func() (done bool)) error {
	return UntilChanged(ctx, stop, stopErr, signal, nil, first, max, try)
}

// UntilChanged is Until that also tries again at once when the state try
// looks at changes: before each try it takes changed() (nil: no such
// channel), a channel closed at the next change, so the loop follows
// events and the pause is only a fallback.
func UntilChanged(ctx context.Context, stop <-chan struct{}, stopErr error, signal <-chan struct{},
	changed func() <-chan struct{}, first, max time.Duration, try func() (done bool)) error {
	wait := first
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		var ch <-chan struct{}
		if changed != nil {
			ch = changed()
		}
		if try() {
			return nil
		}
		t.Reset(wait)
		select {
		case <-signal:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-stop:
			return stopErr
		case <-ch:
			continue // at once, and without growing the pause
		case <-t.C:
		}
		if wait < max {
			wait = min(2*wait, max)
		}
	}
}
