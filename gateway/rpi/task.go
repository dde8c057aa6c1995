package rpi

import "time"

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
