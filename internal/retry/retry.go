// Package retry repeats an attempt with a doubling pause until it succeeds,
// a signal arrives, or the wait is called off: the shape of every "until
// ready" loop in the project (readiness probes, PING/PONG, subscriptions).
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
	wait := first
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
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
		case <-t.C:
		}
		if wait < max {
			wait = min(2*wait, max)
		}
	}
}
