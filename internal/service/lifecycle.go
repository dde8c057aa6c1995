package service

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/gobanyan/banyan"
)

// ErrRunning is a second call to a bridge's Run. The bridges export it as
// their own ErrRunning.
var ErrRunning = errors.New("service: Run called more than once")

// Lifecycle is the started/closed state of a service whose Run may be
// called once and whose Close may be called any number of times. The zero
// value is ready.
type Lifecycle struct {
	started atomic.Bool
	closed  atomic.Bool
	once    sync.Once
}

// Start is called first by Run: it returns ErrRunning if Run was called
// before, banyan.ErrClosed if Close was, and nil otherwise.
func (l *Lifecycle) Start() error {
	if !l.started.CompareAndSwap(false, true) {
		return ErrRunning
	}
	if l.closed.Load() {
		return banyan.ErrClosed
	}
	return nil
}

// Close marks the service closed and calls stop, the first time only; it
// returns what stop returned then, and nil on later calls.
func (l *Lifecycle) Close(stop func() error) error {
	l.closed.Store(true)
	var err error
	l.once.Do(func() { err = stop() })
	return err
}

// Closed reports whether Close has been called.
func (l *Lifecycle) Closed() bool { return l.closed.Load() }

// End is called last by Run, once its loops are over, with the error they
// ended with: it calls closeFn (the service's Close) and returns
// banyan.ErrClosed when Close had been called before (so Close is what
// ended Run) or err is banyan.ErrClosed, and err otherwise.
func (l *Lifecycle) End(closeFn func() error, err error) error {
	closed := l.Closed()
	closeFn()
	if closed || errors.Is(err, banyan.ErrClosed) {
		return banyan.ErrClosed
	}
	return err
}
