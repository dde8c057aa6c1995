package gateway

import (
	"fmt"

	"github.com/gobanyan/banyan"
)

// Command is one of the 22 OneGPIO commands, as applications publish them
// on CommandTopic(device). Each command type encodes itself (Publish it
// directly) as a map with a "command" key and the spec's field names; Map
// returns that map.
//
// Pins are *int because a command may name its pin by tag only: write
// new(13) (Go 1.26) for pin 13, or leave Pin nil and set Tag to a tag that
// an earlier command bound to a pin.
type Command interface {
	// CommandName is the "command" value, for example "digital_write".
	CommandName() string
	// Map is the payload: "command" and the fields that are set.
	Map() map[string]any
}

func marshalCommand(c Command) ([]byte, error) { return banyan.Marshal(c.Map()) }

func pinMap(name string, pin *int, tag string) map[string]any {
	m := map[string]any{"command": name}
	optPtr(m, "pin", pin)
	optTag(m, tag)
	return m
}

// AnalogWrite writes Value to a true analog (DAC) output.
type AnalogWrite struct {
	Pin   *int
	Tag   string
	Value int
}

// DigitalWrite sets a digital output to Value (0 or 1).
type DigitalWrite struct {
	Pin   *int
	Tag   string
	Value int
}

// DisableAnalogReporting stops analog_input reports for an analog pin.
type DisableAnalogReporting struct {
	Pin *int
	Tag string
}

// DisableDigitalReporting stops digital_input reports for a pin.
type DisableDigitalReporting struct {
	Pin *int
	Tag string
}

// EnableAnalogReporting resumes analog_input reports for an analog pin.
type EnableAnalogReporting struct {
	Pin *int
	Tag string
}

// EnableDigitalReporting resumes digital_input reports for a pin.
type EnableDigitalReporting struct {
	Pin *int
	Tag string
}

// I2CRead reads NumberOfBytes bytes from the i2c device at Addr, starting
// at Register (nil: no register). The answer is an i2c_data report. Pin and
// Tag are in the spec but unused: i2c pins are fixed per board.
type I2CRead struct {
	Pin           *int
	Tag           string
	Addr          int
	Register      *int
	NumberOfBytes int
}

// I2CWrite writes Data to the i2c device at Addr, at Register (nil: no
// register). On the wire Data is an array of ints. Pin and Tag are in the
// spec but unused.
type I2CWrite struct {
	Pin      *int
	Tag      string
	Addr     int
	Register *int
	Data     []byte
}

// PlayTone plays Freq Hz for Duration milliseconds on a pin in tone mode.
type PlayTone struct {
	Pin      *int
	Tag      string
	Freq     int
	Duration int // milliseconds
}

// PWMWrite sets a PWM output's duty cycle (0-255 on Arduino and Raspberry
// Pi, 0-1023 on ESP8266).
type PWMWrite struct {
	Pin   *int
	Tag   string
	Value int
}

// ServoPosition turns a servo to Position degrees.
type ServoPosition struct {
	Pin      *int
	Tag      string
	Position int
}

// SetModeAnalogInput makes an analog pin an input reporting analog_input.
type SetModeAnalogInput struct {
	Pin *int
	Tag string
}

// SetModeDigitalInput makes a pin a digital input reporting digital_input.
type SetModeDigitalInput struct {
	Pin *int
	Tag string
}

// SetModeDigitalInputPullup makes a pin a digital input with its pull-up
// enabled, reporting digital_input.
type SetModeDigitalInputPullup struct {
	Pin *int
	Tag string
}

// SetModeDigitalOutput makes a pin a digital output.
type SetModeDigitalOutput struct {
	Pin *int
	Tag string
}

// SetModeI2C enables the board's i2c bus. It has no fields.
type SetModeI2C struct{}

// SetModePWM makes a pin a PWM output.
type SetModePWM struct {
	Pin *int
	Tag string
}

// SetModeServo makes a pin a servo output.
type SetModeServo struct {
	Pin *int
	Tag string
}

// SetModeSonar attaches an HC-SR04 style sonar; it reports sonar_data.
// Only the trigger pin is tagged.
type SetModeSonar struct {
	TriggerPin *int
	Tag        string
	EchoPin    int
}

// SetModeStepper attaches the stepper motor (one per board) to Pins.
type SetModeStepper struct {
	Pins               []int
	StepsPerRevolution int
}

// SetModeTone makes a pin a tone output.
type SetModeTone struct {
	Pin *int
	Tag string
}

// StepperWrite turns the stepper NumberOfSteps steps (negative: reverse)
// at MotorSpeed.
type StepperWrite struct {
	MotorSpeed    int
	NumberOfSteps int
}

// CommandName returns "analog_write".
func (AnalogWrite) CommandName() string { return CmdAnalogWrite }

// CommandName returns "digital_write".
func (DigitalWrite) CommandName() string { return CmdDigitalWrite }

// CommandName returns "disable_analog_reporting".
func (DisableAnalogReporting) CommandName() string { return CmdDisableAnalogReporting }

// CommandName returns "disable_digital_reporting".
func (DisableDigitalReporting) CommandName() string { return CmdDisableDigitalReporting }

// CommandName returns "enable_analog_reporting".
func (EnableAnalogReporting) CommandName() string { return CmdEnableAnalogReporting }

// CommandName returns "enable_digital_reporting".
func (EnableDigitalReporting) CommandName() string { return CmdEnableDigitalReporting }

// CommandName returns "i2c_read".
func (I2CRead) CommandName() string { return CmdI2CRead }

// CommandName returns "i2c_write".
func (I2CWrite) CommandName() string { return CmdI2CWrite }

// CommandName returns "play_tone".
func (PlayTone) CommandName() string { return CmdPlayTone }

// CommandName returns "pwm_write".
func (PWMWrite) CommandName() string { return CmdPWMWrite }

// CommandName returns "servo_position".
func (ServoPosition) CommandName() string { return CmdServoPosition }

// CommandName returns "set_mode_analog_input".
func (SetModeAnalogInput) CommandName() string { return CmdSetModeAnalogInput }

// CommandName returns "set_mode_digital_input".
func (SetModeDigitalInput) CommandName() string { return CmdSetModeDigitalInput }

// CommandName returns "set_mode_digital_input_pullup".
func (SetModeDigitalInputPullup) CommandName() string { return CmdSetModeDigitalInputPullup }

// CommandName returns "set_mode_digital_output".
func (SetModeDigitalOutput) CommandName() string { return CmdSetModeDigitalOutput }

// CommandName returns "set_mode_i2c".
func (SetModeI2C) CommandName() string { return CmdSetModeI2C }

// CommandName returns "set_mode_pwm".
func (SetModePWM) CommandName() string { return CmdSetModePWM }

// CommandName returns "set_mode_servo".
func (SetModeServo) CommandName() string { return CmdSetModeServo }

// CommandName returns "set_mode_sonar".
func (SetModeSonar) CommandName() string { return CmdSetModeSonar }

// CommandName returns "set_mode_stepper".
func (SetModeStepper) CommandName() string { return CmdSetModeStepper }

// CommandName returns "set_mode_tone".
func (SetModeTone) CommandName() string { return CmdSetModeTone }

// CommandName returns "stepper_write".
func (StepperWrite) CommandName() string { return CmdStepperWrite }

// Map returns the payload.
func (c AnalogWrite) Map() map[string]any {
	m := pinMap(CmdAnalogWrite, c.Pin, c.Tag)
	m["value"] = c.Value
	return m
}

// Map returns the payload.
func (c DigitalWrite) Map() map[string]any {
	m := pinMap(CmdDigitalWrite, c.Pin, c.Tag)
	m["value"] = c.Value
	return m
}

// Map returns the payload.
func (c DisableAnalogReporting) Map() map[string]any {
	return pinMap(CmdDisableAnalogReporting, c.Pin, c.Tag)
}

// Map returns the payload.
func (c DisableDigitalReporting) Map() map[string]any {
	return pinMap(CmdDisableDigitalReporting, c.Pin, c.Tag)
}

// Map returns the payload.
func (c EnableAnalogReporting) Map() map[string]any {
	return pinMap(CmdEnableAnalogReporting, c.Pin, c.Tag)
}

// Map returns the payload.
func (c EnableDigitalReporting) Map() map[string]any {
	return pinMap(CmdEnableDigitalReporting, c.Pin, c.Tag)
}

// Map returns the payload.
func (c I2CRead) Map() map[string]any {
	m := pinMap(CmdI2CRead, c.Pin, c.Tag)
	m["addr"] = c.Addr
	optPtr(m, "register", c.Register)
	m["number_of_bytes"] = c.NumberOfBytes
	return m
}

// Map returns the payload; Data becomes an array of ints.
func (c I2CWrite) Map() map[string]any {
	m := pinMap(CmdI2CWrite, c.Pin, c.Tag)
	m["addr"] = c.Addr
	optPtr(m, "register", c.Register)
	data := make([]int, len(c.Data))
	for i, b := range c.Data {
		data[i] = int(b)
	}
	m["data"] = data
	return m
}

// Map returns the payload.
func (c PlayTone) Map() map[string]any {
	m := pinMap(CmdPlayTone, c.Pin, c.Tag)
	m["freq"] = c.Freq
	m["duration"] = c.Duration
	return m
}

// Map returns the payload.
func (c PWMWrite) Map() map[string]any {
	m := pinMap(CmdPWMWrite, c.Pin, c.Tag)
	m["value"] = c.Value
	return m
}

// Map returns the payload.
func (c ServoPosition) Map() map[string]any {
	m := pinMap(CmdServoPosition, c.Pin, c.Tag)
	m["position"] = c.Position
	return m
}

// Map returns the payload.
func (c SetModeAnalogInput) Map() map[string]any {
	return pinMap(CmdSetModeAnalogInput, c.Pin, c.Tag)
}

// Map returns the payload.
func (c SetModeDigitalInput) Map() map[string]any {
	return pinMap(CmdSetModeDigitalInput, c.Pin, c.Tag)
}

// Map returns the payload.
func (c SetModeDigitalInputPullup) Map() map[string]any {
	return pinMap(CmdSetModeDigitalInputPullup, c.Pin, c.Tag)
}

// Map returns the payload.
func (c SetModeDigitalOutput) Map() map[string]any {
	return pinMap(CmdSetModeDigitalOutput, c.Pin, c.Tag)
}

// Map returns the payload.
func (SetModeI2C) Map() map[string]any { return map[string]any{"command": CmdSetModeI2C} }

// Map returns the payload.
func (c SetModePWM) Map() map[string]any { return pinMap(CmdSetModePWM, c.Pin, c.Tag) }

// Map returns the payload.
func (c SetModeServo) Map() map[string]any { return pinMap(CmdSetModeServo, c.Pin, c.Tag) }

// Map returns the payload.
func (c SetModeSonar) Map() map[string]any {
	m := map[string]any{"command": CmdSetModeSonar, "echo_pin": c.EchoPin}
	optPtr(m, "trigger_pin", c.TriggerPin)
	optTag(m, c.Tag)
	return m
}

// Map returns the payload.
func (c SetModeStepper) Map() map[string]any {
	pins := c.Pins
	if pins == nil {
		pins = []int{}
	}
	return map[string]any{"command": CmdSetModeStepper, "pins": pins, "steps_per_revolution": c.StepsPerRevolution}
}

// Map returns the payload.
func (c SetModeTone) Map() map[string]any { return pinMap(CmdSetModeTone, c.Pin, c.Tag) }

// Map returns the payload.
func (c StepperWrite) Map() map[string]any {
	return map[string]any{"command": CmdStepperWrite, "motor_speed": c.MotorSpeed, "number_of_steps": c.NumberOfSteps}
}

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c AnalogWrite) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c DigitalWrite) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c DisableAnalogReporting) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c DisableDigitalReporting) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c EnableAnalogReporting) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c EnableDigitalReporting) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c I2CRead) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c I2CWrite) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c PlayTone) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c PWMWrite) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c ServoPosition) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c SetModeAnalogInput) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c SetModeDigitalInput) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c SetModeDigitalInputPullup) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c SetModeDigitalOutput) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c SetModeI2C) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c SetModePWM) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c SetModeServo) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c SetModeSonar) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c SetModeStepper) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c SetModeTone) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c StepperWrite) MarshalMsgpack() ([]byte, error) { return marshalCommand(c) }

// DecodeCommand decodes a msgpack payload (as received on a command topic)
// into a typed Command; see ParseCommand for the rules.
func DecodeCommand(payload []byte) (Command, error) {
	m, err := banyan.DecodeMap(payload)
	if err != nil {
		return nil, fmt.Errorf("gateway: command payload: %w", err)
	}
	return ParseCommand(m)
}

// ParseCommand turns a decoded payload into a typed Command. Errors:
// ErrMissingCommand (no "command" key), ErrUnknownCommand (not one of the
// 22; the error text names it), ErrBadCommand (a missing or ill-typed
// field; the text names the field).
//
// Integer fields accept any msgpack int, a bool as 0 or 1 (Python's bool is
// an int) and a float without a fractional part (numbers that went through
// JSON). A nil value counts as absent. Pins must be 0 or more; commands
// that address a pin need the pin or a tag. Tags must be strings. Keys the
// spec does not name are ignored.
func ParseCommand(m map[string]any) (Command, error) {
	raw, ok := m["command"]
	if !ok {
		return nil, ErrMissingCommand
	}
	name, ok := raw.(string)
	if !ok {
		return nil, fmt.Errorf("%w: \"command\" is %s, want a str", ErrBadCommand, typeName(raw))
	}
	r := &fieldReader{m: m, what: name, sentinel: ErrBadCommand}
	var c Command
	switch name {
	case CmdAnalogWrite:
		p, t := r.target("pin")
		c = AnalogWrite{Pin: p, Tag: t, Value: r.reqInt("value", 0)}
	case CmdDigitalWrite:
		p, t := r.target("pin")
		c = DigitalWrite{Pin: p, Tag: t, Value: r.reqInt("value", 0)}
	case CmdDisableAnalogReporting:
		p, t := r.target("pin")
		c = DisableAnalogReporting{Pin: p, Tag: t}
	case CmdDisableDigitalReporting:
		p, t := r.target("pin")
		c = DisableDigitalReporting{Pin: p, Tag: t}
	case CmdEnableAnalogReporting:
		p, t := r.target("pin")
		c = EnableAnalogReporting{Pin: p, Tag: t}
	case CmdEnableDigitalReporting:
		p, t := r.target("pin")
		c = EnableDigitalReporting{Pin: p, Tag: t}
	case CmdI2CRead:
		c = I2CRead{Pin: r.optInt("pin", 0), Tag: r.tag(), Addr: r.reqInt("addr", 0),
			Register: r.optInt("register", 0), NumberOfBytes: r.reqInt("number_of_bytes", 1)}
	case CmdI2CWrite:
		c = I2CWrite{Pin: r.optInt("pin", 0), Tag: r.tag(), Addr: r.reqInt("addr", 0),
			Register: r.optInt("register", 0), Data: r.reqBytes("data")}
	case CmdPlayTone:
		p, t := r.target("pin")
		c = PlayTone{Pin: p, Tag: t, Freq: r.reqInt("freq", 0), Duration: r.reqInt("duration", 0)}
	case CmdPWMWrite:
		p, t := r.target("pin")
		c = PWMWrite{Pin: p, Tag: t, Value: r.reqInt("value", 0)}
	case CmdServoPosition:
		p, t := r.target("pin")
		c = ServoPosition{Pin: p, Tag: t, Position: r.reqInt("position", 0)}
	case CmdSetModeAnalogInput:
		p, t := r.target("pin")
		c = SetModeAnalogInput{Pin: p, Tag: t}
	case CmdSetModeDigitalInput:
		p, t := r.target("pin")
		c = SetModeDigitalInput{Pin: p, Tag: t}
	case CmdSetModeDigitalInputPullup:
		p, t := r.target("pin")
		c = SetModeDigitalInputPullup{Pin: p, Tag: t}
	case CmdSetModeDigitalOutput:
		p, t := r.target("pin")
		c = SetModeDigitalOutput{Pin: p, Tag: t}
	case CmdSetModeI2C:
		c = SetModeI2C{}
	case CmdSetModePWM:
		p, t := r.target("pin")
		c = SetModePWM{Pin: p, Tag: t}
	case CmdSetModeServo:
		p, t := r.target("pin")
		c = SetModeServo{Pin: p, Tag: t}
	case CmdSetModeSonar:
		p, t := r.target("trigger_pin")
		c = SetModeSonar{TriggerPin: p, Tag: t, EchoPin: r.reqInt("echo_pin", 0)}
	case CmdSetModeStepper:
		c = SetModeStepper{Pins: r.reqInts("pins", 0, 1<<31-1, 1), StepsPerRevolution: r.reqInt("steps_per_revolution", 1)}
	case CmdSetModeTone:
		p, t := r.target("pin")
		c = SetModeTone{Pin: p, Tag: t}
	case CmdStepperWrite:
		c = StepperWrite{MotorSpeed: r.reqInt("motor_speed", 0), NumberOfSteps: r.reqInt("number_of_steps", -1<<31)}
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownCommand, name)
	}
	if r.err != nil {
		return nil, r.err
	}
	return c, nil
}
