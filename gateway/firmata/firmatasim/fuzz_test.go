package firmatasim

import (
	"bytes"
	"testing"
)

// Whatever the host sends, the parser yields well-formed messages and keeps
// no more than MaxSysex bytes.
func FuzzParser(f *testing.F) {
	f.Add([]byte{0xF9, 0xF0, 0x79, 0xF7, 0x90, 0x01})
	f.Add([]byte{0xF0, 0x76, 0x50, 0x08, 0xF4, 13, 1, 0x05, 0xF7, 0xFF})
	f.Add(bytes.Repeat([]byte{0xF0, 0x41}, 100))
	f.Fuzz(func(t *testing.T, in []byte) {
		p := newParser()
		for _, b := range in {
			msg := p.feed(b)
			if cap(p.data) > MaxSysex {
				t.Fatalf("parser buffer grew to %d", cap(p.data))
			}
			if msg == nil {
				continue
			}
			switch {
			case msg[0] == startSysex:
				if len(msg) < 3 || msg[len(msg)-1] != endSysex || len(msg) > MaxSysex+2 {
					t.Fatalf("bad sysex % X", msg)
				}
				for _, c := range msg[1 : len(msg)-1] {
					if c&0x80 != 0 {
						t.Fatalf("sysex with a command byte inside: % X", msg)
					}
				}
			default:
				if n := dataBytes(msg[0]); n < 0 || len(msg) != n+1 {
					t.Fatalf("bad message % X", msg)
				}
			}
		}
	})
}

// Whatever the host sends, the firmware does not panic and still answers.
func FuzzFirmware(f *testing.F) {
	f.Add([]byte{0xF0, 0x76, 0x50, 0x10, 0x7F, 0x7F, 0x7F, 0x7F, 0xF7})
	f.Add([]byte{0xF0, 0x72, 0, 1, 0xF7, 0xF0, 0x5F, 0, 0xF7, 0xF4, 0x7F, 0x7F})
	f.Add([]byte{0xF0, 0x6F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0xF7, 0xF0, 0x7A, 0xF7})
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, express := range []bool{false, true} {
			o := Options{}
			if express {
				o.Firmware = "FirmataExpress"
			}
			d := New(o)
			s := &session{}
			for i := range s.sentPort {
				s.sentPort[i] = -1
			}
			p := newParser()
			for _, b := range in {
				if msg := p.feed(b); msg != nil {
					d.handle(s, msg)
				}
			}
			d.checkDigital(s)
			d.sample(s)
			if len(s.out) > 1<<16 {
				t.Fatalf("%d bytes of replies to %d bytes", len(s.out), len(in))
			}
		}
	})
}
