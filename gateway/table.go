package gateway

import "slices"

// commandSpec is one row of the command table: a command's wire form and
// what the gateway does with it. Adding a command is adding a row (and a
// Cmd constant; a new wire key also needs a Command field, see
// Command.field).
type commandSpec struct {
	name string
	// pin is the key of the pin the command addresses ("pin",
	// "trigger_pin"), "" for commands without one (and without a tag).
	pin string
	// optionalPin: the pin and tag may both be absent (i2c, where they are
	// in the spec but unused).
	optionalPin bool
	// setMode: a set_mode_* command, which may rebind its tag.
	setMode bool
	// fields are the command's other keys, in the spec's order.
	fields []string
	// run carries the command out; c.Pin is resolved (not nil) when pin is
	// set and optionalPin is not.
	run func(g *Gateway, c Command) error
}

// commandTable is the OneGPIO vocabulary, in the order of the spec. It is
// constant data: nothing writes to it.
var commandTable = [...]commandSpec{
	{name: CmdAnalogWrite, pin: "pin", fields: []string{"value"}, run: func(g *Gateway, c Command) error {
		return use(g, c, func(w AnalogWriter) error { return w.AnalogWrite(*c.Pin, c.Value) })
	}},
	{name: CmdDigitalWrite, pin: "pin", fields: []string{"value"}, run: func(g *Gateway, c Command) error {
		return use(g, c, func(w DigitalWriter) error { return w.DigitalWrite(*c.Pin, c.Value) })
	}},
	{name: CmdDisableAnalogReporting, pin: "pin", run: reporting(true, false)},
	{name: CmdDisableDigitalReporting, pin: "pin", run: reporting(false, false)},
	{name: CmdEnableAnalogReporting, pin: "pin", run: reporting(true, true)},
	{name: CmdEnableDigitalReporting, pin: "pin", run: reporting(false, true)},
	{name: CmdI2CRead, pin: "pin", optionalPin: true, fields: []string{"addr", "register", "number_of_bytes"}, run: i2cRead},
	{name: CmdI2CWrite, pin: "pin", optionalPin: true, fields: []string{"addr", "register", "data"}, run: func(g *Gateway, c Command) error {
		return use(g, c, func(i I2CBoard) error { return i.I2CWrite(c.Addr, register(c.Register), c.Data) })
	}},
	{name: CmdPlayTone, pin: "pin", fields: []string{"freq", "duration"}, run: func(g *Gateway, c Command) error {
		return use(g, c, func(w TonePlayer) error { return w.PlayTone(*c.Pin, c.Freq, c.duration()) })
	}},
	{name: CmdPWMWrite, pin: "pin", fields: []string{"value"}, run: func(g *Gateway, c Command) error {
		return use(g, c, func(w PWMWriter) error { return w.PWMWrite(*c.Pin, c.Value) })
	}},
	{name: CmdServoPosition, pin: "pin", fields: []string{"position"}, run: func(g *Gateway, c Command) error {
		return use(g, c, func(w ServoWriter) error { return w.ServoPosition(*c.Pin, c.Position) })
	}},
	{name: CmdSetModeAnalogInput, pin: "pin", setMode: true, run: setMode(ModeAnalogInput)},
	{name: CmdSetModeDigitalInput, pin: "pin", setMode: true, run: setMode(ModeDigitalInput)},
	{name: CmdSetModeDigitalInputPullup, pin: "pin", setMode: true, run: setMode(ModeDigitalInputPullup)},
	{name: CmdSetModeDigitalOutput, pin: "pin", setMode: true, run: setMode(ModeDigitalOutput)},
	{name: CmdSetModeI2C, run: func(g *Gateway, c Command) error {
		return use(g, c, func(i I2CBoard) error { return i.SetModeI2C() })
	}},
	{name: CmdSetModePWM, pin: "pin", setMode: true, run: setMode(ModePWM)},
	{name: CmdSetModeServo, pin: "pin", setMode: true, run: setMode(ModeServo)},
	{name: CmdSetModeSonar, pin: "trigger_pin", setMode: true, fields: []string{"echo_pin"}, run: func(g *Gateway, c Command) error {
		return use(g, c, func(s SonarBoard) error { return s.SetModeSonar(*c.Pin, c.EchoPin) })
	}},
	{name: CmdSetModeStepper, fields: []string{"pins", "steps_per_revolution"}, run: func(g *Gateway, c Command) error {
		return use(g, c, func(s StepperBoard) error { return s.SetModeStepper(c.Pins, c.StepsPerRevolution) })
	}},
	{name: CmdSetModeTone, pin: "pin", setMode: true, run: setMode(ModeTone)},
	{name: CmdStepperWrite, fields: []string{"motor_speed", "number_of_steps"}, run: func(g *Gateway, c Command) error {
		return use(g, c, func(s StepperBoard) error { return s.StepperWrite(c.MotorSpeed, c.NumberOfSteps) })
	}},
}

// knows reports whether key is one of the command's wire keys: "command",
// its pin and tag, and its fields. Other keys go to Command.Extra.
func (s *commandSpec) knows(key string) bool {
	return key == "command" || s.pin != "" && (key == s.pin || key == "tag") || slices.Contains(s.fields, key)
}

// lookup returns the row of the command called name.
func lookup(name string) (*commandSpec, bool) {
	for i := range commandTable {
		if commandTable[i].name == name {
			return &commandTable[i], true
		}
	}
	return nil, false
}

// Commands lists the 22 command names in the order of the spec.
func Commands() []string {
	names := make([]string, len(commandTable))
	for i, s := range commandTable {
		names[i] = s.name
	}
	return names
}
