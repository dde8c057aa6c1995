package gateway

import (
	"fmt"
	"math"
	"time"

	"github.com/gobanyan/banyan"
)

// Command is one OneGPIO command, as applications publish it on
// CommandTopic(device). Name is one of the 22 Cmd constants; the command
// table (one row per command, in table.go) says which of the other fields
// that command carries, under the spec's keys. A Command encodes itself
// (Publish it directly) as a map with a "command" key, the command's fields
// and Extra; Map returns that map. Fields a command does not carry are not
// sent.
//
//	gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "led", Value: 1}
//
// Pin is *int because a command may name its pin by tag only: write
// new(13) (Go 1.26) for pin 13, or leave Pin nil and set Tag to a tag that
// an earlier command bound to a pin. The Board sees commands with Pin
// resolved (see CommandHandler).
type Command struct {
	// Name is the "command" value, for example "digital_write" (CmdDigitalWrite).
	Name string
	// Pin is the pin the command addresses: "pin" on the wire,
	// "trigger_pin" in set_mode_sonar. In i2c_read and i2c_write it is in
	// the spec but unused (i2c pins are fixed per board).
	Pin *int
	// Tag is an alias for Pin; "" is none.
	Tag string
	// Value is the "value" of analog_write, digital_write (0 or 1) and
	// pwm_write (0-255 on Arduino and Raspberry Pi, 0-1023 on ESP8266).
	Value int
	// Addr is the i2c device address (i2c_read, i2c_write).
	Addr int
	// Register is the i2c register (i2c_read, i2c_write); nil: none.
	Register *int
	// NumberOfBytes is how many bytes i2c_read reads.
	NumberOfBytes int
	// Data is what i2c_write writes; on the wire an array of ints.
	Data []byte
	// Freq is play_tone's frequency in Hz.
	Freq int
	// Duration is play_tone's duration in milliseconds.
	Duration int
	// Position is servo_position's angle in degrees.
	Position int
	// EchoPin is set_mode_sonar's echo pin (Pin is the trigger pin, the
	// one a tag names).
	EchoPin int
	// Pins are set_mode_stepper's pins (one stepper per board).
	Pins []int
	// StepsPerRevolution is set_mode_stepper's motor geometry.
	StepsPerRevolution int
	// MotorSpeed is stepper_write's speed.
	MotorSpeed int
	// NumberOfSteps is how far stepper_write turns (negative: reverse).
	NumberOfSteps int
	// Extra holds the keys of the payload the spec does not name for this
	// command, as decoded: board-specific options such as the ESP8266's
	// "pull_up", "irq" and "count" (set_mode_digital_input), "change_diff"
	// (set_mode_analog_input) and "drain" (digital_write). Map sends them
	// too; they never override the command's own keys. nil when there are
	// none.
	Extra map[string]any
}

// Map returns the payload: "command", the command's fields and Extra.
func (c Command) Map() map[string]any {
	m := make(map[string]any, len(c.Extra)+4)
	for k, v := range c.Extra {
		m[k] = v
	}
	m["command"] = c.Name
	s, ok := lookup(c.Name)
	if !ok {
		optPtr(m, "pin", c.Pin)
		optTag(m, c.Tag)
		return m
	}
	if s.pin != "" {
		optPtr(m, s.pin, c.Pin)
		optTag(m, c.Tag)
	}
	for _, k := range s.fields {
		switch p := c.field(k).(type) {
		case *int:
			m[k] = *p
		case **int:
			optPtr(m, k, *p)
		case *[]byte:
			data := make([]int, len(*p))
			for i, b := range *p {
				data[i] = int(b)
			}
			m[k] = data
		case *[]int:
			if *p == nil {
				m[k] = []int{}
			} else {
				m[k] = *p
			}
		}
	}
	return m
}

// MarshalMsgpack encodes the command (Map) with banyan.Marshal.
func (c Command) MarshalMsgpack() ([]byte, error) { return banyan.Marshal(c.Map()) }

// String returns the command's name and payload, for messages.
func (c Command) String() string { return fmt.Sprint(c.Map()) }

// duration is play_tone's Duration as a time.Duration.
func (c Command) duration() time.Duration { return time.Duration(c.Duration) * time.Millisecond }

// field returns the Command field a wire key is kept in: *int, **int
// (optional), *[]byte or *[]int. Each key is read and written by its
// type; the minimum values are in fieldMin.
func (c *Command) field(key string) any {
	switch key {
	case "value":
		return &c.Value
	case "addr":
		return &c.Addr
	case "register":
		return &c.Register
	case "number_of_bytes":
		return &c.NumberOfBytes
	case "data":
		return &c.Data
	case "freq":
		return &c.Freq
	case "duration":
		return &c.Duration
	case "position":
		return &c.Position
	case "echo_pin":
		return &c.EchoPin
	case "pins":
		return &c.Pins
	case "steps_per_revolution":
		return &c.StepsPerRevolution
	case "motor_speed":
		return &c.MotorSpeed
	case "number_of_steps":
		return &c.NumberOfSteps
	}
	panic("gateway: no Command field for key " + key) // a bug in the command table
}

// fieldMin is the smallest value an integer key (or a "pins" element)
// may have.
func fieldMin(key string) int {
	switch key {
	case "number_of_bytes", "steps_per_revolution":
		return 1
	case "number_of_steps":
		return math.MinInt32
	}
	return 0
}

// DecodeCommand decodes a msgpack payload (as received on a command topic)
// into a Command; see ParseCommand for the rules.
func DecodeCommand(payload []byte) (Command, error) {
	m, err := banyan.DecodeMap(payload)
	if err != nil {
		return Command{}, fmt.Errorf("gateway: command payload: %w", err)
	}
	return ParseCommand(m)
}

// ParseCommand turns a decoded payload into a Command. Errors:
// ErrMissingCommand (no "command" key), ErrUnknownCommand (not one of the
// 22; the error text names it), ErrBadCommand (a missing or ill-typed
// field; the text names the field).
//
// Integer fields accept any msgpack int, a bool as 0 or 1 (Python's bool is
// an int) and a float without a fractional part (numbers that went through
// JSON). A nil value counts as absent. Pins must be 0 or more; commands
// that address a pin need the pin or a tag. Tags must be strings. Keys the
// spec does not name for the command are kept, as decoded, in Extra.
func ParseCommand(m map[string]any) (Command, error) {
	raw, ok := m["command"]
	if !ok {
		return Command{}, ErrMissingCommand
	}
	name, ok := raw.(string)
	if !ok {
		return Command{}, fmt.Errorf("%w: \"command\" is %s, want a str", ErrBadCommand, typeName(raw))
	}
	s, ok := lookup(name)
	if !ok {
		return Command{}, fmt.Errorf("%w: %q", ErrUnknownCommand, name)
	}
	r := &fieldReader{m: m, what: name, sentinel: ErrBadCommand}
	c := Command{Name: name}
	switch {
	case s.pin == "":
	case s.optionalPin:
		c.Pin, c.Tag = r.optInt(s.pin, 0), r.tag()
	default:
		c.Pin, c.Tag = r.target(s.pin)
	}
	for _, k := range s.fields {
		switch p := c.field(k).(type) {
		case *int:
			*p = r.reqInt(k, fieldMin(k))
		case **int:
			*p = r.optInt(k, fieldMin(k))
		case *[]byte:
			*p = r.reqBytes(k)
		case *[]int:
			*p = r.reqInts(k, fieldMin(k), math.MaxInt32, 1)
		}
	}
	if r.err != nil {
		return Command{}, r.err
	}
	for k, v := range m {
		if !s.knows(k) {
			if c.Extra == nil {
				c.Extra = map[string]any{}
			}
			c.Extra[k] = v
		}
	}
	return c, nil
}
