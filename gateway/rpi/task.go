package rpi

import (
	"runtime"
	"time"
)

// task is a goroutine that drives a pin (software PWM, a tone, a sonar's
// trigger, a stepper) until halted.
type task struct {
	stop chan struct{}
	done chan struct{}
}

func start(f func(stop <-chan struct{})) *task {
	t := &task{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(t.done)
		f(t.stop)
	}()
	return t
}

// halt stops the goroutine and waits for it; a nil task is none.
func (t *task) halt() {
	if t == nil {
		return
	}
	close(t.stop)
	<-t.done
}

// sleeper waits out durations unless stopped, with one timer.
type sleeper struct {
	stop  <-chan struct{}
	timer *time.Timer
}

func newSleeper(stop <-chan struct{}) *sleeper {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &sleeper{stop: stop, timer: t}
}

// sleep waits d; false means stopped.
func (s *sleeper) sleep(d time.Duration) bool {
	if d <= 0 {
		select {
		case <-s.stop:
			return false
		default:
			return true
		}
	}
	s.timer.Reset(d)
	select {
	case <-s.stop:
		s.timer.Stop()
		return false
	case <-s.timer.C:
		return true
	}
}

// spinWindow is how long before a precise deadline the sleeper stops
// trusting the timer and spins: the runtime's timers sleep in whole
// milliseconds, so a 1.4 ms servo pulse would last over 2 ms.
const spinWindow = 1500 * time.Microsecond

// until waits until deadline; false means stopped. A precise wait spins
// through the deadline's last spinWindow (it costs that much CPU time);
// a coarse one may be late by about a millisecond.
func (s *sleeper) until(deadline time.Time, precise bool) bool {
	d := time.Until(deadline)
	if !precise {
		return s.sleep(d)
	}
	if d > spinWindow && !s.sleep(d-spinWindow) {
		return false
	}
	for time.Now().Before(deadline) {
		select {
		case <-s.stop:
			return false
		default:
		}
		runtime.Gosched()
	}
	return true
}
