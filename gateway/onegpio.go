package gateway

import "strconv"

// PinMode is a OneGPIO pin mode, numbered as Python Banyan's GatewayBase
// class constants.
type PinMode int

// The pin modes.
const (
	ModeDigitalInput       PinMode = 0
	ModeDigitalOutput      PinMode = 1
	ModePWM                PinMode = 2 // PWM_OUTPUT_MODE
	ModeAnalogInput        PinMode = 3
	ModeAnalogOutput       PinMode = 4 // a true analog (DAC) output
	ModeDigitalInputPullup PinMode = 5
	ModeI2C                PinMode = 6
	ModeTone               PinMode = 7
	ModeServo              PinMode = 8
	ModeStepper            PinMode = 9
	ModeSonar              PinMode = 10
	ModeWildCard           PinMode = 11
)

var modeNames = [...]string{"digital_input", "digital_output", "pwm", "analog_input", "analog_output",
	"digital_input_pullup", "i2c", "tone", "servo", "stepper", "sonar", "wild_card"}

// String returns the mode's name as in the set_mode_* commands
// ("digital_input", "pwm", ...).
func (m PinMode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return "PinMode(" + strconv.Itoa(int(m)) + ")"
}

// BoardType is a board family, numbered as Python Banyan's GatewayBase
// class constants.
type BoardType int

// The board types.
const (
	BoardArduino BoardType = 0
	BoardRPi     BoardType = 1
	BoardESP8266 BoardType = 2
	BoardCrickit BoardType = 3
)

// String returns the board type's name.
func (b BoardType) String() string {
	switch b {
	case BoardArduino:
		return "arduino"
	case BoardRPi:
		return "rpi"
	case BoardESP8266:
		return "esp8266"
	case BoardCrickit:
		return "crickit"
	}
	return "BoardType(" + strconv.Itoa(int(b)) + ")"
}

// CommandTopic is the topic applications publish commands on for device:
// "to_<device>_gateway" (for example to_arduino_gateway).
func CommandTopic(device string) string { return "to_" + device + "_gateway" }

// ReportTopic is the topic a gateway publishes reports on for device:
// "from_<device>_gateway" (for example from_arduino_gateway).
func ReportTopic(device string) string { return "from_" + device + "_gateway" }

// The 22 OneGPIO command names: the value of a command's "command" key.
const (
	CmdAnalogWrite               = "analog_write"
	CmdDigitalWrite              = "digital_write"
	CmdDisableAnalogReporting    = "disable_analog_reporting"
	CmdDisableDigitalReporting   = "disable_digital_reporting"
	CmdEnableAnalogReporting     = "enable_analog_reporting"
	CmdEnableDigitalReporting    = "enable_digital_reporting"
	CmdI2CRead                   = "i2c_read"
	CmdI2CWrite                  = "i2c_write"
	CmdPlayTone                  = "play_tone"
	CmdPWMWrite                  = "pwm_write"
	CmdServoPosition             = "servo_position"
	CmdSetModeAnalogInput        = "set_mode_analog_input"
	CmdSetModeDigitalInput       = "set_mode_digital_input"
	CmdSetModeDigitalInputPullup = "set_mode_digital_input_pullup"
	CmdSetModeDigitalOutput      = "set_mode_digital_output"
	CmdSetModeI2C                = "set_mode_i2c"
	CmdSetModePWM                = "set_mode_pwm"
	CmdSetModeServo              = "set_mode_servo"
	CmdSetModeSonar              = "set_mode_sonar"
	CmdSetModeStepper            = "set_mode_stepper"
	CmdSetModeTone               = "set_mode_tone"
	CmdStepperWrite              = "stepper_write"
)

// The report names: the value of a report's "report" key. ReportError is
// this package's addition; the other four are the spec's.
const (
	ReportDigitalInput = "digital_input"
	ReportAnalogInput  = "analog_input"
	ReportI2CData      = "i2c_data"
	ReportSonarData    = "sonar_data"
	ReportError        = "error"
)

// NoRegister is the register a Board gets for an i2c_read or i2c_write
// without a "register" (or with a nil one).
const NoRegister = -1
