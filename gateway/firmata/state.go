package firmata

import (
	"maps"
	"slices"

	"github.com/gobanyan/banyan/gateway"
)

// state is what the host has asked of the board, kept to re-apply after a
// reconnection (the board has reset) and to read its reports.
type state struct {
	modes    map[int]byte // pin -> Firmata mode set
	ports    [16]byte     // digital output levels per port
	values   map[int]int  // pin -> last PWM duty or servo angle written
	digital  map[int]bool // input pins whose changes are reported
	analog   map[int]bool // analog channels reported
	last     map[int]int  // digital input pin -> last value reported
	lastA    map[int]int  // analog channel -> last value reported
	lastS    map[int]int  // sonar trigger pin -> last distance reported
	i2c      bool
	i2cCont  map[int][]byte // addr -> continuous read request body
	sonars   map[int][]byte // trigger pin -> SONAR_CONFIG body
	stepper  []byte         // STEPPER_DATA configure body
	servoCfg map[int]bool
}

func newState() state {
	return state{modes: map[int]byte{}, values: map[int]int{}, digital: map[int]bool{}, analog: map[int]bool{},
		last: map[int]int{}, lastA: map[int]int{}, lastS: map[int]int{}, i2cCont: map[int][]byte{},
		sonars: map[int][]byte{}, servoCfg: map[int]bool{}}
}

// linkReset forgets the values last reported: after a (re)connection the
// board reports every input afresh.
func (s *state) linkReset() {
	clear(s.last)
	clear(s.lastA)
	clear(s.lastS)
}

func isInput(m byte) bool { return m == modeInput || m == modePullup }

// portReporting reports whether any pin of port wants its changes reported.
func (s *state) portReporting(port int) bool {
	for pin := port * 8; pin < port*8+8; pin++ {
		if s.digital[pin] && isInput(s.modes[pin]) {
			return true
		}
	}
	return false
}

// replay sends everything state holds to a board that has just
// (re)started: sampling interval, i2c, pin modes, outputs, reporting,
// sonars, stepper, continuous i2c reads. b.mu is held.
func (b *Board) replay() error {
	s := &b.st
	var out []byte
	if iv := int(b.o.SamplingInterval.Milliseconds()); iv > 0 {
		out = sysex(out, sysexSamplingInterval, lsb(iv), msb(iv))
	}
	if s.i2c {
		out = sysex(out, sysexI2CConfig, 0, 0)
	}
	for _, pin := range slices.Sorted(maps.Keys(s.modes)) {
		m := s.modes[pin]
		if m == modeServo {
			out = servoConfig(out, pin)
		}
		out = append(out, cmdSetPinMode, byte(pin), m)
	}
	for port, v := range s.ports {
		if v != 0 {
			out = append(out, cmdDigitalMessage|byte(port), v&0x7F, v>>7)
		}
	}
	for _, pin := range slices.Sorted(maps.Keys(s.values)) {
		out = analogWrite(out, pin, s.values[pin])
	}
	for port := range 16 {
		if s.portReporting(port) {
			out = append(out, cmdReportDigital|byte(port), 1)
		}
	}
	for _, ch := range slices.Sorted(maps.Keys(s.analog)) {
		out = append(out, cmdReportAnalog|byte(ch), 1)
	}
	for _, pin := range slices.Sorted(maps.Keys(s.sonars)) {
		out = sysex(out, sysexSonarConfig, s.sonars[pin]...)
	}
	if s.stepper != nil {
		out = sysex(out, sysexStepperData, s.stepper...)
	}
	for _, addr := range slices.Sorted(maps.Keys(s.i2cCont)) {
		out = sysex(out, sysexI2CRequest, s.i2cCont[addr]...)
	}
	if len(out) == 0 {
		return nil
	}
	return b.send(out)
}

// handle takes a message from the board (on the link's reader goroutine)
// and turns readings into reports.
func (b *Board) handle(l *link, m message) {
	var reports []gateway.Report
	b.mu.Lock()
	if b.l != l {
		b.mu.Unlock()
		return
	}
	s := &b.st
	switch {
	case !m.sysex && m.cmd == cmdDigitalMessage:
		port := int(m.ch)
		bits := int(m.data[0]) | int(m.data[1])<<7
		for i := range 8 {
			pin := port*8 + i
			if !s.digital[pin] || !isInput(s.modes[pin]) {
				continue
			}
			v := bits >> i & 1
			if last, ok := s.last[pin]; ok && last == v {
				continue
			}
			s.last[pin] = v
			reports = append(reports, gateway.DigitalInput{Pin: pin, Value: v})
		}
	case !m.sysex && m.cmd == cmdAnalogMessage:
		ch := int(m.ch)
		v := int(m.data[0]) | int(m.data[1])<<7
		if !s.analog[ch] {
			break
		}
		if last, ok := s.lastA[ch]; ok && b.o.AnalogChange > 0 && abs(v-last) < b.o.AnalogChange {
			break
		}
		s.lastA[ch] = v
		reports = append(reports, gateway.AnalogInput{Pin: ch, Value: v})
	case m.sysex && m.cmd == sysexSonarData && len(m.data) >= 3:
		pin := int(m.data[0])
		cm := int(m.data[1]) | int(m.data[2])<<7
		if _, ok := s.sonars[pin]; !ok {
			break
		}
		if last, ok := s.lastS[pin]; ok && last == cm {
			break
		}
		s.lastS[pin] = cm
		reports = append(reports, gateway.SonarData{Value: float64(cm), TriggerPin: &pin})
	case m.sysex && m.cmd == sysexI2CReply:
		if r := b.i2cReply(m.data); r != nil {
			reports = append(reports, r)
		}
	case m.sysex && m.cmd == sysexStringData:
		b.log.Info("firmata board says", "port", b.name, "text", decodeString(m.data))
	default:
		l.unknown.Add(1)
	}
	b.mu.Unlock()
	b.emit(reports)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
