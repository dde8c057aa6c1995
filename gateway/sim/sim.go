package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/gobanyan/banyan/gateway"
)

// Errors the board returns; the gateway reports them with code
// "board_error" (ErrUnsupported with code "unsupported").
var (
	// ErrNoPin is a pin number the board does not have.
	ErrNoPin = errors.New("sim: no such pin")
	// ErrWrongMode is an operation on a pin that is not in the mode it
	// needs (for example digital_write before set_mode_digital_output).
	ErrWrongMode = errors.New("sim: pin is not in the mode this needs")
	// ErrOutOfRange is a value outside what the operation accepts.
	ErrOutOfRange = errors.New("sim: value out of range")
	// ErrI2CDisabled is an i2c read or write before set_mode_i2c.
	ErrI2CDisabled = errors.New("sim: i2c is not enabled (send set_mode_i2c first)")
	// ErrNoDevice is an i2c address with no device.
	ErrNoDevice = errors.New("sim: no i2c device at this address")
	// ErrNoStepper is a stepper_write before set_mode_stepper.
	ErrNoStepper = errors.New("sim: no stepper attached (send set_mode_stepper first)")
)

// Value ranges, as on an Arduino Uno with Firmata.
const (
	MaxPWM    = 255
	MaxAnalog = 1023
	MaxServo  = 180
)

// DefaultMemoryAddr is where New puts a Memory when Options.I2C is nil.
const DefaultMemoryAddr = 0x50

// Options configure a Board.
type Options struct {
	// DigitalPins is the number of digital pins, numbered from 0
	// (default 20).
	DigitalPins int
	// AnalogPins is the number of analog pins, numbered from 0 apart from
	// the digital pins (default 6).
	AnalogPins int
	// I2C are the devices on the i2c bus by 7-bit address. nil means one
	// NewMemory at DefaultMemoryAddr; an empty map means none.
	I2C map[int]I2CDevice
	// Logger receives every operation at Debug level; nil means
	// slog.Default().
	Logger *slog.Logger
}

// PinState is one pin's state.
type PinState struct {
	Mode       gateway.PinMode
	Configured bool // a mode has been set
	// Value is the pin's value in its mode: the level of a digital input
	// or output, the duty cycle of a PWM pin, a servo's angle, an analog
	// input's or output's value.
	Value     int
	Reporting bool // an input whose changes are reported
}

// Tone is one play_tone.
type Tone struct {
	Pin      int
	Freq     int
	Duration time.Duration
}

// StepperState is the stepper motor's state.
type StepperState struct {
	Configured         bool
	Pins               []int
	StepsPerRevolution int
	Speed              int // of the last stepper_write
	Position           int // sum of the steps written (negative: reverse)
}

type pin struct {
	PinState
	level  int  // what drives an input from outside (digital: 0/1; analog: 0-1023)
	driven bool // level has been set (else a pull-up input reads 1)
}

// input reports whether the pin is a digital or analog input.
func (p *pin) input() bool {
	if !p.Configured {
		return false
	}
	switch p.Mode {
	case gateway.ModeDigitalInput, gateway.ModeDigitalInputPullup, gateway.ModeAnalogInput:
		return true
	}
	return false
}

// inputValue is what the input reads.
func (p *pin) inputValue() int {
	if !p.driven && p.Mode == gateway.ModeDigitalInputPullup {
		return 1
	}
	return p.level
}

const maxTones = 64

// Board is the simulated board. It implements gateway.Board and every
// optional interface. Safe for concurrent use.
type Board struct {
	log *slog.Logger

	mu      sync.Mutex
	digital []pin
	analog  []pin
	report  func(gateway.Report)
	i2cOn   bool
	i2c     map[int]I2CDevice
	sonar   map[int]*sonar // by trigger pin
	stepper StepperState
	tones   []Tone
}

type sonar struct {
	echo       int
	configured bool
	distance   float64
	set        bool
}

// New returns a board with every pin unconfigured.
func New(o Options) *Board {
	if o.DigitalPins <= 0 {
		o.DigitalPins = 20
	}
	if o.AnalogPins <= 0 {
		o.AnalogPins = 6
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	b := &Board{log: o.Logger, digital: make([]pin, o.DigitalPins), analog: make([]pin, o.AnalogPins),
		i2c: map[int]I2CDevice{}, sonar: map[int]*sonar{}}
	if o.I2C == nil {
		b.i2c[DefaultMemoryAddr] = NewMemory()
	} else {
		maps.Copy(b.i2c, o.I2C)
	}
	return b
}

func (b *Board) digitalPin(n int) (*pin, error) {
	if n < 0 || n >= len(b.digital) {
		return nil, fmt.Errorf("%w: digital pin %d (0-%d)", ErrNoPin, n, len(b.digital)-1)
	}
	return &b.digital[n], nil
}

func (b *Board) analogPin(n int) (*pin, error) {
	if n < 0 || n >= len(b.analog) {
		return nil, fmt.Errorf("%w: analog pin %d (0-%d)", ErrNoPin, n, len(b.analog)-1)
	}
	return &b.analog[n], nil
}

// emit sends a report; b.mu is held, so reports leave in the order of the
// state changes.
func (b *Board) emit(r gateway.Report) {
	if b.report != nil {
		b.report(r)
	}
}

func (b *Board) emitInput(n int, p *pin, analog bool) {
	if !p.input() || !p.Reporting {
		return
	}
	if analog {
		b.emit(gateway.AnalogInput{Pin: n, Value: p.inputValue()})
	} else {
		b.emit(gateway.DigitalInput{Pin: n, Value: p.inputValue()})
	}
}

// SetReportFunc implements gateway.ReportSource. report is called with
// the board's lock held: it must not call the board.
func (b *Board) SetReportFunc(report func(gateway.Report)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.report = report
}

// SetMode implements gateway.Board: digital input (with or without
// pull-up), digital output, PWM, servo and tone on digital pins; analog
// input and output on analog pins. An input reports its value at once.
func (b *Board) SetMode(n int, mode gateway.PinMode) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var (
		p      *pin
		err    error
		analog bool
	)
	switch mode {
	case gateway.ModeDigitalInput, gateway.ModeDigitalInputPullup, gateway.ModeDigitalOutput,
		gateway.ModePWM, gateway.ModeServo, gateway.ModeTone:
		p, err = b.digitalPin(n)
	case gateway.ModeAnalogInput, gateway.ModeAnalogOutput:
		p, err = b.analogPin(n)
		analog = true
	default:
		return fmt.Errorf("%w: SetMode %v (it has its own command)", gateway.ErrUnsupported, mode)
	}
	if err != nil {
		return err
	}
	b.log.Debug("set mode", "pin", n, "analog", analog, "mode", mode)
	p.Mode, p.Configured, p.Value = mode, true, 0
	p.Reporting = p.input()
	if p.input() {
		p.Value = p.inputValue()
	}
	b.emitInput(n, p, analog)
	return nil
}

func need(p *pin, n int, modes ...gateway.PinMode) error {
	if p.Configured && slices.Contains(modes, p.Mode) {
		return nil
	}
	have := "unconfigured"
	if p.Configured {
		have = p.Mode.String()
	}
	return fmt.Errorf("%w: pin %d is %s, needs %v", ErrWrongMode, n, have, modes[0])
}

// DigitalWrite implements gateway.DigitalWriter (value 0 or 1).
func (b *Board) DigitalWrite(n, value int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, err := b.digitalPin(n)
	if err != nil {
		return err
	}
	if err := need(p, n, gateway.ModeDigitalOutput); err != nil {
		return err
	}
	if value != 0 && value != 1 {
		return fmt.Errorf("%w: digital value %d (0 or 1)", ErrOutOfRange, value)
	}
	b.log.Debug("digital write", "pin", n, "value", value)
	p.Value = value
	return nil
}

// PWMWrite implements gateway.PWMWriter (duty 0-255).
func (b *Board) PWMWrite(n, value int) error {
	return b.write(n, value, MaxPWM, "pwm write", gateway.ModePWM)
}

// ServoPosition implements gateway.ServoWriter (0-180 degrees).
func (b *Board) ServoPosition(n, degrees int) error {
	return b.write(n, degrees, MaxServo, "servo position", gateway.ModeServo)
}

func (b *Board) write(n, value, limit int, what string, mode gateway.PinMode) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, err := b.digitalPin(n)
	if err != nil {
		return err
	}
	if err := need(p, n, mode); err != nil {
		return err
	}
	if value < 0 || value > limit {
		return fmt.Errorf("%w: %s %d (0-%d)", ErrOutOfRange, what, value, limit)
	}
	b.log.Debug(what, "pin", n, "value", value)
	p.Value = value
	return nil
}

// AnalogWrite implements gateway.AnalogWriter: analog pins are DAC outputs
// (0-1023). OneGPIO has no set_mode command for them, so the write makes
// the pin an analog output.
func (b *Board) AnalogWrite(n, value int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, err := b.analogPin(n)
	if err != nil {
		return err
	}
	if value < 0 || value > MaxAnalog {
		return fmt.Errorf("%w: analog value %d (0-%d)", ErrOutOfRange, value, MaxAnalog)
	}
	b.log.Debug("analog write", "pin", n, "value", value)
	p.Mode, p.Configured, p.Reporting, p.Value = gateway.ModeAnalogOutput, true, false, value
	return nil
}

// PlayTone implements gateway.TonePlayer. The board keeps the last 64
// tones (Tones).
func (b *Board) PlayTone(n, freq int, d time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, err := b.digitalPin(n)
	if err != nil {
		return err
	}
	if err := need(p, n, gateway.ModeTone); err != nil {
		return err
	}
	b.log.Debug("play tone", "pin", n, "freq", freq, "duration", d)
	p.Value = freq
	b.tones = append(b.tones, Tone{Pin: n, Freq: freq, Duration: d})
	if len(b.tones) > maxTones {
		b.tones = slices.Delete(b.tones, 0, len(b.tones)-maxTones)
	}
	return nil
}

// SetModeStepper implements gateway.StepperBoard: 2 or 4 digital pins.
func (b *Board) SetModeStepper(pins []int, stepsPerRevolution int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(pins) != 2 && len(pins) != 4 {
		return fmt.Errorf("%w: %d stepper pins (2 or 4)", ErrOutOfRange, len(pins))
	}
	for _, n := range pins {
		if _, err := b.digitalPin(n); err != nil {
			return err
		}
	}
	for _, n := range pins {
		b.digital[n].PinState = PinState{Mode: gateway.ModeStepper, Configured: true}
	}
	b.log.Debug("set mode stepper", "pins", pins, "steps_per_revolution", stepsPerRevolution)
	b.stepper = StepperState{Configured: true, Pins: slices.Clone(pins), StepsPerRevolution: stepsPerRevolution}
	return nil
}

// StepperWrite implements gateway.StepperBoard: it adds steps to the
// position.
func (b *Board) StepperWrite(speed, steps int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.stepper.Configured {
		return ErrNoStepper
	}
	b.log.Debug("stepper write", "speed", speed, "steps", steps)
	b.stepper.Speed = speed
	b.stepper.Position += steps
	return nil
}

// SetModeI2C implements gateway.I2CBoard.
func (b *Board) SetModeI2C() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.log.Debug("set mode i2c")
	b.i2cOn = true
	return nil
}

func (b *Board) device(addr int) (I2CDevice, error) {
	if !b.i2cOn {
		return nil, ErrI2CDisabled
	}
	d := b.i2c[addr]
	if d == nil {
		return nil, fmt.Errorf("%w: 0x%02x", ErrNoDevice, addr)
	}
	return d, nil
}

// I2CRead implements gateway.I2CBoard.
func (b *Board) I2CRead(addr, register, n int) ([]byte, error) {
	b.mu.Lock()
	d, err := b.device(addr)
	b.mu.Unlock()
	if err != nil {
		return nil, err
	}
	b.log.Debug("i2c read", "addr", addr, "register", register, "bytes", n)
	return d.ReadI2C(register, n)
}

// I2CWrite implements gateway.I2CBoard.
func (b *Board) I2CWrite(addr, register int, data []byte) error {
	b.mu.Lock()
	d, err := b.device(addr)
	b.mu.Unlock()
	if err != nil {
		return err
	}
	b.log.Debug("i2c write", "addr", addr, "register", register, "data", data)
	return d.WriteI2C(register, data)
}

// SetModeSonar implements gateway.SonarBoard. If a distance was set for
// the trigger pin it is reported at once.
func (b *Board) SetModeSonar(trigger, echo int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range []int{trigger, echo} {
		if _, err := b.digitalPin(n); err != nil {
			return err
		}
	}
	b.log.Debug("set mode sonar", "trigger_pin", trigger, "echo_pin", echo)
	b.digital[trigger].PinState = PinState{Mode: gateway.ModeSonar, Configured: true}
	b.digital[echo].PinState = PinState{Mode: gateway.ModeSonar, Configured: true}
	s := b.sonarAt(trigger)
	s.echo, s.configured = echo, true
	if s.set {
		b.emit(gateway.SonarData{Value: s.distance, TriggerPin: &trigger})
	}
	return nil
}

func (b *Board) sonarAt(trigger int) *sonar {
	s := b.sonar[trigger]
	if s == nil {
		s = &sonar{}
		b.sonar[trigger] = s
	}
	return s
}

// SetDigitalReporting implements gateway.ReportingControl. Turning it on
// reports the input's value at once. It does nothing to a pin that is not
// an input.
func (b *Board) SetDigitalReporting(n int, on bool) error {
	return b.setReporting(n, on, false)
}

// SetAnalogReporting implements gateway.ReportingControl.
func (b *Board) SetAnalogReporting(n int, on bool) error {
	return b.setReporting(n, on, true)
}

func (b *Board) setReporting(n int, on, analog bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	get := b.digitalPin
	if analog {
		get = b.analogPin
	}
	p, err := get(n)
	if err != nil {
		return err
	}
	b.log.Debug("reporting", "pin", n, "analog", analog, "on", on)
	if p.input() {
		p.Reporting = on
		b.emitInput(n, p, analog)
	}
	return nil
}

// SetDigitalInput drives a digital pin from outside (a button, a sensor)
// to value (0 or 1). If the pin is a reporting input and its value
// changes, it reports digital_input.
func (b *Board) SetDigitalInput(n, value int) error {
	if value != 0 && value != 1 {
		return fmt.Errorf("%w: digital value %d (0 or 1)", ErrOutOfRange, value)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	p, err := b.digitalPin(n)
	if err != nil {
		return err
	}
	b.drive(n, p, value, false)
	return nil
}

// SetAnalogInput drives an analog pin to value (0-1023). If the pin is a
// reporting analog input and its value changes, it reports analog_input.
func (b *Board) SetAnalogInput(n, value int) error {
	if value < 0 || value > MaxAnalog {
		return fmt.Errorf("%w: analog value %d (0-%d)", ErrOutOfRange, value, MaxAnalog)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	p, err := b.analogPin(n)
	if err != nil {
		return err
	}
	b.drive(n, p, value, true)
	return nil
}

func (b *Board) drive(n int, p *pin, value int, analog bool) {
	old := p.inputValue()
	p.level, p.driven = value, true
	if !p.input() {
		return
	}
	p.Value = p.inputValue()
	if p.Value != old {
		b.emitInput(n, p, analog)
	}
}

// SetSonarDistance sets what the sonar on triggerPin measures, in cm. If
// the sonar is attached it reports sonar_data (every call: each is a new
// measurement).
func (b *Board) SetSonarDistance(triggerPin int, cm float64) error {
	if cm < 0 {
		return fmt.Errorf("%w: distance %g cm", ErrOutOfRange, cm)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := b.digitalPin(triggerPin); err != nil {
		return err
	}
	s := b.sonarAt(triggerPin)
	s.distance, s.set = cm, true
	if s.configured {
		b.emit(gateway.SonarData{Value: cm, TriggerPin: &triggerPin})
	}
	return nil
}

// AddI2CDevice puts d on the i2c bus at addr (replacing any device there;
// nil removes it).
func (b *Board) AddI2CDevice(addr int, d I2CDevice) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if d == nil {
		delete(b.i2c, addr)
		return
	}
	b.i2c[addr] = d
}

// Digital returns digital pin n's state (the zero PinState for a pin the
// board does not have).
func (b *Board) Digital(n int) PinState {
	b.mu.Lock()
	defer b.mu.Unlock()
	if p, err := b.digitalPin(n); err == nil {
		return p.PinState
	}
	return PinState{}
}

// Analog returns analog pin n's state.
func (b *Board) Analog(n int) PinState {
	b.mu.Lock()
	defer b.mu.Unlock()
	if p, err := b.analogPin(n); err == nil {
		return p.PinState
	}
	return PinState{}
}

// Tones returns the tones played, oldest first (at most the last 64).
func (b *Board) Tones() []Tone {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.tones)
}

// Stepper returns the stepper's state.
func (b *Board) Stepper() StepperState {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.stepper
	s.Pins = slices.Clone(s.Pins)
	return s
}

// I2CEnabled reports whether set_mode_i2c has been received.
func (b *Board) I2CEnabled() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.i2cOn
}

// Animate moves the inputs every interval until ctx ends, for demos:
// each digital input toggles, each analog input climbs by 64 (wrapping
// at 1024), and each attached sonar measures a distance sweeping from
// 5 to 200 cm and back.
func (b *Board) Animate(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for step := 1; ; step++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b.animate(step)
	}
}

func (b *Board) animate(step int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for n := range b.digital {
		p := &b.digital[n]
		if p.input() {
			b.drive(n, p, 1-p.inputValue(), false)
		}
	}
	for n := range b.analog {
		p := &b.analog[n]
		if p.input() {
			b.drive(n, p, (p.inputValue()+64)%(MaxAnalog+1), true)
		}
	}
	const lo, hi = 5, 200
	d := step * 5 % (2 * (hi - lo))
	if d > hi-lo {
		d = 2*(hi-lo) - d
	}
	for _, trigger := range slices.Sorted(maps.Keys(b.sonar)) {
		s := b.sonar[trigger]
		if s.configured {
			s.distance, s.set = float64(lo+d), true
			b.emit(gateway.SonarData{Value: s.distance, TriggerPin: &trigger})
		}
	}
}

// Interface checks.
var (
	_ gateway.Board            = (*Board)(nil)
	_ gateway.ReportSource     = (*Board)(nil)
	_ gateway.ReportingControl = (*Board)(nil)
	_ gateway.DigitalWriter    = (*Board)(nil)
	_ gateway.AnalogWriter     = (*Board)(nil)
	_ gateway.PWMWriter        = (*Board)(nil)
	_ gateway.ServoWriter      = (*Board)(nil)
	_ gateway.TonePlayer       = (*Board)(nil)
	_ gateway.StepperBoard     = (*Board)(nil)
	_ gateway.I2CBoard         = (*Board)(nil)
	_ gateway.SonarBoard       = (*Board)(nil)
)
