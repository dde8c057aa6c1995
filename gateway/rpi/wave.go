package rpi

import (
	"errors"
	"fmt"
	"time"

	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/rpi/gpiocdev"
)

// Servo pulses, as Python's gateway: position×10+500 µs every 20 ms.
const (
	servoPeriod   = 20 * time.Millisecond
	servoMinPulse = 500 * time.Microsecond
	servoPerDeg   = 10 * time.Microsecond
)

// setModeWave makes pin n a PWM, servo or tone output: on its hardware
// PWM channel when it has one, else a GPIO line driven by software.
func (b *Board) setModeWave(n int, mode gateway.PinMode) error {
	b.release(n)
	hw, err := b.hw.OpenPWM(n)
	switch {
	case err == nil:
		b.pins[n] = &pinState{mode: mode, hw: hw}
		b.log.Debug("hardware pwm", "pin", n, "mode", mode)
		return nil
	case !errors.Is(err, ErrNoHardwarePWM):
		return fmt.Errorf("rpi: BCM %d: %w", n, err)
	}
	l, err := b.request(n, gpiocdev.Config{Output: true})
	if err != nil {
		return err
	}
	b.pins[n] = &pinState{mode: mode, line: l}
	return nil
}

// PWMWrite implements gateway.PWMWriter: duty 0-255, at
// HardwarePWMFrequency on a hardware PWM pin, SoftPWMFrequency elsewhere.
func (b *Board) PWMWrite(n, value int) error {
	if value < 0 || value > MaxPWM {
		return fmt.Errorf("%w: pwm value %d (0-%d)", ErrOutOfRange, value, MaxPWM)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	p, err := b.pin(n, gateway.ModePWM)
	if err != nil {
		return err
	}
	b.log.Debug("pwm write", "pin", n, "value", value)
	if p.hw != nil {
		period := time.Second / HardwarePWMFrequency
		return p.hw.Set(period, period*time.Duration(value)/MaxPWM)
	}
	period := time.Second / time.Duration(b.o.SoftPWMFrequency)
	return b.soft(p, period, period*time.Duration(value)/MaxPWM, 0, false, false)
}

// ServoPosition implements gateway.ServoWriter: 0-180 degrees, a pulse of
// position×10+500 µs every 20 ms, as Python's gateway.
func (b *Board) ServoPosition(n, degrees int) error {
	if degrees < 0 || degrees > MaxServo {
		return fmt.Errorf("%w: servo position %d (0-%d)", ErrOutOfRange, degrees, MaxServo)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	p, err := b.pin(n, gateway.ModeServo)
	if err != nil {
		return err
	}
	pulse := servoMinPulse + time.Duration(degrees)*servoPerDeg
	b.log.Debug("servo position", "pin", n, "degrees", degrees, "pulse", pulse)
	if p.hw != nil {
		return p.hw.Set(servoPeriod, pulse)
	}
	return b.soft(p, servoPeriod, pulse, 0, true, false)
}

// PlayTone implements gateway.TonePlayer: a square wave of freq Hz for d
// (d 0: until the next play_tone; freq 0: silence).
func (b *Board) PlayTone(n, freq int, d time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, err := b.pin(n, gateway.ModeTone)
	if err != nil {
		return err
	}
	limit := MaxSoftToneFreq
	if p.hw != nil {
		limit = MaxToneFreq
	}
	if freq < 0 || freq > limit || d < 0 {
		return fmt.Errorf("%w: tone of %d Hz for %v (0-%d Hz on this pin)", ErrOutOfRange, freq, d, limit)
	}
	b.log.Debug("play tone", "pin", n, "freq", freq, "duration", d)
	p.job.halt()
	p.job = nil
	if freq == 0 {
		if p.hw != nil {
			return p.hw.Set(0, 0)
		}
		return p.line.SetValue(0)
	}
	period := time.Second / time.Duration(freq)
	if p.hw == nil {
		return b.soft(p, period, period/2, d, true, true)
	}
	if err := p.hw.Set(period, period/2); err != nil {
		return err
	}
	if d > 0 {
		hw := p.hw
		p.job = start(func(stop <-chan struct{}) {
			if newSleeper(stop).sleep(d) {
				hw.Set(0, 0)
			}
		})
	}
	return nil
}

// preciseBelow: software PWM phases shorter than this are timed by
// spinning (sleeper.until), longer ones by the timer.
const preciseBelow = 2 * time.Millisecond

// soft drives p's line in software: high for duty in every period, for d
// (0: until halted). 0 and full duty are a steady level, without a
// goroutine. Rises are scheduled from the start (no drift); the high
// phase is timed precisely when preciseHigh or short, the low phase when
// preciseLow or short.
func (b *Board) soft(p *pinState, period, duty, d time.Duration, preciseHigh, preciseLow bool) error {
	p.job.halt()
	p.job = nil
	l := p.line
	switch {
	case duty <= 0:
		return l.SetValue(0)
	case duty >= period && d == 0:
		return l.SetValue(1)
	}
	preciseHigh = preciseHigh || duty < preciseBelow
	preciseLow = preciseLow || period-duty < preciseBelow
	p.job = start(func(stop <-chan struct{}) {
		s := newSleeper(stop)
		defer l.SetValue(0)
		next := time.Now()
		var end time.Time
		if d > 0 {
			end = next.Add(d)
		}
		for {
			// The pulse is timed from the rise itself: a late wake-up
			// delays it rather than shortening it.
			rise := time.Now()
			l.SetValue(1)
			if !s.until(rise.Add(duty), preciseHigh) {
				return
			}
			l.SetValue(0)
			next = next.Add(period)
			if now := time.Now(); now.After(next.Add(period)) {
				next = now // fell more than a period behind: start again
			}
			if !end.IsZero() && !next.Before(end) {
				return
			}
			if !s.until(next, preciseLow) {
				return
			}
		}
	})
	return nil
}
