package rpitest

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gobanyan/banyan/gateway/rpi"
)

// PWM is a fake hardware PWM channel.
type PWM struct {
	mu     sync.Mutex
	open   bool
	period time.Duration
	duty   time.Duration
	sets   []Setting
}

// Setting is one Set of a PWM channel.
type Setting struct {
	Period, Duty time.Duration
}

// AddPWM gives pin a hardware PWM channel and returns it.
func (h *Hardware) AddPWM(pin int) *PWM {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := &PWM{}
	h.pwm[pin] = p
	return p
}

// OpenPWM implements rpi.Hardware.
func (h *Hardware) OpenPWM(pin int) (rpi.PWM, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.pwm[pin]
	if p == nil {
		return nil, fmt.Errorf("%w: BCM %d", rpi.ErrNoHardwarePWM, pin)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open {
		return nil, fmt.Errorf("%w: PWM of BCM %d", ErrBusy, pin)
	}
	p.open = true
	return pwmHandle{p}, nil
}

type pwmHandle struct{ p *PWM }

func (h pwmHandle) Set(period, duty time.Duration) error {
	p := h.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.open {
		return fmt.Errorf("rpitest: PWM closed")
	}
	if period < 0 || duty < 0 || duty > period {
		return fmt.Errorf("rpitest: period %v duty %v", period, duty)
	}
	p.period, p.duty = period, duty
	p.sets = append(p.sets, Setting{period, duty})
	return nil
}

func (h pwmHandle) Close() error {
	h.p.mu.Lock()
	defer h.p.mu.Unlock()
	h.p.open = false
	return nil
}

// State returns the channel's setting now and whether it is open.
func (p *PWM) State() (s Setting, open bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Setting{p.period, p.duty}, p.open
}

// Settings returns every Set so far.
func (p *PWM) Settings() []Setting {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.sets)
}
