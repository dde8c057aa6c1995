package firmata

import (
	"fmt"
	"strings"
	"time"

	"github.com/gobanyan/banyan/gateway"
)

// Servo pulse widths sent in SERVO_CONFIG, in microseconds (the Arduino
// Servo library's defaults, as pymata-express sends them).
const (
	servoMinPulse = 544
	servoMaxPulse = 2400
)

// Limits of what one command may ask of the board.
const (
	maxI2CBytes   = 1000 // bytes in one i2c read or write
	maxServoAngle = 180
)

func servoConfig(b []byte, pin int) []byte {
	return sysex(b, sysexServoConfig, byte(pin), lsb(servoMinPulse), msb(servoMinPulse), lsb(servoMaxPulse), msb(servoMaxPulse))
}

// unsupported says that pin cannot take Firmata mode m, and which pins can.
func (b *Board) unsupported(pin int, what string, m byte) error {
	if pin < 0 || pin >= len(b.info.caps) {
		return fmt.Errorf("%w: pin %d: the board (%s) has pins 0-%d", gateway.ErrUnsupported, pin, b.info.firmware, len(b.info.caps)-1)
	}
	return fmt.Errorf("%w: pin %d cannot be %s (Firmata mode %s); pins that can: %s", gateway.ErrUnsupported, pin, what, modeName(m), b.info.caps.pinsWith(m))
}

// needExpress refuses what only FirmataExpress does.
func (b *Board) needExpress(what string) error {
	if b.info.express() {
		return nil
	}
	return fmt.Errorf("%w: %s needs FirmataExpress; the board runs %q", gateway.ErrUnsupported, what, b.info.firmware)
}

func (b *Board) setPinMode(pin int, m byte) []byte {
	old, had := b.st.modes[pin]
	b.st.modes[pin] = m
	out := []byte{cmdSetPinMode, byte(pin), m}
	if had && isInput(old) && !isInput(m) {
		delete(b.st.digital, pin)
		if port := pin / 8; !b.st.portReporting(port) {
			out = append(out, cmdReportDigital|byte(port), 0)
		}
	}
	if had && old == modeAnalog && m != modeAnalog {
		if ch := b.info.caps[pin].Analog; ch >= 0 {
			delete(b.st.analog, ch)
		}
	}
	if m != modePWM && m != modeServo {
		delete(b.st.values, pin)
	}
	return out
}

// SetMode implements gateway.Board: INPUT or PULLUP with the port's
// reporting, OUTPUT, ANALOG (pin is the analog channel) with its
// reporting, PWM, SERVO (after SERVO_CONFIG) and, with FirmataExpress,
// TONE.
func (b *Board) SetMode(pin int, mode gateway.PinMode) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.l == nil {
		return b.send(nil)
	}
	caps := b.info.caps
	var out []byte
	switch mode {
	case gateway.ModeDigitalInput, gateway.ModeDigitalInputPullup:
		m := byte(modeInput)
		if mode == gateway.ModeDigitalInputPullup {
			m = modePullup
		}
		if !caps.can(pin, m) {
			return b.unsupported(pin, mode.String(), m)
		}
		out = b.setPinMode(pin, m)
		b.st.digital[pin] = true
		delete(b.st.last, pin)
		out = append(out, cmdReportDigital|byte(pin/8), 1)
	case gateway.ModeDigitalOutput:
		if !caps.can(pin, modeOutput) {
			return b.unsupported(pin, mode.String(), modeOutput)
		}
		out = b.setPinMode(pin, modeOutput)
	case gateway.ModeAnalogInput:
		p, ok := caps.analogPin(pin)
		if !ok || pin > 15 {
			return fmt.Errorf("%w: analog pin %d: the board's analog pins are %s", gateway.ErrUnsupported, pin, ranges(caps.channels()))
		}
		out = b.setPinMode(p, modeAnalog)
		b.st.analog[pin] = true
		delete(b.st.lastA, pin)
		out = append(out, cmdReportAnalog|byte(pin), 1)
	case gateway.ModePWM:
		if !caps.can(pin, modePWM) {
			return b.unsupported(pin, mode.String(), modePWM)
		}
		out = b.setPinMode(pin, modePWM)
	case gateway.ModeServo:
		if !caps.can(pin, modeServo) {
			return b.unsupported(pin, mode.String(), modeServo)
		}
		out = servoConfig(nil, pin)
		out = append(out, b.setPinMode(pin, modeServo)...)
	case gateway.ModeTone:
		if err := b.needExpress("set_mode_tone"); err != nil {
			return err
		}
		if !caps.can(pin, modeOutput) {
			return b.unsupported(pin, mode.String(), modeOutput)
		}
		out = b.setPinMode(pin, modeTone)
	default:
		return fmt.Errorf("%w: mode %s", gateway.ErrUnsupported, mode)
	}
	return b.send(out)
}

// wantMode checks that pin was set to Firmata mode m by a set_mode_*
// command (command names it for the message).
func (b *Board) wantMode(pin int, m byte, command string) error {
	if got, ok := b.st.modes[pin]; !ok || got != m {
		return fmt.Errorf("%w: pin %d is not in %s mode (send %s first)", ErrWrongMode, pin, modeName(m), command)
	}
	return nil
}

// DigitalWrite implements gateway.DigitalWriter (DIGITAL_MESSAGE for the
// pin's port); any value but 0 is high.
func (b *Board) DigitalWrite(pin, value int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.l == nil {
		return b.send(nil)
	}
	if !b.info.caps.can(pin, modeOutput) {
		return b.unsupported(pin, "a digital output", modeOutput)
	}
	if err := b.wantMode(pin, modeOutput, "set_mode_digital_output"); err != nil {
		return err
	}
	port, bit := pin/8, byte(1)<<(pin%8)
	if port >= len(b.st.ports) {
		return b.unsupported(pin, "a digital output", modeOutput)
	}
	if value != 0 {
		b.st.ports[port] |= bit
	} else {
		b.st.ports[port] &^= bit
	}
	v := b.st.ports[port]
	return b.send([]byte{cmdDigitalMessage | byte(port), v & 0x7F, v >> 7})
}

// PWMWrite implements gateway.PWMWriter: value is 0 to the pin's PWM
// maximum (255 on an Uno).
func (b *Board) PWMWrite(pin, value int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.l == nil {
		return b.send(nil)
	}
	if !b.info.caps.can(pin, modePWM) {
		return b.unsupported(pin, "a PWM output", modePWM)
	}
	if err := b.wantMode(pin, modePWM, "set_mode_pwm"); err != nil {
		return err
	}
	res := min(b.info.caps.resolution(pin, modePWM), 28)
	if res == 0 {
		res = 8
	}
	if top := 1<<res - 1; value < 0 || value > top {
		return fmt.Errorf("%w: pwm value %d on pin %d: want 0-%d", ErrOutOfRange, value, pin, top)
	}
	b.st.values[pin] = value
	return b.send(analogWrite(nil, pin, value))
}

// ServoPosition implements gateway.ServoWriter: 0-180 degrees.
func (b *Board) ServoPosition(pin, degrees int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.l == nil {
		return b.send(nil)
	}
	if !b.info.caps.can(pin, modeServo) {
		return b.unsupported(pin, "a servo", modeServo)
	}
	if err := b.wantMode(pin, modeServo, "set_mode_servo"); err != nil {
		return err
	}
	if degrees < 0 || degrees > maxServoAngle {
		return fmt.Errorf("%w: servo position %d on pin %d: want 0-%d", ErrOutOfRange, degrees, pin, maxServoAngle)
	}
	b.st.values[pin] = degrees
	return b.send(analogWrite(nil, pin, degrees))
}

// PlayTone implements gateway.TonePlayer (FirmataExpress's TONE_DATA).
func (b *Board) PlayTone(pin, freq int, d time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.l == nil {
		return b.send(nil)
	}
	if err := b.needExpress("play_tone"); err != nil {
		return err
	}
	if err := b.wantMode(pin, modeTone, "set_mode_tone"); err != nil {
		return err
	}
	ms := int(d / time.Millisecond)
	if freq < 0 || freq >= 1<<14 || ms < 0 || ms >= 1<<14 {
		return fmt.Errorf("%w: tone %d Hz for %d ms: want 0-16383 each", ErrOutOfRange, freq, ms)
	}
	return b.send(sysex(nil, sysexToneData, 0, byte(pin), lsb(freq), msb(freq), lsb(ms), msb(ms)))
}

// sonarTimeout is the echo timeout sent in SONAR_CONFIG, in microseconds
// (pymata-express's default).
const sonarTimeout = 80000

// SetModeSonar implements gateway.SonarBoard (FirmataExpress's
// SONAR_CONFIG). Distances come as sonar_data reports when they change.
func (b *Board) SetModeSonar(triggerPin, echoPin int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.l == nil {
		return b.send(nil)
	}
	if err := b.needExpress("set_mode_sonar"); err != nil {
		return err
	}
	for _, p := range []int{triggerPin, echoPin} {
		if !b.info.caps.can(p, modeOutput) {
			return b.unsupported(p, "a sonar pin", modeOutput)
		}
	}
	if _, ok := b.st.sonars[triggerPin]; !ok && len(b.st.sonars) >= 6 {
		return fmt.Errorf("%w: FirmataExpress drives at most 6 sonars", gateway.ErrUnsupported)
	}
	body := []byte{byte(triggerPin), byte(echoPin), byte(sonarTimeout & 0x7F), byte(sonarTimeout >> 7 & 0x7F), byte(sonarTimeout >> 14 & 0x7F)}
	out := b.setPinMode(triggerPin, modeSonar)
	out = append(out, b.setPinMode(echoPin, modeSonar)...)
	b.st.sonars[triggerPin] = body
	delete(b.st.lastS, triggerPin)
	return b.send(sysex(out, sysexSonarConfig, body...))
}

// SetModeStepper implements gateway.StepperBoard (FirmataExpress's
// STEPPER_DATA configure): 2 or 4 pins.
func (b *Board) SetModeStepper(pins []int, stepsPerRevolution int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.l == nil {
		return b.send(nil)
	}
	if err := b.needExpress("set_mode_stepper"); err != nil {
		return err
	}
	if len(pins) != 2 && len(pins) != 4 {
		return fmt.Errorf("%w: a stepper needs 2 or 4 pins, got %d", gateway.ErrUnsupported, len(pins))
	}
	if stepsPerRevolution >= 1<<14 {
		return fmt.Errorf("%w: steps_per_revolution %d: want at most 16383", ErrOutOfRange, stepsPerRevolution)
	}
	body := []byte{0, lsb(stepsPerRevolution), msb(stepsPerRevolution)}
	for _, p := range pins {
		if !b.info.caps.can(p, modeOutput) {
			return b.unsupported(p, "a stepper pin", modeOutput)
		}
		body = append(body, byte(p))
	}
	b.st.stepper = body
	return b.send(sysex(nil, sysexStepperData, body...))
}

// StepperWrite implements gateway.StepperBoard (FirmataExpress's
// STEPPER_DATA step): speed below 2^21, at most 16383 steps either way.
func (b *Board) StepperWrite(speed, steps int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.l == nil {
		return b.send(nil)
	}
	if err := b.needExpress("stepper_write"); err != nil {
		return err
	}
	if b.st.stepper == nil {
		return fmt.Errorf("%w: no stepper (send set_mode_stepper first)", ErrWrongMode)
	}
	dir, n := byte(1), steps
	if steps < 0 {
		dir, n = 0, -steps
	}
	if speed < 0 || speed >= 1<<21 || n >= 1<<14 {
		return fmt.Errorf("%w: stepper speed %d, steps %d: want speed 0-2097151 and steps -16383-16383", ErrOutOfRange, speed, steps)
	}
	return b.send(sysex(nil, sysexStepperData, 1, byte(speed&0x7F), byte(speed>>7&0x7F), byte(speed>>14&0x7F), lsb(n), msb(n), dir))
}

// SetDigitalReporting implements gateway.ReportingControl: REPORT_DIGITAL
// for the pin's port, off only when no input pin of the port reports. On
// again, the pin's current value is reported.
func (b *Board) SetDigitalReporting(pin int, on bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.l == nil {
		return b.send(nil)
	}
	if !isInput(b.st.modes[pin]) {
		return nil // not an input: the gateway's own filter is enough
	}
	port := pin / 8
	if on {
		b.st.digital[pin] = true
		delete(b.st.last, pin)
	} else {
		delete(b.st.digital, pin)
	}
	v := byte(0)
	if b.st.portReporting(port) {
		v = 1
	}
	return b.send([]byte{cmdReportDigital | byte(port), v})
}

// SetAnalogReporting implements gateway.ReportingControl (REPORT_ANALOG;
// pin is the analog channel).
func (b *Board) SetAnalogReporting(pin int, on bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.l == nil {
		return b.send(nil)
	}
	if _, ok := b.info.caps.analogPin(pin); !ok || pin > 15 {
		return fmt.Errorf("%w: analog pin %d: the board's analog pins are %s", gateway.ErrUnsupported, pin, ranges(b.info.caps.channels()))
	}
	v := byte(0)
	if on {
		v = 1
		b.st.analog[pin] = true
		delete(b.st.lastA, pin)
	} else {
		delete(b.st.analog, pin)
	}
	return b.send([]byte{cmdReportAnalog | byte(pin), v})
}

// truthy reads a boolean Extra key as Python clients and JSON send it.
func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	case uint64:
		return x != 0
	case int:
		return x != 0
	case float64:
		return x != 0
	case string:
		return strings.EqualFold(x, "true") || x == "1"
	}
	return false
}
