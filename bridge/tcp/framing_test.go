package tcp_test

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gobanyan/banyan/bridge/tcp"
)

// {'Led_0': 0}, as Python's msgpack packs it.
var led0 = []byte{0x81, 0xa5, 'L', 'e', 'd', '_', '0', 0x00}

func TestEncodeGolden(t *testing.T) {
	cases := []struct {
		name  string
		f     tcp.Framing
		topic string
		want  []byte
	}{
		{"tgw", tcp.Framing{}, "figura", append([]byte{0x08}, led0...)},
		{"1 byte explicit", tcp.Framing{LengthBytes: 1}, "", append([]byte{0x08}, led0...)},
		{"2 bytes", tcp.Framing{LengthBytes: 2}, "figura", append([]byte{0x00, 0x08}, led0...)},
		{"4 bytes", tcp.Framing{LengthBytes: 4}, "figura", append([]byte{0, 0, 0, 0x08}, led0...)},
		{"topic", tcp.Framing{Topic: true}, "figura",
			append([]byte{0x10, 0x92, 0xa6, 'f', 'i', 'g', 'u', 'r', 'a'}, led0...)},
		{"topic str8", tcp.Framing{LengthBytes: 2, Topic: true}, strings.Repeat("t", 40),
			append(append([]byte{0x00, 1 + 2 + 40 + 8, 0x92, 0xd9, 40}, strings.Repeat("t", 40)...), led0...)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.f.Encode(c.topic, led0)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, c.want) {
				t.Fatalf("Encode = % x, want % x", got, c.want)
			}
			// And it reads back.
			body, err := c.f.ReadFrame(bytes.NewReader(got))
			if err != nil {
				t.Fatal(err)
			}
			topic, payload, err := c.f.Split(body)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(payload, led0) {
				t.Fatalf("payload % x", payload)
			}
			if c.f.Topic && topic != c.topic {
				t.Fatalf("topic %q, want %q", topic, c.topic)
			}
		})
	}
}

// msgpack bin of n bytes (bin8 or bin16), a payload of exactly 2/3+n bytes.
func binPayload(n int) []byte {
	if n < 256 {
		return append([]byte{0xc4, byte(n)}, make([]byte, n)...)
	}
	return append([]byte{0xc5, byte(n >> 8), byte(n)}, make([]byte, n)...)
}

func TestLimits(t *testing.T) {
	cases := []struct {
		f       tcp.Framing
		max     int
		topic   string
		payload []byte
		ok      bool
	}{
		{tcp.Framing{}, 255, "", binPayload(253), true},  // 255 bytes
		{tcp.Framing{}, 255, "", binPayload(254), false}, // 256 bytes
		{tcp.Framing{Topic: true}, 255, "ab", binPayload(253), false},
		{tcp.Framing{LengthBytes: 2}, 65535, "", binPayload(300), true},
		{tcp.Framing{LengthBytes: 2, MaxFrame: 100}, 100, "", binPayload(300), false},
		{tcp.Framing{LengthBytes: 4}, tcp.DefaultMaxFrame, "", binPayload(60000), true},
		{tcp.Framing{LengthBytes: 4, MaxFrame: 1000}, 1000, "", binPayload(1000), false},
		{tcp.Framing{MaxFrame: 1000}, 255, "", binPayload(300), false}, // MaxFrame cannot exceed the field
	}
	for i, c := range cases {
		if got := c.f.Max(); got != c.max {
			t.Errorf("%d: Max = %d, want %d", i, got, c.max)
		}
		frame, err := c.f.Encode(c.topic, c.payload)
		if c.ok != (err == nil) {
			t.Errorf("%d: Encode(%d bytes) error %v, want ok=%v", i, len(c.payload), err, c.ok)
		}
		if err != nil && !errors.Is(err, tcp.ErrFrameTooLarge) {
			t.Errorf("%d: error %v does not wrap ErrFrameTooLarge", i, err)
		}
		if err == nil && len(frame) != c.f.LengthBytes+len(c.payload) && c.f.LengthBytes != 0 {
			t.Errorf("%d: frame of %d bytes", i, len(frame))
		}
	}
}

func TestReadFrame(t *testing.T) {
	var f tcp.Framing
	stream := append(append([]byte{0x08}, led0...), append([]byte{0x08}, led0...)...)
	// One byte per Read: tgw's read(n) would cut frames; ReadFull does not.
	r := iotest.OneByteReader(bytes.NewReader(stream))
	for i := 0; i < 2; i++ {
		body, err := f.ReadFrame(r)
		if err != nil || !bytes.Equal(body, led0) {
			t.Fatalf("frame %d: % x, %v", i, body, err)
		}
	}
	if _, err := f.ReadFrame(r); err != io.EOF {
		t.Fatalf("at the end: %v, want io.EOF", err)
	}
	// Cut inside the body, and inside a 2-byte length field.
	if _, err := f.ReadFrame(bytes.NewReader([]byte{0x08, 0x81, 0xa5})); err != io.ErrUnexpectedEOF {
		t.Fatalf("cut body: %v, want io.ErrUnexpectedEOF", err)
	}
	if _, err := (tcp.Framing{LengthBytes: 2}).ReadFrame(bytes.NewReader([]byte{0x00})); err != io.ErrUnexpectedEOF {
		t.Fatalf("cut length: %v, want io.ErrUnexpectedEOF", err)
	}
	// A length over the limit is refused before anything is allocated or read.
	big := tcp.Framing{LengthBytes: 4}
	if _, err := big.ReadFrame(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff, 0x01})); !errors.Is(err, tcp.ErrFrameTooLarge) {
		t.Fatalf("huge length: %v, want ErrFrameTooLarge", err)
	}
	// Zero length: an empty body (a keep-alive).
	body, err := f.ReadFrame(bytes.NewReader([]byte{0x00}))
	if err != nil || len(body) != 0 {
		t.Fatalf("empty frame: % x, %v", body, err)
	}
}

func TestSplitRejects(t *testing.T) {
	plain, topic := tcp.Framing{}, tcp.Framing{Topic: true}
	bad := []struct {
		name string
		f    tcp.Framing
		body []byte
	}{
		{"never-used byte", plain, []byte{0xc1}},
		{"text", plain, []byte("hello")},
		{"truncated map", plain, []byte{0x81, 0xa5, 'L'}},
		{"trailing bytes", plain, append(append([]byte{}, led0...), 0x00)},
		{"not an array", topic, led0},
		{"array of 3", topic, []byte{0x93, 0xa1, 'a', 0x01, 0x02}},
		{"topic not str", topic, []byte{0x92, 0x01, 0x02}},
		{"empty topic", topic, []byte{0x92, 0xa0, 0x01}},
		{"topic truncated", topic, []byte{0x92, 0xa5, 'a'}},
		{"topic not UTF-8", topic, []byte{0x92, 0xa1, 0xff, 0x01}},
		{"reserved topic", topic, append([]byte{0x92, 0xac}, append([]byte("__banyan/x/y"), 0x01)...)},
		{"payload missing", topic, []byte{0x92, 0xa1, 'a'}},
		{"payload not msgpack", topic, []byte{0x92, 0xa1, 'a', 0xc1}},
		{"two payloads", topic, []byte{0x92, 0xa1, 'a', 0x01, 0x02}},
	}
	for _, c := range bad {
		if _, _, err := c.f.Split(c.body); !errors.Is(err, tcp.ErrBadFrame) {
			t.Errorf("%s: Split(% x) = %v, want ErrBadFrame", c.name, c.body, err)
		}
	}
	// Longer array headers for [topic, payload] are accepted too.
	for _, hdr := range [][]byte{{0xdc, 0, 2}, {0xdd, 0, 0, 0, 2}} {
		body := append(append(hdr, 0xa1, 'a'), led0...)
		tp, p, err := topic.Split(body)
		if err != nil || tp != "a" || !bytes.Equal(p, led0) {
			t.Errorf("header % x: %q % x %v", hdr, tp, p, err)
		}
	}
}

// A length field is a claim, not a fact: memory grows with the bytes that
// arrive. A 256 MiB claim followed by ten bytes allocates far less.
func TestReadFrameAllocatesWhatArrives(t *testing.T) {
	f := tcp.Framing{LengthBytes: 4, MaxFrame: 256 << 20}
	stream := append([]byte{0x10, 0, 0, 0}, make([]byte, 10)...)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := f.ReadFrame(bytes.NewReader(stream))
	runtime.ReadMemStats(&after)
	if err != io.ErrUnexpectedEOF {
		t.Fatalf("claim of 256 MiB, 10 bytes sent: %v, want io.ErrUnexpectedEOF", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Fatalf("allocated %d bytes for 10 bytes received", got)
	}
	// A frame that really is that long (here 3 MiB) still reads whole.
	f.MaxFrame = 3 << 20
	body := make([]byte, 3<<20)
	body[len(body)-1] = 0x2a
	got, err := f.ReadFrame(iotest.HalfReader(bytes.NewReader(append([]byte{0x00, 0x30, 0, 0}, body...))))
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("3 MiB frame: %d bytes, %v", len(got), err)
	}
}

// Lengths inside a body (topic str32, array32) are checked against what is
// there before they are converted or added: on 32-bit platforms
// int(0xffffffff) is negative.
func TestSplitHugeInnerLengths(t *testing.T) {
	f := tcp.Framing{Topic: true}
	for _, body := range [][]byte{
		{0x92, 0xdb, 0xff, 0xff, 0xff, 0xff, 'a', 0x01},
		{0x92, 0xdb, 0x80, 0x00, 0x00, 0x00, 'a', 0x01},
		{0x92, 0xdb, 0xff, 0xff, 0xff, 0xfe, 'a', 0x01},
		{0x92, 0xda, 0xff, 0xff, 'a', 0x01},
		{0xdd, 0xff, 0xff, 0xff, 0xff, 0xa1, 'a', 0x01},
	} {
		if _, _, err := f.Split(body); !errors.Is(err, tcp.ErrBadFrame) {
			t.Errorf("Split(% x) = %v, want ErrBadFrame", body, err)
		}
	}
}

// A Framing that was never checked (a literal, not through New) is refused
// by Encode and ReadFrame, not a panic.
func TestFramingMethodsCheck(t *testing.T) {
	for _, f := range []tcp.Framing{{LengthBytes: 8}, {LengthBytes: -1}, {LengthBytes: 3}, {MaxFrame: -5}} {
		if _, err := f.ReadFrame(bytes.NewReader(make([]byte, 16))); !errors.Is(err, tcp.ErrBadFraming) {
			t.Errorf("%+v: ReadFrame: %v, want ErrBadFraming", f, err)
		}
		if _, err := f.Encode("t", []byte{0x01}); !errors.Is(err, tcp.ErrBadFraming) {
			t.Errorf("%+v: Encode: %v, want ErrBadFraming", f, err)
		}
	}
}
