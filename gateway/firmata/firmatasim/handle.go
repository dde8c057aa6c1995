package firmatasim

import "time"

// handle obeys one complete message; replies go to s.out.
func (d *Device) handle(s *session, msg []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.notifyLocked()
	c := msg[0]
	switch {
	case c == startSysex:
		d.handleSysex(s, msg[1], msg[2:len(msg)-1])
	case c&0xF0 == msgDigital:
		d.digitalMessage(int(c&0x0F), int(msg[1])|int(msg[2])<<7)
	case c&0xF0 == msgAnalog:
		d.analogWrite(int(c&0x0F), int(msg[1])|int(msg[2])<<7)
	case c&0xF0 == msgReportAna:
		d.reportAnalog(s, int(c&0x0F), msg[1] != 0)
	case c&0xF0 == msgReportDig:
		// protocol.md "report digital port": 0xD0|port, disable/enable.
		// StandardFirmata sends the port at once when reporting starts.
		port := int(c & 0x0F)
		d.b.reportPort[port] = msg[1] != 0
		if msg[1] != 0 {
			s.sentPort[port] = -1
		}
	case c == msgSetPinMode:
		d.setPinMode(s, int(msg[1]), int(msg[2]))
	case c == msgSetPinValue:
		// protocol.md "set digital pin value" (2.5): only an output moves.
		pin, v := int(msg[1]), int(msg[2])
		if pin < NumPins && isDigital(pin) && d.effMode(pin) == ModeOutput {
			d.b.level[pin] = min(v, 1)
			d.b.state[pin] = v
		}
	case c == msgVersion:
		s.out = append(s.out, d.version()...)
	case c == msgReset:
		// SYSTEM_RESET: the firmware's pins go back to their start-up
		// state; the sampling interval stays.
		d.sysRst++
		d.b = freshBoard(d.b.interval)
		for i := range s.sentPort {
			s.sentPort[i] = -1
		}
	}
}

// digitalMessage is a DIGITAL_MESSAGE from the host: the outputs of port
// take their bit; an INPUT pin given a 1 gets its pull-up (the pre-2.5
// way, which StandardFirmata still honours).
func (d *Device) digitalMessage(port, v int) {
	for bit := range 8 {
		pin := port*8 + bit
		if pin >= NumPins || !isDigital(pin) {
			continue
		}
		level := v >> bit & 1
		switch d.effMode(pin) {
		case ModeOutput:
			d.b.level[pin] = level
			d.b.state[pin] = level
		case ModeInput:
			d.b.state[pin] = level
		}
	}
}

// analogWrite is ANALOG_MESSAGE or EXTENDED_ANALOG: a PWM duty cycle or a
// servo angle; other pins ignore it.
func (d *Device) analogWrite(pin, v int) {
	if pin >= NumPins {
		return
	}
	if m := d.effMode(pin); m == ModePWM || m == ModeServo {
		d.b.value[pin] = v
		d.b.state[pin] = v
	}
}

// reportAnalog is REPORT_ANALOG; enabling it sends the value at once, as
// StandardFirmata does.
func (d *Device) reportAnalog(s *session, ch int, on bool) {
	d.b.reportAna[ch] = on
	if on && ch < NumAnalog {
		s.out = append(s.out, analogMsg(ch, d.in.analog[ch])...)
	}
}

// setPinMode is SET_PIN_MODE (protocol.md "set pin mode"). A mode the pin
// lacks is ignored; a mode number the firmware does not know gets a
// STRING_DATA "Unknown pin mode". An analog pin's reporting follows its
// mode: on when it becomes ANALOG, off otherwise.
func (d *Device) setPinMode(s *session, pin, mode int) {
	if pin >= NumPins {
		return
	}
	if !knownMode(mode, d.express) {
		s.out = append(s.out, stringData("Unknown pin mode")...)
		return
	}
	if !supports(pin, mode, d.express) {
		d.log.Debug("firmatasim: mode not supported; ignored", "pin", pin, "mode", mode)
		return
	}
	d.b.mode[pin] = mode
	d.b.state[pin] = 0
	if mode == ModePullup {
		d.b.state[pin] = 1
	}
	if isAnalog(pin) {
		d.reportAnalog(s, pin-FirstAnalogPin, mode == ModeAnalog)
	}
}

func (d *Device) handleSysex(s *session, cmd byte, argv []byte) {
	switch cmd {
	case sxFirmware:
		s.out = append(s.out, d.firmware()...)
	case sxCapabilityQ:
		// protocol.md "Capability Query": per pin, mode/resolution pairs
		// then 127.
		body := []byte{}
		for pin := range NumPins {
			for _, c := range capabilities(pin, d.express) {
				body = append(body, c.mode, c.res)
			}
			body = append(body, 0x7F)
		}
		s.out = append(s.out, sysex(sxCapabilityR, body...)...)
	case sxAnalogMapQ:
		// protocol.md "Analog Mapping Query": a channel per pin, 127 for
		// a pin with none.
		body := make([]byte, NumPins)
		for pin := range NumPins {
			body[pin] = 0x7F
			if isAnalog(pin) {
				body[pin] = byte(pin - FirstAnalogPin)
			}
		}
		s.out = append(s.out, sysex(sxAnalogMapR, body...)...)
	case sxPinStateQ:
		// protocol.md "Pin State Query": pin, mode, state in 7-bit bytes
		// (as many as it needs, at least one).
		if len(argv) < 1 || int(argv[0]) >= NumPins {
			return
		}
		pin := int(argv[0])
		st := d.b.state[pin]
		body := []byte{byte(pin), byte(d.effMode(pin))}
		body = append(body, byte(st&0x7F))
		for v := st >> 7; v > 0; v >>= 7 {
			body = append(body, byte(v&0x7F))
		}
		s.out = append(s.out, sysex(sxPinStateR, body...)...)
	case sxExtAnalog:
		// protocol.md "extended analog": pin, then the value's 7-bit bytes.
		if len(argv) >= 2 {
			d.analogWrite(int(argv[0]), from7(argv[1:]))
		}
	case sxServoConfig:
		// servos.md: pin, min pulse (2 bytes), max pulse (2 bytes); the pin
		// becomes a servo.
		if len(argv) < 5 || !isDigital(int(argv[0])) {
			return
		}
		pin := int(argv[0])
		d.b.servo[pin] = ServoRange{Min: from7(argv[1:3]), Max: from7(argv[3:5])}
		d.setPinMode(s, pin, ModeServo)
	case sxSamplingIntvl:
		// protocol.md "sampling interval": milliseconds, lsb and msb.
		if len(argv) < 2 {
			s.out = append(s.out, stringData("Not enough data")...)
			return
		}
		d.b.interval = max(time.Duration(from7(argv[:2]))*time.Millisecond, MinSamplingInterval)
	case sxI2CConfig:
		// i2c.md "I2C config": optional read delay; pins 18 and 19 become
		// I2C.
		d.b.i2cOn = true
		if len(argv) >= 2 {
			d.b.i2cDelay = from7(argv[:2])
		}
		for _, pin := range []int{18, 19} {
			d.b.mode[pin] = ModeI2C
			d.b.reportAna[pin-FirstAnalogPin] = false
		}
	case sxI2CRequest:
		d.i2cRequest(s, argv)
	default:
		if d.express && d.expressSysex(s, cmd, argv) {
			return
		}
		d.log.Debug("firmatasim: unknown sysex ignored", "command", cmd)
	}
}

// i2cRequest is I2C_REQUEST (i2c.md "I2C read/write request").
func (d *Device) i2cRequest(s *session, argv []byte) {
	if len(argv) < 2 {
		return
	}
	addr := int(argv[0])
	if argv[1]&0x20 != 0 { // 10-bit address: its top 3 bits in bits 2-0
		addr |= int(argv[1]&0x07) << 7
	}
	var vals []int // the 14-bit values that follow
	for i := 2; i+1 < len(argv); i += 2 {
		vals = append(vals, from7(argv[i:i+2]))
	}
	switch argv[1] >> 3 & 0x03 {
	case 0: // write: [register, data...] for a register device
		if addr != I2CAddr || len(vals) == 0 {
			return
		}
		d.i2cPtr = vals[0] & 0xFF
		for _, v := range vals[1:] {
			d.i2c[d.i2cPtr] = byte(v)
			d.i2cPtr = (d.i2cPtr + 1) & 0xFF
		}
	case 1, 2: // read once, read continuously: [register,] bytes to read
		reg, n := -1, 0
		switch {
		case len(vals) >= 2:
			reg, n = vals[0], vals[1]
		case len(vals) == 1:
			n = vals[0]
		default:
			return
		}
		if argv[1]>>3&0x03 == 1 {
			s.out = append(s.out, d.i2cRead(addr, reg, n)...)
			return
		}
		if len(d.b.queries) < MaxI2CQueries {
			d.b.queries = append(d.b.queries, i2cQuery{addr, reg, n})
		}
	case 3: // stop reading
		q := d.b.queries[:0]
		for _, x := range d.b.queries {
			if x.addr != addr {
				q = append(q, x)
			}
		}
		d.b.queries = q
	}
}

// i2cRead reads n bytes at reg (-1: where the device's pointer is) and
// returns the I2C_REPLY (i2c.md "I2C reply"); a device that is not there
// does not answer.
func (d *Device) i2cRead(addr, reg, n int) []byte {
	if addr != I2CAddr {
		return nil
	}
	if reg >= 0 {
		d.i2cPtr = reg & 0xFF
	}
	body := le7(le7(nil, addr, 2), reg, 2)
	for range min(n, MaxI2CRead) {
		body = le7(body, int(d.i2c[d.i2cPtr]), 2)
		d.i2cPtr = (d.i2cPtr + 1) & 0xFF
	}
	return sysex(sxI2CReply, body...)
}

// expressSysex handles FirmataExpress's own sysex (the formats
// pymata-express sends); it reports whether cmd was one of them.
func (d *Device) expressSysex(s *session, cmd byte, argv []byte) bool {
	switch cmd {
	case sxAreYouThere:
		s.out = append(s.out, sysex(sxIAmHere, byte(d.o.InstanceID&0x7F))...)
	case sxKeepAlive:
		// period in seconds (lsb, msb); 0 stops the watchdog.
		if len(argv) >= 2 {
			d.b.keepAlive = time.Duration(from7(argv[:2])) * time.Second
			d.kaTotal++
		}
	case sxTone:
		// TONE_TONE: pin, frequency (2 bytes), duration ms (2 bytes);
		// TONE_NO_TONE: pin.
		switch {
		case len(argv) >= 6 && argv[0] == 0:
			d.addTone(Tone{Pin: int(argv[1]), Freq: from7(argv[2:4]), Duration: time.Duration(from7(argv[4:6])) * time.Millisecond})
		case len(argv) >= 2 && argv[0] == 1:
			d.addTone(Tone{Pin: int(argv[1])})
		}
	case sxSonarConfig:
		// trigger pin, echo pin, timeout (2 bytes).
		if len(argv) < 4 || len(d.b.sonars) >= MaxSonars {
			return true
		}
		for _, x := range d.b.sonars {
			if x.trigger == int(argv[0]) {
				return true
			}
		}
		d.b.sonars = append(d.b.sonars, sonar{trigger: int(argv[0]), echo: int(argv[1])})
	case sxStepper:
		d.stepper(argv)
	default:
		return false
	}
	return true
}

func (d *Device) addTone(t Tone) {
	if len(d.tones) >= MaxTones {
		d.tones = append(d.tones[:0], d.tones[1:]...)
	}
	d.tones = append(d.tones, t)
}

// stepper is FirmataExpress's STEPPER_DATA: STEPPER_CONFIGURE (0, steps per
// revolution in 2 bytes, 2 or 4 pins) or STEPPER_STEP (1, speed in 3
// bytes, steps in 2 bytes, direction 1 forward / 0 reverse).
func (d *Device) stepper(argv []byte) {
	switch {
	case len(argv) >= 1 && argv[0] == 0:
		if len(argv) < 5 {
			return
		}
		pins := argv[3:min(len(argv), 7)]
		if len(pins) != 2 && len(pins) != 4 {
			return
		}
		st := StepperState{Configured: true, StepsPerRevolution: from7(argv[1:3])}
		for _, p := range pins {
			st.Pins = append(st.Pins, int(p))
			if int(p) < NumPins && isDigital(int(p)) {
				d.b.mode[p] = ModeStepper
			}
		}
		d.b.stepper = st
	case len(argv) >= 7 && argv[0] == 1:
		if !d.b.stepper.Configured {
			return
		}
		n := from7(argv[4:6])
		if argv[6] == 0 {
			n = -n
		}
		d.b.stepper.Position += n
		d.b.stepper.Moves++
		d.b.stepper.Speed = from7(argv[1:4])
	}
}
