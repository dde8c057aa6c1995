package benchmark

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/gobanyan/banyan"
)

func TestPayloadSizeExact(t *testing.T) {
	for _, tc := range []struct {
		size int
		head byte
	}{{16, 0xc4}, {17, 0xc4}, {255, 0xc4}, {256, 0xc4}, {257, 0xc4}, {258, 0xc5}, {65535, 0xc5}, {65536, 0xc5}, {65538, 0xc5}, {65539, 0xc6}, {1 << 20, 0xc6}} {
		p, err := newPayload(tc.size)
		if err != nil {
			t.Fatal(err)
		}
		stampPayload(p, 12345, false, 42)
		if len(p) != tc.size || p[0] != tc.head {
			t.Errorf("size %d: %d bytes, header %#x, want %#x", tc.size, len(p), p[0], tc.head)
		}
		// Any Banyan component reads it: well-formed msgpack, a []byte of
		// the rest.
		if err := banyan.Validate(p); err != nil {
			t.Errorf("size %d: not valid msgpack: %v", tc.size, err)
		}
		var data []byte
		if err := banyan.Unmarshal(p, &data); err != nil || len(data) != tc.size-payloadHead(tc.size) {
			t.Errorf("size %d: decodes to %d bytes (%v), want %d", tc.size, len(data), err, tc.size-payloadHead(tc.size))
		}
		if seq, warm, sent, ok := parsePayload(p); !ok || seq != 12345 || warm || sent != 42 {
			t.Errorf("size %d: parsed %d %v %d %v", tc.size, seq, warm, sent, ok)
		}
	}
	for _, bad := range []int{-1, 0, 1, 15} {
		if _, err := newPayload(bad); err == nil {
			t.Errorf("size %d accepted", bad)
		}
	}
}

func TestPayloadRoundTrip(t *testing.T) {
	p, _ := newPayload(MinSize)
	for _, tc := range []struct {
		seq  uint64
		warm bool
		sent int64
	}{{0, false, 0}, {1, true, 1}, {seqMask &^ warmBit, false, -1}, {seqMask &^ warmBit, true, 1<<63 - 1}, {0xabcdef012345 &^ warmBit, false, 1765000000123456789}} {
		stampPayload(p, tc.seq, tc.warm, tc.sent)
		seq, warm, sent, ok := parsePayload(p)
		if !ok || seq != tc.seq || warm != tc.warm || sent != tc.sent {
			t.Errorf("%+v: parsed %d %v %d %v", tc, seq, warm, sent, ok)
		}
	}
	// The layout is the documented one: 6-byte sequence, 8-byte time.
	stampPayload(p, 0x010203040506, false, 0x0708090a0b0c0d0e)
	want := []byte{0xc4, 14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}
	if !bytes.Equal(p, want) {
		t.Errorf("wire form % x, want % x", p, want)
	}
}

func TestPayloadForeign(t *testing.T) {
	good, _ := newPayload(300) // bin16
	stampPayload(good, 7, false, 9)
	bin32, _ := newPayload(70000)
	u32 := func(n uint32) []byte { return binary.BigEndian.AppendUint32([]byte{0xc6}, n) }
	cases := map[string][]byte{
		"nil":                nil,
		"empty":              {},
		"one byte":           {0xc4},
		"nil msgpack":        {0xc0},
		"short bin8":         {0xc4, 14, 1, 2, 3},
		"bin8 under 14":      append([]byte{0xc4, 13}, make([]byte, 13)...),
		"bin8 claims more":   append([]byte{0xc4, 20}, make([]byte, 14)...),
		"bin8 claims less":   append([]byte{0xc4, 14}, make([]byte, 15)...),
		"bin16 truncated":    good[:len(good)-1],
		"bin16 header only":  good[:3],
		"bin32 claims 4 GiB": append(u32(0xffffffff), make([]byte, 20)...),
		"bin32 truncated":    bin32[:len(bin32)-100],
		"str":                append([]byte{0xae}, make([]byte, 14)...),
		"map":                {0x81, 0xa1, 'a', 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"bin16 with extra":   append(append([]byte{}, good...), 0),
	}
	for name, p := range cases {
		if _, _, _, ok := parsePayload(p); ok {
			t.Errorf("%s (% x): accepted", name, p[:min(len(p), 8)])
		}
	}
	// Every truncation of a good payload is refused, never a panic.
	for n := range len(good) {
		if _, _, _, ok := parsePayload(good[:n]); ok {
			t.Errorf("good payload cut to %d bytes accepted", n)
		}
	}
}

func TestPayloadNoAlloc(t *testing.T) {
	p, _ := newPayload(256)
	if n := testing.AllocsPerRun(100, func() {
		stampPayload(p, 5, false, 6)
		parsePayload(p)
	}); n != 0 {
		t.Errorf("%v allocations per stamp and parse", n)
	}
	s := newSubscriber(map[string]int{"bench/0": 0}, 256)
	if n := testing.AllocsPerRun(100, func() { s.deliver("bench/0", p) }); n != 0 {
		t.Errorf("%v allocations per delivery", n)
	}
}

func FuzzParsePayload(f *testing.F) {
	p, _ := newPayload(MinSize)
	f.Add(p)
	f.Add([]byte{0xc5, 0, 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		seq, warm, sent, ok := parsePayload(b) // never panics
		if !ok {
			return
		}
		// What parses is a bin whose header claims exactly the rest, at
		// least 14 bytes, which a Banyan component decodes.
		var data []byte
		if err := banyan.Unmarshal(b, &data); err != nil || len(data) < 14 {
			t.Fatalf("% x accepted, but decodes to %d bytes (%v)", b, len(data), err)
		}
		q := data[:14:14]
		got := append([]byte{0xc4, 14}, q...)
		if s2, w2, t2, _ := parsePayload(got); s2 != seq || w2 != warm || t2 != sent {
			t.Fatalf("% x: parsed %d %v %d, its data %d %v %d", b, seq, warm, sent, s2, w2, t2)
		}
	})
}
