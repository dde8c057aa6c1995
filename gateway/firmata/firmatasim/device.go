package firmatasim

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Options configure a Device. The zero value is an Uno running
// StandardFirmata 2.5.
type Options struct {
	// Firmware is the name in REPORT_FIRMWARE; "" means
	// "StandardFirmata.ino". A name containing "FirmataExpress" enables
	// FirmataExpress's sysex (ARE_YOU_THERE/I_AM_HERE, sonar, stepper,
	// tone, keep-alive) and makes the board silent at start-up: it only
	// answers queries, as FirmataExpress does.
	Firmware string
	// Major and Minor are the protocol version in REPORT_VERSION; both 0
	// means 2.5.
	Major, Minor byte
	// FirmwareMajor and FirmwareMinor are the version in REPORT_FIRMWARE;
	// both 0 means 2.5.
	FirmwareMajor, FirmwareMinor byte
	// InstanceID is FirmataExpress's arduino_instance_id, sent in I_AM_HERE;
	// 0 means 1.
	InstanceID int
	// BootDelay is the bootloader's window after each reset: bytes received
	// are discarded and nothing is sent. 0 means 100 ms; negative means
	// none.
	BootDelay time.Duration
	// Silent makes a board without Firmata: it never sends a byte and
	// ignores what it receives.
	Silent bool
	// Logger receives what the firmware does at Debug level; nil discards.
	Logger *slog.Logger
	// OnMessage, if set, is called with each complete host-to-board message
	// the firmware parsed (the command byte and its data; a sysex from
	// START_SYSEX to END_SYSEX) and the time its last byte arrived. msg is
	// the callee's to keep. It is called from the goroutine serving the
	// link, so it must not block.
	OnMessage func(at time.Time, msg []byte)
}

// Tone is one FirmataExpress TONE_DATA the host sent. A TONE_NO_TONE has
// Freq and Duration 0; a tone that plays until stopped has Duration 0.
type Tone struct {
	Pin      int
	Freq     int // Hz
	Duration time.Duration
}

// StepperState is FirmataExpress's stepper motor: its STEPPER_CONFIGURE and
// the STEPPER_STEP commands it has received since the last reset.
type StepperState struct {
	Configured         bool
	StepsPerRevolution int
	Pins               []int // 2 or 4 control pins
	Position           int   // net steps moved, forward positive
	Moves              int   // STEPPER_STEP commands obeyed
	Speed              int   // the last STEPPER_STEP's speed
}

// ServoRange is a SERVO_CONFIG's pulse range in microseconds.
type ServoRange struct{ Min, Max int }

// Device is a simulated Arduino Uno running Firmata. It serves the device
// side of the protocol on one link at a time (Serve, ServePTY, ServeTCP);
// tests stimulate its inputs and inspect what the host did to it. All its
// methods are safe to call from any goroutine.
type Device struct {
	o       Options
	express bool
	log     *slog.Logger

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change
	b       board         // firmware state, reset at each boot
	in      inputs        // the outside world: survives resets
	resets  int
	sysRst  int
	kaTotal int // KEEP_ALIVE messages received
	dropped int
	cur     *session          // the newest live session (Inject)
	live    map[*session]bool // sessions being served
	tones   []Tone            // survives resets (a log)
	i2c     [256]byte         // the register device at I2CAddr
	i2cPtr  int               // its register pointer
}

// board is the firmware's state.
type board struct {
	mode       [NumPins]int // set by SET_PIN_MODE; -1 before any
	level      [NumPins]int // digital output level written
	value      [NumPins]int // analog value written (PWM, servo)
	state      [NumPins]int // the pin state of PIN_STATE_RESPONSE
	reportPort [16]bool
	reportAna  [16]bool
	interval   time.Duration
	i2cOn      bool
	i2cDelay   int
	queries    []i2cQuery
	servo      map[int]ServoRange
	sonars     []sonar
	nextSonar  int
	stepper    StepperState
	keepAlive  time.Duration // FirmataExpress watchdog period; 0 off
}

type inputs struct {
	driven  [NumPins]bool
	level   [NumPins]int
	analog  [NumAnalog]int
	sonarCM map[int]int
}

type i2cQuery struct{ addr, reg, n int }

type sonar struct{ trigger, echo int }

// New returns a Device; it runs nothing until served.
func New(o Options) *Device {
	if o.Firmware == "" {
		o.Firmware = "StandardFirmata.ino"
	}
	if o.Major == 0 && o.Minor == 0 {
		o.Major, o.Minor = 2, 5
	}
	if o.FirmwareMajor == 0 && o.FirmwareMinor == 0 {
		o.FirmwareMajor, o.FirmwareMinor = 2, 5
	}
	if o.InstanceID == 0 {
		o.InstanceID = 1
	}
	if o.BootDelay == 0 {
		o.BootDelay = 100 * time.Millisecond
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	d := &Device{
		o:       o,
		express: strings.Contains(o.Firmware, "FirmataExpress"),
		log:     log,
		changed: make(chan struct{}),
		live:    map[*session]bool{},
	}
	d.in.sonarCM = map[int]int{}
	for r := range d.i2c {
		d.i2c[r] = byte(r)
	}
	d.b = freshBoard(DefaultSamplingInterval)
	return d
}

func freshBoard(interval time.Duration) board {
	b := board{interval: interval, servo: map[int]ServoRange{}}
	for i := range b.mode {
		b.mode[i] = -1
	}
	return b
}

// notifyLocked wakes every Wait; d.mu is held.
func (d *Device) notifyLocked() {
	close(d.changed)
	d.changed = make(chan struct{})
}

func (d *Device) notify() {
	d.mu.Lock()
	d.notifyLocked()
	d.mu.Unlock()
}

// boot is a power-on or DTR reset: the firmware starts again.
func (d *Device) boot() {
	d.mu.Lock()
	d.resets++
	d.b = freshBoard(DefaultSamplingInterval)
	d.notifyLocked()
	d.mu.Unlock()
}

// effMode is the firmware's mode of pin: the host's, or the mode
// StandardFirmata gives a pin at reset (analog pins ANALOG, the other
// digital pins OUTPUT, the serial pins IGNORE). d.mu is held.
func (d *Device) effMode(pin int) int {
	if m := d.b.mode[pin]; m >= 0 {
		return m
	}
	switch {
	case isAnalog(pin):
		return ModeAnalog
	case isDigital(pin):
		return ModeOutput
	}
	return ModeIgnore
}

// readPin is what digitalRead gives on pin. d.mu is held.
func (d *Device) readPin(pin int) int {
	if d.in.driven[pin] {
		return d.in.level[pin]
	}
	m := d.effMode(pin)
	if m == ModePullup || (m == ModeInput && d.b.state[pin] == 1) {
		return 1
	}
	return 0
}

// portValue is a DIGITAL_MESSAGE's value for port: the level of each of its
// pins that is an input, 0 for the others. d.mu is held.
func (d *Device) portValue(port int) int {
	v := 0
	for bit := range 8 {
		pin := port*8 + bit
		if pin >= NumPins || !isDigital(pin) {
			continue
		}
		if m := d.effMode(pin); m == ModeInput || m == ModePullup {
			v |= d.readPin(pin) << bit
		}
	}
	return v
}

// Mode is the pin mode the host set on pin (0 INPUT, 1 OUTPUT, 2 ANALOG,
// 3 PWM, 4 SERVO, 6 I2C, 8 STEPPER, 11 PULLUP, 12 SONAR, 13 TONE), -1 before
// any SET_PIN_MODE since the last reset (or for a pin the board lacks). A
// mode the pin does not support is ignored, as by the firmware; SERVO_CONFIG
// sets SERVO, I2C_CONFIG sets I2C on 18 and 19.
func (d *Device) Mode(pin int) int {
	if pin < 0 || pin >= NumPins {
		return -1
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.b.mode[pin]
}

// Digital is the output level (0 or 1) the host wrote to pin with
// DIGITAL_MESSAGE or SET_DIGITAL_PIN_VALUE while it was an output.
func (d *Device) Digital(pin int) int {
	if pin < 0 || pin >= NumPins {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.b.level[pin]
}

// Analog is the last ANALOG_MESSAGE or EXTENDED_ANALOG value the host wrote
// to pin while it was a PWM or servo pin (a duty cycle or an angle).
func (d *Device) Analog(pin int) int {
	if pin < 0 || pin >= NumPins {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.b.value[pin]
}

// Servo is pin's SERVO_CONFIG pulse range, if the host sent one since the
// last reset.
func (d *Device) Servo(pin int) (ServoRange, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r, ok := d.b.servo[pin]
	return r, ok
}

// SetDigitalInput drives pin to v (0 or 1) from outside. If the pin is an
// input and its port's reporting is on, the change is reported.
func (d *Device) SetDigitalInput(pin, v int) {
	if pin < 0 || pin >= NumPins {
		return
	}
	d.mu.Lock()
	d.in.driven[pin] = true
	d.in.level[pin] = min(max(v, 0), 1)
	d.pokeLocked()
	d.notifyLocked()
	d.mu.Unlock()
}

// SetAnalogInput sets analog channel (A0 is 0) to v (0-1023). It is
// reported at the sampling interval if the channel's reporting is on.
func (d *Device) SetAnalogInput(channel, v int) {
	if channel < 0 || channel >= NumAnalog {
		return
	}
	d.mu.Lock()
	d.in.analog[channel] = min(max(v, 0), 1023)
	d.notifyLocked()
	d.mu.Unlock()
}

// SetSonarDistance sets what the FirmataExpress sonar triggered on
// triggerPin measures, in centimetres.
func (d *Device) SetSonarDistance(triggerPin, cm int) {
	d.mu.Lock()
	d.in.sonarCM[triggerPin] = min(max(cm, 0), 0x3FFF)
	d.notifyLocked()
	d.mu.Unlock()
}

// SamplingInterval is the interval of analog and continuous I2C reports.
func (d *Device) SamplingInterval() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.b.interval
}

// AnalogReporting reports whether analog channel's reporting is on.
func (d *Device) AnalogReporting(channel int) bool {
	if channel < 0 || channel >= 16 {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.b.reportAna[channel]
}

// DigitalReporting reports whether digital port's reporting is on (port 0
// is pins 0-7).
func (d *Device) DigitalReporting(port int) bool {
	if port < 0 || port >= 16 {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.b.reportPort[port]
}

// I2CRegister is register reg of the simulated I2C device; ok is false for
// any other address than I2CAddr or a register past 255.
func (d *Device) I2CRegister(addr, reg int) (v byte, ok bool) {
	if addr != I2CAddr || reg < 0 || reg >= len(d.i2c) {
		return 0, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.i2c[reg], true
}

// I2CEnabled reports whether the host sent I2C_CONFIG since the last reset.
func (d *Device) I2CEnabled() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.b.i2cOn
}

// Tones are the FirmataExpress tones played, oldest first (at most
// MaxTones; they survive resets).
func (d *Device) Tones() []Tone {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Tone(nil), d.tones...)
}

// Stepper is FirmataExpress's stepper motor state.
func (d *Device) Stepper() StepperState {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.b.stepper
	s.Pins = append([]int(nil), s.Pins...)
	return s
}

// KeepAlives is how many FirmataExpress KEEP_ALIVE messages arrived.
func (d *Device) KeepAlives() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.kaTotal
}

// Resets is how many times the board has started: each Serve, each open of
// a ServePTY link, the start of ServeTCP, a FirmataExpress keep-alive
// timeout. SYSTEM_RESET is counted apart (SystemResets).
func (d *Device) Resets() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.resets
}

// SystemResets is how many SYSTEM_RESET messages the firmware obeyed.
func (d *Device) SystemResets() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sysRst
}

// Dropped is how many incomplete, oversized or stray messages the firmware
// skipped (a command byte cutting a message short, a data byte with no
// command, a sysex over MaxSysex bytes), plus the bytes lost in the boot
// window.
func (d *Device) Dropped() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dropped
}

// Inject sends b to the host, as is, on the newest link being served (if
// none, b is lost): garbage, a truncated sysex, a report of the test's own.
func (d *Device) Inject(b []byte) {
	d.mu.Lock()
	s := d.cur
	d.mu.Unlock()
	if s == nil || d.o.Silent {
		d.log.Debug("firmatasim: inject with no link", "bytes", len(b))
		return
	}
	s.write(b)
	d.notify()
}

// Wait returns nil when cond() is true. cond is checked at once and again
// after every state change (a message parsed, a reset, a report sent, an
// input set); Wait returns ctx's error if ctx ends first. cond may call the
// Device's methods.
func (d *Device) Wait(ctx context.Context, cond func() bool) error {
	for {
		d.mu.Lock()
		ch := d.changed
		d.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// pokeLocked tells every session that an input changed. d.mu is held.
func (d *Device) pokeLocked() {
	for s := range d.live {
		select {
		case s.poke <- struct{}{}:
		default:
		}
	}
}
