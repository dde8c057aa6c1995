package firmatasim

import "time"

// Message bytes of Firmata 2.5/2.6 (firmata/protocol protocol.md, "Message
// Types" and "Sysex Message Format"), as the device sees them.
const (
	msgDigital     = 0x90 // DIGITAL_MESSAGE | port, lsb, msb
	msgAnalog      = 0xE0 // ANALOG_MESSAGE | pin, lsb, msb
	msgReportAna   = 0xC0 // REPORT_ANALOG | channel, 0/1
	msgReportDig   = 0xD0 // REPORT_DIGITAL | port, 0/1
	msgSetPinMode  = 0xF4 // SET_PIN_MODE, pin, mode
	msgSetPinValue = 0xF5 // SET_DIGITAL_PIN_VALUE, pin, value
	msgVersion     = 0xF9 // REPORT_VERSION, major, minor
	msgReset       = 0xFF // SYSTEM_RESET
	startSysex     = 0xF0
	endSysex       = 0xF7
)

// Sysex commands (protocol.md "Sysex Message Format", i2c.md, servos.md)
// and FirmataExpress's own (pymata-express's FirmataExpress).
const (
	sxKeepAlive     = 0x50 // FirmataExpress: period lsb, msb (seconds)
	sxAreYouThere   = 0x51 // FirmataExpress
	sxIAmHere       = 0x52 // FirmataExpress: instance id
	sxTone          = 0x5F // FirmataExpress: TONE_TONE/TONE_NO_TONE, pin, ...
	sxSonarConfig   = 0x62 // FirmataExpress: trigger, echo, timeout lsb, msb
	sxSonarData     = 0x63 // FirmataExpress: trigger, cm lsb, msb
	sxAnalogMapQ    = 0x69
	sxAnalogMapR    = 0x6A
	sxCapabilityQ   = 0x6B
	sxCapabilityR   = 0x6C
	sxPinStateQ     = 0x6D
	sxPinStateR     = 0x6E
	sxExtAnalog     = 0x6F
	sxServoConfig   = 0x70
	sxString        = 0x71
	sxStepper       = 0x72 // FirmataExpress's stepper (not in StandardFirmata)
	sxI2CRequest    = 0x76
	sxI2CReply      = 0x77
	sxI2CConfig     = 0x78
	sxFirmware      = 0x79
	sxSamplingIntvl = 0x7A
)

// Pin modes (protocol.md "Pin modes"; SONAR and TONE are FirmataExpress's).
const (
	ModeInput   = 0x00
	ModeOutput  = 0x01
	ModeAnalog  = 0x02
	ModePWM     = 0x03
	ModeServo   = 0x04
	ModeShift   = 0x05
	ModeI2C     = 0x06
	ModeOneWire = 0x07
	ModeStepper = 0x08
	ModeEncoder = 0x09
	ModeSerial  = 0x0A
	ModePullup  = 0x0B
	ModeSonar   = 0x0C // FirmataExpress
	ModeTone    = 0x0D // FirmataExpress
	ModeIgnore  = 0x7F
)

// The simulated board: an Arduino Uno as StandardFirmata presents it.
const (
	// NumPins is the number of pins in the capability report (0-19).
	NumPins = 20
	// FirstAnalogPin is the pin of analog channel 0 (A0).
	FirstAnalogPin = 14
	// NumAnalog is the number of analog input channels (A0-A5).
	NumAnalog = 6
	// I2CAddr is the address of the simulated I2C register device.
	I2CAddr = 0x50
	// MaxSysex is the longest sysex body (bytes between START_SYSEX and
	// END_SYSEX, the command included) the firmware keeps; a longer one is
	// dropped whole (StandardFirmata's input buffer on an Uno is 64 bytes).
	MaxSysex = 64
	// MaxI2CRead is the most bytes one I2C read returns (the Arduino Wire
	// library's 32-byte buffer).
	MaxI2CRead = 32
	// MaxI2CQueries is how many continuous I2C reads can run at once
	// (StandardFirmata's MAX_QUERIES).
	MaxI2CQueries = 8
	// MaxSonars is how many sonars FirmataExpress drives.
	MaxSonars = 6
	// MaxTones is how many played tones Tones remembers (the oldest are
	// forgotten first).
	MaxTones = 1024
	// DefaultSamplingInterval is StandardFirmata's sampling interval.
	DefaultSamplingInterval = 19 * time.Millisecond
	// MinSamplingInterval is the shortest interval SAMPLING_INTERVAL sets
	// (a shorter one is raised to it, as StandardFirmata does).
	MinSamplingInterval = time.Millisecond
)

func isPWM(pin int) bool {
	switch pin {
	case 3, 5, 6, 9, 10, 11:
		return true
	}
	return false
}

func isDigital(pin int) bool { return pin >= 2 && pin < NumPins }
func isAnalog(pin int) bool  { return pin >= FirstAnalogPin && pin < FirstAnalogPin+NumAnalog }
func isI2C(pin int) bool     { return pin == 18 || pin == 19 }

// capability is one mode and its resolution in the capability response.
type capability struct{ mode, res byte }

// capabilities lists what pin can do, in the order the capability
// response gives them (protocol.md "Capability Query").
func capabilities(pin int, express bool) []capability {
	if !isDigital(pin) {
		return nil // 0 and 1 are the serial port
	}
	c := []capability{{ModeInput, 1}, {ModePullup, 1}, {ModeOutput, 1}}
	if isAnalog(pin) {
		c = append(c, capability{ModeAnalog, 10})
	}
	if isPWM(pin) {
		c = append(c, capability{ModePWM, 8})
	}
	c = append(c, capability{ModeServo, 14})
	if isI2C(pin) {
		c = append(c, capability{ModeI2C, 1})
	}
	if express {
		c = append(c, capability{ModeStepper, 1}, capability{ModeSonar, 1}, capability{ModeTone, 1})
	}
	return c
}

// supports reports whether pin can be put in mode.
func supports(pin, mode int, express bool) bool {
	for _, c := range capabilities(pin, express) {
		if int(c.mode) == mode {
			return true
		}
	}
	return false
}

// knownMode reports whether mode is a mode number the firmware knows; an
// unknown one gets a STRING_DATA "Unknown pin mode" reply.
func knownMode(mode int, express bool) bool {
	if mode <= ModePullup {
		return true
	}
	return express && (mode == ModeSonar || mode == ModeTone)
}

// le7 appends v as n 7-bit bytes, least significant first.
func le7(b []byte, v, n int) []byte {
	for range n {
		b = append(b, byte(v&0x7F))
		v >>= 7
	}
	return b
}

// from7 decodes 7-bit bytes, least significant first; at most 4 count
// (28 bits), so the value fits an int on 32-bit machines.
func from7(b []byte) int {
	v := 0
	for i := len(b) - 1; i >= 0; i-- {
		if i >= 4 {
			continue
		}
		v = v<<7 | int(b[i]&0x7F)
	}
	return v
}

// sysex frames body as a sysex message.
func sysex(cmd byte, body ...byte) []byte {
	b := make([]byte, 0, len(body)+3)
	b = append(b, startSysex, cmd)
	b = append(b, body...)
	return append(b, endSysex)
}

// stringData is a STRING_DATA message: each character as two 7-bit bytes.
func stringData(s string) []byte {
	var body []byte
	for i := 0; i < len(s); i++ {
		body = le7(body, int(s[i]), 2)
	}
	return sysex(sxString, body...)
}
