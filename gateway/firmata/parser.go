package firmata

import "sync/atomic"

// DefaultMaxSysex is the longest sysex message body the driver accepts
// (Options.MaxSysex); a longer one is dropped and counted.
const DefaultMaxSysex = 4096

// message is one complete message from the board. For DIGITAL_MESSAGE,
// ANALOG_MESSAGE and REPORT_VERSION, cmd is the status byte without its
// channel, ch the channel (port, analog channel) and data the two data
// bytes. For a sysex message, sysex is true, cmd is the sysex command and
// data the body between it and END_SYSEX. data is valid only during the
// call that receives the message.
type message struct {
	sysex bool
	cmd   byte
	ch    byte
	data  []byte
}

// parser splits the byte stream from a board into messages. Bytes that
// belong to no message are skipped and counted (garbage), a message cut
// short by a status byte is dropped and counted (truncated), and a sysex
// body longer than max is dropped and counted (oversized). Memory grows
// with the bytes of one sysex received, up to max.
type parser struct {
	max    int
	state  int // parseIdle, parseShort, parseSysex, parseSkip
	status byte
	short  [2]byte
	n      int
	buf    []byte

	garbage, truncated, oversized, messages atomic.Uint64
}

const (
	parseIdle = iota
	parseShort
	parseSysex
	parseSkip // inside an oversized sysex, until END_SYSEX
)

func newParser(max int) *parser {
	if max <= 0 {
		max = DefaultMaxSysex
	}
	return &parser{max: max}
}

// reset forgets a message in progress (a new link).
func (p *parser) reset() { p.state, p.n, p.buf = parseIdle, 0, p.buf[:0] }

// feed parses b, calling emit for each complete message.
func (p *parser) feed(b []byte, emit func(message)) {
	for _, c := range b {
		if c >= 0x80 {
			p.statusByte(c, emit)
			continue
		}
		switch p.state {
		case parseIdle:
			p.garbage.Add(1)
		case parseShort:
			p.short[p.n] = c
			p.n++
			if p.n == 2 {
				p.state = parseIdle
				p.messages.Add(1)
				m := message{cmd: p.status &^ 0x0F, ch: p.status & 0x0F, data: p.short[:]}
				if p.status == cmdReportVersion {
					m.cmd, m.ch = cmdReportVersion, 0
				}
				emit(m)
			}
		case parseSysex:
			if len(p.buf) >= p.max+1 { // command byte plus max body bytes
				p.oversized.Add(1)
				p.state, p.buf = parseSkip, p.buf[:0]
				continue
			}
			p.buf = append(p.buf, c)
		case parseSkip:
		}
	}
}

func (p *parser) statusByte(c byte, emit func(message)) {
	switch p.state {
	case parseShort:
		p.truncated.Add(1)
	case parseSysex:
		if c == cmdEndSysex {
			p.state = parseIdle
			if len(p.buf) == 0 {
				p.truncated.Add(1) // START_SYSEX END_SYSEX: no command
				return
			}
			p.messages.Add(1)
			emit(message{sysex: true, cmd: p.buf[0], data: p.buf[1:]})
			p.buf = p.buf[:0]
			return
		}
		p.truncated.Add(1)
		p.buf = p.buf[:0]
	case parseSkip:
		if c == cmdEndSysex {
			p.state = parseIdle
			return
		}
	}
	p.state = parseIdle
	switch {
	case c == cmdStartSysex:
		p.state, p.buf = parseSysex, p.buf[:0]
	case c == cmdReportVersion, c&0xF0 == cmdDigitalMessage, c&0xF0 == cmdAnalogMessage:
		p.state, p.status, p.n = parseShort, c, 0
	default:
		// END_SYSEX outside a sysex, or a status byte a board does not send.
		p.garbage.Add(1)
	}
}
