package firmata

// Firmata command bytes (protocol.md). Values above 0x7F are status bytes;
// the low nibble of the first three carries a port or channel.
const (
	cmdDigitalMessage = 0x90 // | port: 8 pins, LSB (bits 0-6), MSB (bit 7)
	cmdAnalogMessage  = 0xE0 // | channel (or pin, host to board): LSB, MSB
	cmdReportAnalog   = 0xC0 // | channel: 0 or 1
	cmdReportDigital  = 0xD0 // | port: 0 or 1
	cmdSetPinMode     = 0xF4 // pin, mode
	cmdSetDigitalPin  = 0xF5 // pin, value
	cmdReportVersion  = 0xF9 // major, minor
	cmdSystemReset    = 0xFF
	cmdStartSysex     = 0xF0
	cmdEndSysex       = 0xF7
)

// Sysex commands: StandardFirmata's, and FirmataExpress's (pymata-express).
const (
	sysexKeepAlive        = 0x50 // FirmataExpress: period LSB, MSB (seconds)
	sysexAreYouThere      = 0x51 // FirmataExpress
	sysexIAmHere          = 0x52 // FirmataExpress: instance id
	sysexToneData         = 0x5F // FirmataExpress: 0 (tone), pin, freq LSB MSB, duration LSB MSB
	sysexSonarConfig      = 0x62 // FirmataExpress: trigger, echo, timeout (3 x 7 bits)
	sysexSonarData        = 0x63 // FirmataExpress: trigger, distance LSB MSB (cm)
	sysexAnalogMappingQ   = 0x69
	sysexAnalogMappingR   = 0x6A
	sysexCapabilityQuery  = 0x6B
	sysexCapabilityResp   = 0x6C
	sysexExtendedAnalog   = 0x6F // pin, value in 7-bit groups
	sysexServoConfig      = 0x70 // pin, min pulse LSB MSB, max pulse LSB MSB
	sysexStringData       = 0x71
	sysexStepperData      = 0x72 // FirmataExpress: 0 configure / 1 step
	sysexI2CRequest       = 0x76
	sysexI2CReply         = 0x77
	sysexI2CConfig        = 0x78
	sysexReportFirmware   = 0x79
	sysexSamplingInterval = 0x7A
)

// I2C_REQUEST read/write modes (i2c.md), in the second byte.
const (
	i2cWrite            = 0x00
	i2cReadOnce         = 0x08
	i2cReadContinuously = 0x10
	i2cStopReading      = 0x18
)

// i2cNoRegister is the register StandardFirmata puts in a reply to a read
// that named none (-1 in 14 bits).
const i2cNoRegister = 0x3FFF

// Firmata pin modes (protocol.md; 0x0C and 0x0D are FirmataExpress's).
const (
	modeInput  = 0x00
	modeOutput = 0x01
	modeAnalog = 0x02
	modePWM    = 0x03
	modeServo  = 0x04
	modeI2C    = 0x06
	modeStep   = 0x08
	modePullup = 0x0B
	modeSonar  = 0x0C
	modeTone   = 0x0D
)

// modeName names a Firmata pin mode for messages.
func modeName(m byte) string {
	switch m {
	case modeInput:
		return "INPUT"
	case modeOutput:
		return "OUTPUT"
	case modeAnalog:
		return "ANALOG"
	case modePWM:
		return "PWM"
	case modeServo:
		return "SERVO"
	case 0x05:
		return "SHIFT"
	case modeI2C:
		return "I2C"
	case 0x07:
		return "ONEWIRE"
	case modeStep:
		return "STEPPER"
	case 0x09:
		return "ENCODER"
	case 0x0A:
		return "SERIAL"
	case modePullup:
		return "PULLUP"
	case modeSonar:
		return "SONAR"
	case modeTone:
		return "TONE"
	}
	return "mode 0x" + hex2(m)
}

func hex2(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&15]})
}

// lsb and msb split a 14-bit value into Firmata's two 7-bit data bytes.
func lsb(v int) byte { return byte(v & 0x7F) }
func msb(v int) byte { return byte(v >> 7 & 0x7F) }

// sysex appends a sysex message: START, cmd, data, END. data must be 7-bit.
func sysex(b []byte, cmd byte, data ...byte) []byte {
	b = append(b, cmdStartSysex, cmd)
	b = append(b, data...)
	return append(b, cmdEndSysex)
}

// twoByte appends each byte of data as two 7-bit bytes (LSB, MSB), as
// I2C_REQUEST carries data.
func twoByte(b []byte, data []byte) []byte {
	for _, x := range data {
		b = append(b, x&0x7F, x>>7)
	}
	return b
}

// analogWrite appends a PWM or servo write: ANALOG_MESSAGE for pins 0-15
// and 14-bit values, EXTENDED_ANALOG otherwise.
func analogWrite(b []byte, pin, v int) []byte {
	if pin < 16 && v < 1<<14 {
		return append(b, cmdAnalogMessage|byte(pin), lsb(v), msb(v))
	}
	b = append(b, cmdStartSysex, sysexExtendedAnalog, byte(pin))
	for {
		b = append(b, byte(v&0x7F))
		v >>= 7
		if v == 0 {
			break
		}
	}
	return append(b, cmdEndSysex)
}
