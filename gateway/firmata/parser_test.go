package firmata

import (
	"bytes"
	"testing"
)

func collect(p *parser, b []byte) []message {
	var out []message
	p.feed(b, func(m message) {
		m.data = bytes.Clone(m.data)
		out = append(out, m)
	})
	return out
}

func TestParserMessages(t *testing.T) {
	p := newParser(16)
	in := []byte{
		0xF9, 2, 5, // REPORT_VERSION 2.5
		0x91, 0x7F, 0x01, // port 1: all 8 pins high
		0xE3, 0x7F, 0x07, // analog channel 3 = 1023
		0xF0, 0x79, 2, 5, 'S', 0, 0xF7, // REPORT_FIRMWARE 2.5 "S"
	}
	// Byte by byte: a message may arrive in any number of reads.
	var got []message
	for _, c := range in {
		got = append(got, collect(p, []byte{c})...)
	}
	want := []message{
		{cmd: cmdReportVersion, data: []byte{2, 5}},
		{cmd: cmdDigitalMessage, ch: 1, data: []byte{0x7F, 1}},
		{cmd: cmdAnalogMessage, ch: 3, data: []byte{0x7F, 7}},
		{sysex: true, cmd: sysexReportFirmware, data: []byte{2, 5, 'S', 0}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d messages %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i].sysex != want[i].sysex || got[i].cmd != want[i].cmd || got[i].ch != want[i].ch || !bytes.Equal(got[i].data, want[i].data) {
			t.Errorf("message %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if g := p.garbage.Load() + p.truncated.Load() + p.oversized.Load(); g != 0 {
		t.Errorf("clean input counted %d problems", g)
	}
	if n := decodeString([]byte{'S', 0, 't', 0, 0x69, 0x01}); n != "Sté" {
		t.Errorf("decodeString = %q", n)
	}
}

func TestParserSkipsGarbage(t *testing.T) {
	p := newParser(8)
	in := []byte{
		1, 2, 3, // data bytes outside any message: 3 garbage
		0xF7,       // END_SYSEX outside a sysex: garbage
		0x90, 0x01, // digital message cut short by...
		0xF0, 0x77, 1, 2, // ...a sysex cut short by...
		0xE0, 0x05, 0x00, // ...a good analog message
		0xF0, 0x71, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xF7, // sysex over 8 bytes: dropped
		0xF0, 0xF7, // empty sysex: truncated
		0xF9, 2, 6, // and the stream carries on
	}
	got := collect(p, in)
	if len(got) != 2 || got[0].cmd != cmdAnalogMessage || got[0].data[0] != 5 || got[1].cmd != cmdReportVersion || got[1].data[1] != 6 {
		t.Fatalf("messages %+v, want the analog message and the version", got)
	}
	if g := p.garbage.Load(); g != 4 {
		t.Errorf("garbage = %d, want 4", g)
	}
	if n := p.truncated.Load(); n != 3 {
		t.Errorf("truncated = %d, want 3", n)
	}
	if n := p.oversized.Load(); n != 1 {
		t.Errorf("oversized = %d, want 1", n)
	}
	if cap(p.buf) > 64 {
		t.Errorf("the sysex buffer grew to %d for an 8-byte limit", cap(p.buf))
	}
}

func TestCapabilities(t *testing.T) {
	// pin 0: none; pin 1: INPUT, OUTPUT, PWM 8 bits; pin 2: ANALOG 10 bits.
	body := []byte{0x7F, 0, 1, 1, 1, 3, 8, 0x7F, 2, 10, 0x7F}
	caps, err := parseCapabilities(body)
	if err != nil {
		t.Fatal(err)
	}
	caps.applyMapping([]byte{0x7F, 0x7F, 0})
	if len(caps) != 3 || !caps.can(1, modePWM) || caps.can(0, modeInput) || caps.resolution(2, modeAnalog) != 10 {
		t.Fatalf("caps %+v", caps)
	}
	if p, ok := caps.analogPin(0); !ok || p != 2 {
		t.Errorf("analogPin(0) = %d, %v", p, ok)
	}
	if s := caps.pinsWith(modeOutput); s != "1" {
		t.Errorf("pinsWith(OUTPUT) = %q", s)
	}
	if s := ranges([]int{0, 1, 2, 5, 7, 8}); s != "0-2, 5, 7-8" {
		t.Errorf("ranges = %q", s)
	}
	for _, bad := range [][]byte{{0, 1, 3}, {0}, append(bytes.Repeat([]byte{0x7F}, maxPins), 0x7F)} {
		if _, err := parseCapabilities(bad); err == nil {
			t.Errorf("parseCapabilities(% x) accepted", bad)
		}
	}
}

func TestEncoders(t *testing.T) {
	if got := analogWrite(nil, 3, 200); !bytes.Equal(got, []byte{0xE3, 0x48, 0x01}) {
		t.Errorf("analogWrite(3, 200) = % x", got)
	}
	if got := analogWrite(nil, 20, 200); !bytes.Equal(got, []byte{0xF0, 0x6F, 20, 0x48, 0x01, 0xF7}) {
		t.Errorf("analogWrite(20, 200) = % x", got)
	}
	if got := analogWrite(nil, 3, 1<<14); !bytes.Equal(got, []byte{0xF0, 0x6F, 3, 0, 0, 1, 0xF7}) {
		t.Errorf("analogWrite(3, 1<<14) = % x", got)
	}
	if got := twoByte(nil, []byte{0xFF, 3}); !bytes.Equal(got, []byte{0x7F, 1, 3, 0}) {
		t.Errorf("twoByte = % x", got)
	}
	if got := i2cReadRequest(0x50, 7, 2, i2cReadOnce); !bytes.Equal(got, []byte{0x50, 0x08, 7, 0, 2, 0}) {
		t.Errorf("i2cReadRequest = % x", got)
	}
}
