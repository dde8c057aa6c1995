package rpi

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/rpi/gpiocdev"
)

// The pins: BCM numbers, as Python's RpiGateway accepts them.
const (
	MinPin = 2
	MaxPin = 27
)

// Defaults.
const (
	// DefaultDebounce is the digital inputs' glitch filter, as Python's
	// 20 ms pigpio glitch filter.
	DefaultDebounce = 20 * time.Millisecond
	// DefaultSonarInterval is how often a sonar measures (Python reads it
	// on every idle tick of its 0.1 s loop).
	DefaultSonarInterval = 100 * time.Millisecond
	// DefaultAnalogInterval is how often the PCF8591's reporting channels
	// are read.
	DefaultAnalogInterval = 100 * time.Millisecond
	// DefaultPCF8591Addr is the PCF8591's I²C address in Python's gateway.
	DefaultPCF8591Addr = 0x48
	// DefaultSoftPWMFrequency is the software PWM frequency, in Hz.
	DefaultSoftPWMFrequency = 100
	// HardwarePWMFrequency is the hardware PWM frequency, in Hz (pigpio's
	// default).
	HardwarePWMFrequency = 800
	// MaxPWM is the largest pwm_write value (full on), as pigpio's
	// default range.
	MaxPWM = 255
	// MaxServo is the largest servo angle.
	MaxServo = 180
	// MaxSoftToneFreq is the highest tone a pin without hardware PWM
	// plays; MaxToneFreq that of a hardware PWM pin.
	MaxSoftToneFreq = 5000
	MaxToneFreq     = 20000
	// MaxI2CRead is the most bytes one i2c_read reads, and one i2c_write
	// writes.
	MaxI2CRead = 256
	// MaxStepperQueue is how many stepper_write moves may wait.
	MaxStepperQueue = 16
	// MaxSteps bounds one stepper_write's number_of_steps (either sign).
	MaxSteps = 1_000_000
	// AnalogChannels is the PCF8591's number of inputs (analog pins 0-3).
	AnalogChannels = 4
)

// Options configure a Board.
type Options struct {
	// Hardware is what the board drives; nil opens the real one
	// (OpenHost with Host).
	Hardware Hardware
	// Host configures the real hardware when Hardware is nil.
	Host HostOptions
	// Debounce is the digital inputs' glitch filter; 0 is
	// DefaultDebounce, negative none.
	Debounce time.Duration
	// SonarInterval is how often each sonar is triggered; 0 is
	// DefaultSonarInterval.
	SonarInterval time.Duration
	// AnalogInterval is how often the analog inputs (the PCF8591's
	// channels) are read; 0 is DefaultAnalogInterval.
	AnalogInterval time.Duration
	// PCF8591Addr is the analog converter's I²C address; 0 is
	// DefaultPCF8591Addr.
	PCF8591Addr int
	// SoftPWMFrequency is the frequency of PWM on pins without hardware
	// PWM, in Hz; 0 is DefaultSoftPWMFrequency.
	SoftPWMFrequency int
	// Logger receives every operation at Debug level; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Board is a Raspberry Pi as a OneGPIO board: it implements gateway.Board
// and DigitalWriter, PWMWriter, ServoWriter, TonePlayer, StepperBoard,
// I2CBoard, SonarBoard, ReportSource and ReportingControl. Safe for
// concurrent use.
type Board struct {
	hw  Hardware
	o   Options
	log *slog.Logger

	report atomic.Pointer[func(gateway.Report)]

	mu      sync.Mutex
	closed  bool
	pins    map[int]*pinState
	stepper *stepper
	i2c     I2C
	analog  *analogPoller
}

// pinState is what a configured pin holds.
type pinState struct {
	mode  gateway.PinMode
	line  Line
	hw    PWM      // a hardware PWM channel (pwm, servo, tone)
	job   *task    // software PWM, servo pulses, a tone
	watch *watcher // edges of an input
	group *group   // a sonar's or stepper's pins
}

// group is several pins used together (a sonar, a stepper): reconfiguring
// any of them releases them all.
type group struct {
	pins []int
	job  *task
	stop func() // ends what the group runs, before its lines close
}

// New opens the hardware (Options.Hardware, or the real one) and returns
// the board with every pin unconfigured. Close releases it.
func New(o Options) (*Board, error) {
	if o.Debounce == 0 {
		o.Debounce = DefaultDebounce
	}
	if o.Debounce < 0 {
		o.Debounce = 0
	}
	if o.SonarInterval <= 0 {
		o.SonarInterval = DefaultSonarInterval
	}
	if o.AnalogInterval <= 0 {
		o.AnalogInterval = DefaultAnalogInterval
	}
	if o.PCF8591Addr == 0 {
		o.PCF8591Addr = DefaultPCF8591Addr
	}
	if o.SoftPWMFrequency <= 0 {
		o.SoftPWMFrequency = DefaultSoftPWMFrequency
	}
	if o.SoftPWMFrequency > 10000 {
		return nil, fmt.Errorf("%w: software PWM frequency %d Hz (at most 10000)", ErrOutOfRange, o.SoftPWMFrequency)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	hw := o.Hardware
	if hw == nil {
		h, err := OpenHost(o.Host)
		if err != nil {
			return nil, err
		}
		hw = h
	}
	return &Board{hw: hw, o: o, log: o.Logger, pins: map[int]*pinState{}}, nil
}

// Close releases every pin, the I²C bus and the hardware. It is safe to
// call more than once.
func (b *Board) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	analog := b.analog
	b.analog = nil
	b.mu.Unlock()
	analog.halt() // outside b.mu: the poller takes it

	b.mu.Lock()
	defer b.mu.Unlock()
	for n := range b.pins {
		b.release(n)
	}
	var errs []error
	if b.i2c != nil {
		errs = append(errs, b.i2c.Close())
		b.i2c = nil
	}
	errs = append(errs, b.hw.Close())
	return errors.Join(errs...)
}

// SetReportFunc implements gateway.ReportSource. report may be called
// from the board's goroutines (edges, sonars, the analog poller) and from
// within its methods; it must not call the board.
func (b *Board) SetReportFunc(report func(gateway.Report)) {
	if report == nil {
		b.report.Store(nil)
		return
	}
	b.report.Store(&report)
}

func (b *Board) emit(r gateway.Report) {
	if f := b.report.Load(); f != nil {
		(*f)(r)
	}
}

func checkPin(n int) error {
	if n < MinPin || n > MaxPin {
		return fmt.Errorf("%w: BCM %d (the gateway drives BCM %d-%d)", ErrNoPin, n, MinPin, MaxPin)
	}
	return nil
}

// release frees pin n and whatever group it belongs to; b.mu is held.
func (b *Board) release(n int) {
	p := b.pins[n]
	if p == nil {
		return
	}
	if g := p.group; g != nil {
		if g.stop != nil {
			g.stop()
		}
		g.job.halt()
		for _, m := range g.pins {
			if q := b.pins[m]; q != nil {
				q.group = nil
				b.freePin(m, q)
			}
		}
		if b.stepper != nil && b.stepper.group == g {
			b.stepper = nil
		}
		return
	}
	b.freePin(n, p)
}

func (b *Board) freePin(n int, p *pinState) {
	p.job.halt()
	if p.hw != nil {
		p.hw.Set(0, 0)
		p.hw.Close()
	}
	if p.watch != nil {
		p.watch.halt()
	} else if p.line != nil {
		p.line.Close()
	}
	delete(b.pins, n)
}

// request requests pin n's line, after releasing what the pin had.
func (b *Board) request(n int, c gpiocdev.Config) (Line, error) {
	b.release(n)
	c.Consumer = "banyan-rpi"
	l, err := b.hw.RequestLine(n, c)
	if err != nil {
		return nil, fmt.Errorf("rpi: BCM %d: %w", n, err)
	}
	return l, nil
}

// SetMode implements gateway.Board: digital input (pull-down, or pull-up
// with ModeDigitalInputPullup), digital output, PWM, servo and tone on
// BCM 2-27; analog input on the PCF8591's channels 0-3. An input reports
// its value at once.
func (b *Board) SetMode(n int, mode gateway.PinMode) error {
	if mode == gateway.ModeAnalogInput {
		return b.setAnalogInput(n)
	}
	if err := checkPin(n); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	b.log.Debug("set mode", "pin", n, "mode", mode)
	switch mode {
	case gateway.ModeDigitalInput, gateway.ModeDigitalInputPullup:
		bias := gpiocdev.BiasPullDown
		if mode == gateway.ModeDigitalInputPullup {
			bias = gpiocdev.BiasPullUp
		}
		l, err := b.request(n, gpiocdev.Config{Bias: bias, Edges: gpiocdev.EdgeBoth, Debounce: b.o.Debounce})
		if err != nil {
			return err
		}
		v, err := l.Value()
		if err != nil {
			l.Close()
			return fmt.Errorf("rpi: BCM %d: %w", n, err)
		}
		w := b.watchDigital(n, l, v)
		b.pins[n] = &pinState{mode: mode, line: l, watch: w}
		b.emit(gateway.DigitalInput{Pin: n, Value: v})
		return nil
	case gateway.ModeDigitalOutput:
		l, err := b.request(n, gpiocdev.Config{Output: true})
		if err != nil {
			return err
		}
		b.pins[n] = &pinState{mode: mode, line: l}
		return nil
	case gateway.ModePWM, gateway.ModeServo, gateway.ModeTone:
		return b.setModeWave(n, mode)
	}
	return fmt.Errorf("%w: SetMode %v (it has its own command)", gateway.ErrUnsupported, mode)
}

func (b *Board) pin(n int, modes ...gateway.PinMode) (*pinState, error) {
	if err := checkPin(n); err != nil {
		return nil, err
	}
	if b.closed {
		return nil, ErrClosed
	}
	p := b.pins[n]
	for _, m := range modes {
		if p != nil && p.mode == m {
			return p, nil
		}
	}
	have := "unconfigured"
	if p != nil {
		have = p.mode.String()
	}
	return nil, fmt.Errorf("%w: BCM %d is %s, needs %v", ErrWrongMode, n, have, modes[0])
}

// DigitalWrite implements gateway.DigitalWriter (value 0 or 1).
func (b *Board) DigitalWrite(n, value int) error {
	if value != 0 && value != 1 {
		return fmt.Errorf("%w: digital value %d (0 or 1)", ErrOutOfRange, value)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	p, err := b.pin(n, gateway.ModeDigitalOutput)
	if err != nil {
		return err
	}
	b.log.Debug("digital write", "pin", n, "value", value)
	return p.line.SetValue(value)
}

// SetDigitalReporting implements gateway.ReportingControl: a digital
// input's edges are reported or not; turning it on reports the value at
// once. It does nothing to a pin that is not a digital input.
func (b *Board) SetDigitalReporting(n int, on bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, err := b.pin(n, gateway.ModeDigitalInput, gateway.ModeDigitalInputPullup)
	if err != nil {
		if errors.Is(err, ErrWrongMode) {
			return nil
		}
		return err
	}
	b.log.Debug("digital reporting", "pin", n, "on", on)
	if !on {
		p.watch.reporting.Store(false)
		return nil
	}
	v, err := p.line.Value()
	if err != nil {
		return fmt.Errorf("rpi: BCM %d: %w", n, err)
	}
	p.watch.enable(v, func() { b.emit(gateway.DigitalInput{Pin: n, Value: v}) })
	return nil
}

// SetAnalogReporting implements gateway.ReportingControl: the channel is
// read (and its changes reported) or not.
func (b *Board) SetAnalogReporting(n int, on bool) error {
	if n < 0 || n >= AnalogChannels {
		return fmt.Errorf("%w: analog channel %d (0-%d)", ErrNoPin, n, AnalogChannels-1)
	}
	b.mu.Lock()
	a := b.analog
	b.mu.Unlock()
	if a == nil {
		return nil
	}
	b.log.Debug("analog reporting", "pin", n, "on", on)
	a.setReporting(n, on)
	return nil
}

// watcher reads a line's edges on its own goroutine.
type watcher struct {
	line      Line
	done      chan struct{}
	reporting atomic.Bool
	mu        sync.Mutex
	last      int
}

// halt closes the line, which ends the goroutine, and waits for it.
func (w *watcher) halt() {
	w.line.Close()
	<-w.done
}

// watch starts reading l's edges, calling f for each; last is the
// line's level now.
func watch(l Line, last int, f func(*watcher, gpiocdev.Event)) *watcher {
	w := &watcher{line: l, done: make(chan struct{}), last: last}
	w.reporting.Store(true)
	go func() {
		defer close(w.done)
		for {
			ev, err := l.ReadEvent()
			if err != nil {
				return
			}
			f(w, ev)
		}
	}()
	return w
}

// watchDigital reports a digital input's changes: each edge gives the
// level it ends in, and a level already reported is not reported again.
func (b *Board) watchDigital(n int, l Line, v int) *watcher {
	return watch(l, v, func(w *watcher, ev gpiocdev.Event) {
		v := 0
		if ev.Rising {
			v = 1
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		if v == w.last {
			return
		}
		w.last = v
		if w.reporting.Load() {
			b.emit(gateway.DigitalInput{Pin: n, Value: v})
		}
	})
}

// enable turns reporting on at level v and runs report, in order with
// the edges' reports.
func (w *watcher) enable(v int, report func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reporting.Store(true)
	w.last = v
	report()
}

// Interface checks.
var (
	_ gateway.Board            = (*Board)(nil)
	_ gateway.ReportSource     = (*Board)(nil)
	_ gateway.ReportingControl = (*Board)(nil)
	_ gateway.DigitalWriter    = (*Board)(nil)
	_ gateway.PWMWriter        = (*Board)(nil)
	_ gateway.ServoWriter      = (*Board)(nil)
	_ gateway.TonePlayer       = (*Board)(nil)
	_ gateway.StepperBoard     = (*Board)(nil)
	_ gateway.I2CBoard         = (*Board)(nil)
	_ gateway.SonarBoard       = (*Board)(nil)
)

// Hardware returns what the board drives (a *Host for the real one).
func (b *Board) Hardware() Hardware { return b.hw }
