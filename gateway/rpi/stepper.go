package rpi

import (
	"fmt"
	"slices"
	"time"

	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/rpi/gpiocdev"
)

// stepSequence is the full-step, two-coil sequence for a 4-wire stepper
// driver (ULN2003 with a 28BYJ-48, L298N, ...): the pins' levels, in the
// order set_mode_stepper gave them.
var stepSequence = [4][4]int{{1, 1, 0, 0}, {0, 1, 1, 0}, {0, 0, 1, 1}, {1, 0, 0, 1}}

// minStepDelay bounds the step rate (1000 steps/s).
const minStepDelay = time.Millisecond

type stepper struct {
	group  *group
	lines  [4]Line
	perRev int
	moves  chan move
}

type move struct {
	speed, steps int
}

// SetModeStepper implements gateway.StepperBoard: 4 pins, driven with the
// full-step sequence (Python's gateway also takes exactly 4).
func (b *Board) SetModeStepper(pins []int, stepsPerRevolution int) error {
	if len(pins) != 4 {
		return fmt.Errorf("%w: %d stepper pins (4)", ErrOutOfRange, len(pins))
	}
	if stepsPerRevolution <= 0 || stepsPerRevolution > MaxSteps {
		return fmt.Errorf("%w: %d steps per revolution (1-%d)", ErrOutOfRange, stepsPerRevolution, MaxSteps)
	}
	for i, n := range pins {
		if err := checkPin(n); err != nil {
			return err
		}
		if slices.Contains(pins[:i], n) {
			return fmt.Errorf("%w: BCM %d is given twice", ErrOutOfRange, n)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	b.log.Debug("set mode stepper", "pins", pins, "steps_per_revolution", stepsPerRevolution)
	if b.stepper != nil {
		b.release(b.stepper.group.pins[0])
	}
	for _, n := range pins {
		b.release(n)
	}
	s := &stepper{perRev: stepsPerRevolution, moves: make(chan move, MaxStepperQueue),
		group: &group{pins: slices.Clone(pins)}}
	for i, n := range pins {
		l, err := b.request(n, gpiocdev.Config{Output: true})
		if err != nil {
			for _, l := range s.lines[:i] {
				l.Close()
			}
			return err
		}
		s.lines[i] = l
	}
	s.group.job = start(s.run)
	for i, n := range pins {
		b.pins[n] = &pinState{mode: gateway.ModeStepper, line: s.lines[i], group: s.group}
	}
	b.stepper = s
	return nil
}

// StepperWrite implements gateway.StepperBoard: steps steps (negative:
// reverse) at speed revolutions per minute. The move runs in the
// background, after the moves before it; at most MaxStepperQueue wait
// (ErrBusy beyond).
func (b *Board) StepperWrite(speed, steps int) error {
	if speed <= 0 || speed > 10000 {
		return fmt.Errorf("%w: motor speed %d rpm (1-10000)", ErrOutOfRange, speed)
	}
	if steps < -MaxSteps || steps > MaxSteps {
		return fmt.Errorf("%w: %d steps (at most %d either way)", ErrOutOfRange, steps, MaxSteps)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stepper == nil {
		return ErrNoStepper
	}
	b.log.Debug("stepper write", "speed", speed, "steps", steps)
	select {
	case b.stepper.moves <- move{speed: speed, steps: steps}:
		return nil
	default:
		return fmt.Errorf("%w: %d moves are waiting", ErrBusy, MaxStepperQueue)
	}
}

// run carries out the moves until stopped.
func (s *stepper) run(stop <-chan struct{}) {
	sl := newSleeper(stop)
	phase := 0
	for {
		var m move
		select {
		case <-stop:
			return
		case m = <-s.moves:
		}
		delay := max(time.Minute/(time.Duration(s.perRev)*time.Duration(m.speed)), minStepDelay)
		dir := 1
		if m.steps < 0 {
			dir, m.steps = -1, -m.steps
		}
		for range m.steps {
			phase = (phase + dir + 4) % 4
			for i, l := range s.lines {
				l.SetValue(stepSequence[phase][i])
			}
			if !sl.sleep(delay) {
				return
			}
		}
	}
}
