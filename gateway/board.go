package gateway

import "time"

// Board is what a hardware driver implements. SetMode is the only required
// method; each other capability is a small optional interface below, and a
// command whose interface the board lacks is answered with an error report
// (code "unsupported"). A method may also return an error wrapping
// ErrUnsupported (or errors.ErrUnsupported) for what it cannot do on a
// particular pin; any other error becomes a "board_error" report.
//
// The gateway calls the methods from one goroutine, one command at a time,
// with pins already resolved from tags.
type Board interface {
	// SetMode sets a pin's mode. The gateway calls it for
	// ModeDigitalInput, ModeDigitalInputPullup, ModeDigitalOutput,
	// ModeAnalogInput (pin is the analog pin number, as on Arduino),
	// ModePWM, ModeServo and ModeTone. I2C, sonar and stepper have their
	// own interfaces because they take other parameters.
	SetMode(pin int, mode PinMode) error
}

// ReportSource is a board that reads inputs. The gateway gives it a
// function to call with each reading (DigitalInput, AnalogInput,
// SonarData), news about its link (SystemMessage, sent on SysMsgTopic) or
// a report of its own (RawReport) when it starts, and nil when it stops.
// The board may call the function from any goroutine, also from within a Board method (for
// example to report a pin's value when it becomes an input). A zero
// Timestamp is filled in by the gateway.
type ReportSource interface {
	SetReportFunc(report func(Report))
}

// ReportingControl is a board that can stop and resume reading a pin (to
// save bus traffic, as Firmata does). Without it the gateway still honours
// enable_*_reporting and disable_*_reporting by filtering reports.
type ReportingControl interface {
	SetDigitalReporting(pin int, on bool) error
	SetAnalogReporting(pin int, on bool) error
}

// DigitalWriter is a board with digital outputs (digital_write).
type DigitalWriter interface {
	DigitalWrite(pin, value int) error
}

// AnalogWriter is a board with true analog (DAC) outputs (analog_write).
type AnalogWriter interface {
	AnalogWrite(pin, value int) error
}

// PWMWriter is a board with PWM outputs (pwm_write).
type PWMWriter interface {
	PWMWrite(pin, value int) error
}

// ServoWriter is a board that drives servos (servo_position).
type ServoWriter interface {
	ServoPosition(pin, degrees int) error
}

// TonePlayer is a board that plays tones (play_tone).
type TonePlayer interface {
	PlayTone(pin, freq int, d time.Duration) error
}

// StepperBoard is a board that drives a stepper motor (set_mode_stepper,
// stepper_write).
type StepperBoard interface {
	SetModeStepper(pins []int, stepsPerRevolution int) error
	// StepperWrite turns steps steps (negative: reverse) at speed.
	StepperWrite(speed, steps int) error
}

// I2CBoard is a board with an i2c bus (set_mode_i2c, i2c_read,
// i2c_write). register is NoRegister when the command gives none. The
// gateway publishes what I2CRead returns as an i2c_data report.
type I2CBoard interface {
	SetModeI2C() error
	I2CRead(addr, register, n int) ([]byte, error)
	I2CWrite(addr, register int, data []byte) error
}

// SonarBoard is a board that reads HC-SR04 style sonars (set_mode_sonar).
// Distances are reported through ReportSource as SonarData.
type SonarBoard interface {
	SetModeSonar(triggerPin, echoPin int) error
}

// CommandHandler is a board that wants commands whole, with the fields the
// spec does not name (Command.Extra: the ESP8266's pull_up, irq, count,
// change_diff, drain, ...). The gateway calls HandleCommand for each of the
// 22 commands, after the tag rules (Pin is resolved, also when the client
// gave only a tag) and its own bookkeeping (reporting on or off), and
// before the interfaces above. handled false with a nil error leaves the
// command to them; an error is reported as from any other method. A board
// that handles i2c_read publishes the data itself (ReportSource).
type CommandHandler interface {
	HandleCommand(c Command) (handled bool, err error)
}
