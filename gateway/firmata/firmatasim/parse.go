package firmatasim

// parser splits the host's bytes into Firmata messages (protocol.md
// "Message Types"): a command byte (high bit set) and its data bytes (high
// bit clear), or START_SYSEX ... END_SYSEX. A byte with the high bit set
// always starts a new message: one cutting a message short (even a sysex)
// drops it. Data bytes with no command are dropped, as is a sysex longer
// than MaxSysex. Memory is bounded by MaxSysex whatever the host sends.
type parser struct {
	cmd      byte
	need     int // data bytes still needed by cmd
	data     []byte
	inSysex  bool
	overflow bool
	dropped  int // messages skipped since the last take
}

func newParser() *parser { return &parser{data: make([]byte, 0, MaxSysex)} }

// dataBytes is how many data bytes a command byte takes; -1 for a byte
// that is not a command the firmware knows.
func dataBytes(b byte) int {
	switch b & 0xF0 {
	case msgDigital, msgAnalog:
		return 2
	case msgReportAna, msgReportDig:
		return 1
	}
	switch b {
	case msgSetPinMode, msgSetPinValue:
		return 2
	case msgVersion, msgReset:
		return 0
	}
	return -1
}

// feed takes one byte; it returns a complete message, which stays valid
// until the next call.
func (p *parser) feed(b byte) []byte {
	if p.inSysex {
		switch {
		case b == endSysex:
			p.inSysex = false
			if p.overflow || len(p.data) == 0 {
				p.dropped++
				return nil
			}
			msg := append([]byte{startSysex}, p.data...)
			return append(msg, endSysex)
		case b&0x80 == 0:
			if len(p.data) < MaxSysex {
				p.data = append(p.data, b)
			} else {
				p.overflow = true
			}
			return nil
		}
		// A command byte inside a sysex: the sysex is lost.
		p.inSysex = false
		p.dropped++
	}
	if b&0x80 == 0 {
		if p.need == 0 {
			p.dropped++ // a data byte with no command
			return nil
		}
		p.data = append(p.data, b)
		p.need--
		if p.need > 0 {
			return nil
		}
		return append([]byte{p.cmd}, p.data...)
	}
	if p.need > 0 {
		p.dropped++ // cut short
		p.need = 0
	}
	p.data = p.data[:0]
	if b == startSysex {
		p.inSysex, p.overflow = true, false
		return nil
	}
	n := dataBytes(b)
	switch {
	case n < 0:
		p.dropped++ // END_SYSEX alone, or a command the firmware lacks
		return nil
	case n == 0:
		return []byte{b}
	}
	p.cmd, p.need = b, n
	return nil
}

// take returns and clears the count of dropped messages.
func (p *parser) take() int {
	n := p.dropped
	p.dropped = 0
	return n
}

// reset forgets any message in progress (the firmware restarted).
func (p *parser) reset() {
	p.need, p.inSysex, p.overflow = 0, false, false
	p.data = p.data[:0]
}
