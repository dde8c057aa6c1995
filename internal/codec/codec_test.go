package codec

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// h decodes hex written with optional spaces.
func h(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// cat concatenates byte slices.
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// equalGeneric compares values made of the generic decode types (and []byte,
// numbers of any Go type) exactly: same dynamic types, floats bit for bit
// (so NaN equals the same NaN), maps and slices element by element.
func equalGeneric(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y) && (x == nil) == (y == nil)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		for i := range x {
			if !equalGeneric(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equalGeneric(v, w) {
				return false
			}
		}
		return true
	}
	return a == b
}

func show(v any) string {
	s := fmt.Sprintf("%#v", v)
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

func showHex(b []byte) string {
	s := hex.EncodeToString(b)
	if len(s) > 200 {
		s = s[:200] + fmt.Sprintf("... (%d bytes)", len(b))
	}
	return s
}

// ---- values used by several tests ----

// testNDArray writes itself like msgpack-numpy writes an ndarray: a map with
// bin keys (reference §2.7).
type testNDArray struct {
	dtype string
	shape []int
	data  []byte
}

func (a testNDArray) EncodeMsgpack(e *msgpack.Encoder) error {
	if err := e.EncodeMapLen(5); err != nil {
		return err
	}
	_ = e.EncodeBytes([]byte("nd"))
	_ = e.EncodeBool(true)
	_ = e.EncodeBytes([]byte("type"))
	_ = e.EncodeString(a.dtype)
	_ = e.EncodeBytes([]byte("kind"))
	_ = e.EncodeBytes([]byte{})
	_ = e.EncodeBytes([]byte("shape"))
	_ = e.EncodeArrayLen(len(a.shape))
	for _, n := range a.shape {
		_ = e.EncodeInt(int64(n))
	}
	_ = e.EncodeBytes([]byte("data"))
	return e.EncodeBytes(a.data)
}

// testNPScalar writes itself like msgpack-numpy writes a numpy scalar.
type testNPScalar struct {
	dtype string
	data  []byte
}

func (s testNPScalar) EncodeMsgpack(e *msgpack.Encoder) error {
	_ = e.EncodeMapLen(3)
	_ = e.EncodeBytes([]byte("nd"))
	_ = e.EncodeBool(false)
	_ = e.EncodeBytes([]byte("type"))
	_ = e.EncodeString(s.dtype)
	_ = e.EncodeBytes([]byte("data"))
	return e.EncodeBytes(s.data)
}

// testMarshaler returns fixed bytes through msgpack.Marshaler.
type testMarshaler []byte

func (m testMarshaler) MarshalMsgpack() ([]byte, error) { return m, nil }

// float32Encoder writes a float32 from a custom encoder.
type float32Encoder float32

func (f float32Encoder) EncodeMsgpack(e *msgpack.Encoder) error { return e.EncodeFloat32(float32(f)) }

// badEncoder writes two values where one is expected.
type badEncoder struct{}

func (badEncoder) EncodeMsgpack(e *msgpack.Encoder) error {
	_ = e.EncodeInt(1)
	return e.EncodeInt(2)
}

type tagged struct {
	Topic    string  `msgpack:"topic"`
	Seq      uint16  `json:"seq"`
	Ratio    float32 `msgpack:"ratio"`
	Both     int     `msgpack:"both" json:"ignored"`
	Hidden   string  `msgpack:"-"`
	HiddenJS string  `json:"-"`
	Plain    bool
	Empty    string `msgpack:"empty,omitempty"`
	private  int
}

// ---- integers ----

type intCase struct {
	n   int64  // value when signed
	u   uint64 // value when above MaxInt64 (n unused)
	big bool
	hex string
}

var intCases = []intCase{
	{n: 0, hex: "00"},
	{n: 1, hex: "01"},
	{n: 10, hex: "0a"},
	{n: 127, hex: "7f"},
	{n: 128, hex: "cc 80"},
	{n: 200, hex: "cc c8"},
	{n: 255, hex: "cc ff"},
	{n: 256, hex: "cd 01 00"},
	{n: 65535, hex: "cd ff ff"},
	{n: 65536, hex: "ce 00 01 00 00"},
	{n: 1<<32 - 1, hex: "ce ff ff ff ff"},
	{n: 1 << 32, hex: "cf 00 00 00 01 00 00 00 00"},
	{n: math.MaxInt64, hex: "cf 7f ff ff ff ff ff ff ff"},
	{u: 1 << 63, big: true, hex: "cf 80 00 00 00 00 00 00 00"},
	{u: math.MaxUint64, big: true, hex: "cf ff ff ff ff ff ff ff ff"},
	{n: -1, hex: "ff"},
	{n: -32, hex: "e0"},
	{n: -33, hex: "d0 df"},
	{n: -100, hex: "d0 9c"},
	{n: -128, hex: "d0 80"},
	{n: -129, hex: "d1 ff 7f"},
	{n: -32768, hex: "d1 80 00"},
	{n: -32769, hex: "d2 ff ff 7f ff"},
	{n: math.MinInt32, hex: "d2 80 00 00 00"},
	{n: math.MinInt32 - 1, hex: "d3 ff ff ff ff 7f ff ff ff"},
	{n: math.MinInt64, hex: "d3 80 00 00 00 00 00 00 00"},
}

// variants returns the value as every Go integer type that can hold it.
func (c intCase) variants() []any {
	// int and uint only where they hold the value (32-bit platforms).
	if c.big {
		if uint64(uint(c.u)) != c.u {
			return []any{c.u}
		}
		return []any{c.u, uint(c.u)}
	}
	n := c.n
	vs := []any{n}
	if int64(int(n)) == n {
		vs = append(vs, int(n))
	}
	if n >= math.MinInt32 && n <= math.MaxInt32 {
		vs = append(vs, int32(n))
	}
	if n >= math.MinInt16 && n <= math.MaxInt16 {
		vs = append(vs, int16(n))
	}
	if n >= math.MinInt8 && n <= math.MaxInt8 {
		vs = append(vs, int8(n))
	}
	if n >= 0 {
		vs = append(vs, uint64(n))
		if uint64(uint(n)) == uint64(n) {
			vs = append(vs, uint(n))
		}
		if n <= math.MaxUint32 {
			vs = append(vs, uint32(n))
		}
		if n <= math.MaxUint16 {
			vs = append(vs, uint16(n))
		}
		if n <= math.MaxUint8 {
			vs = append(vs, uint8(n))
		}
	}
	return vs
}

func (c intCase) generic() any {
	if c.big {
		return c.u
	}
	return c.n
}

func TestMarshalIntegers(t *testing.T) {
	for _, c := range intCases {
		want := h(t, c.hex)
		for _, v := range c.variants() {
			got, err := Marshal(v)
			if err != nil {
				t.Fatalf("Marshal(%T %v): %v", v, v, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Marshal(%T %v) = % x, want % x", v, v, got, want)
			}
		}
	}
}

func TestDecodeIntegers(t *testing.T) {
	for _, c := range intCases {
		got, err := DecodeValue(h(t, c.hex))
		if err != nil {
			t.Fatalf("DecodeValue(%s): %v", c.hex, err)
		}
		if !equalGeneric(got, c.generic()) {
			t.Errorf("DecodeValue(%s) = %T %v, want %T %v", c.hex, got, got, c.generic(), c.generic())
		}
	}
	// Non-minimal widths (legal msgpack from other encoders) decode to the
	// same Go value as the minimal form: the type never depends on the width.
	wide := map[string]any{
		"cc 05":                      int64(5),
		"cd 00 05":                   int64(5),
		"ce 00 00 00 05":             int64(5),
		"cf 00 00 00 00 00 00 00 05": int64(5),
		"d0 05":                      int64(5),
		"d1 00 05":                   int64(5),
		"d2 00 00 00 05":             int64(5),
		"d3 00 00 00 00 00 00 00 05": int64(5),
		"d0 ff":                      int64(-1),
		"d1 ff ff":                   int64(-1),
		"d2 ff ff ff ff":             int64(-1),
		"d3 ff ff ff ff ff ff ff ff": int64(-1),
		"d3 7f ff ff ff ff ff ff ff": int64(math.MaxInt64),
		"cd 00 c8":                   int64(200),
	}
	for x, want := range wide {
		got, err := DecodeValue(h(t, x))
		if err != nil {
			t.Fatalf("DecodeValue(%s): %v", x, err)
		}
		if !equalGeneric(got, want) {
			t.Errorf("DecodeValue(%s) = %T %v, want %T %v", x, got, got, want, want)
		}
	}
}

// ---- golden encodings ----

type golden struct {
	name string
	in   any    // Marshal input
	hex  string // expected bytes
	// want is what DecodeValue returns for hex; nil means "the same as in"
	// (valid only when in is already a generic value).
	want   any
	noWant bool // want is nil (DecodeValue returns nil)
	// noReencode: Marshal(DecodeValue(hex)) legitimately differs from hex
	// (bin keys become str keys; struct field order becomes sorted keys).
	noReencode bool
}

func goldens(t testing.TB) []golden {
	return []golden{
		{name: "reference 2.1 message_number", in: map[string]any{"message_number": 10},
			hex:  "81 ae 6d 65 73 73 61 67 65 5f 6e 75 6d 62 65 72 0a",
			want: map[string]any{"message_number": int64(10)}},
		{name: "message_number struct", in: struct {
			N int `msgpack:"message_number"`
		}{10}, hex: "81 ae 6d 65 73 73 61 67 65 5f 6e 75 6d 62 65 72 0a",
			want: map[string]any{"message_number": int64(10)}},
		{name: "nil", in: nil, hex: "c0", noWant: true},
		{name: "true", in: true, hex: "c3"},
		{name: "false", in: false, hex: "c2"},
		{name: "float 1.0", in: 1.0, hex: "cb 3f f0 00 00 00 00 00 00"},
		{name: "float 0.1", in: 0.1, hex: "cb 3f b9 99 99 99 99 99 9a"},
		{name: "float -0", in: math.Copysign(0, -1), hex: "cb 80 00 00 00 00 00 00 00"},
		{name: "float +Inf", in: math.Inf(1), hex: "cb 7f f0 00 00 00 00 00 00"},
		{name: "float -Inf", in: math.Inf(-1), hex: "cb ff f0 00 00 00 00 00 00"},
		{name: "float Python nan", in: math.Float64frombits(0x7ff8000000000000), hex: "cb 7f f8 00 00 00 00 00 00"},
		{name: "float Go math.NaN", in: math.NaN(), hex: "cb 7f f8 00 00 00 00 00 01"},
		{name: "float negative nan", in: math.Float64frombits(0xfff8000000000000), hex: "cb ff f8 00 00 00 00 00 00"},
		{name: "float signalling nan", in: math.Float64frombits(0x7ff0000000000001), hex: "cb 7f f0 00 00 00 00 00 01"},
		{name: "float max", in: math.MaxFloat64, hex: "cb 7f ef ff ff ff ff ff ff"},
		{name: "float smallest denormal", in: math.SmallestNonzeroFloat64, hex: "cb 00 00 00 00 00 00 00 01"},
		{name: "float32 1.5 widened", in: float32(1.5), hex: "cb 3f f8 00 00 00 00 00 00", want: 1.5},
		{name: "float32 0.1 widened", in: float32(0.1), hex: "cb 3f b9 99 99 a0 00 00 00", want: float64(float32(0.1))},
		{name: "float32 +Inf widened", in: float32(math.Inf(1)), hex: "cb 7f f0 00 00 00 00 00 00", want: math.Inf(1)},
		{name: "float32 in map and slice", in: map[string]any{"a": []float32{0.5, -2}},
			hex:  "81 a1 61 92 cb 3f e0 00 00 00 00 00 00 cb c0 00 00 00 00 00 00 00",
			want: map[string]any{"a": []any{0.5, -2.0}}},
		{name: "float32 from custom encoder", in: []any{float32Encoder(0.25), "x"},
			hex: "92 cb 3f d0 00 00 00 00 00 00 a1 78", want: []any{0.25, "x"}},
		{name: "empty str", in: "", hex: "a0"},
		{name: "str CJK", in: "世界", hex: "a6 e4 b8 96 e7 95 8c"},
		{name: "str emoji", in: "🌍", hex: "a4 f0 9f 8c 8d"},
		{name: "str NUL", in: "a\x00b", hex: "a3 61 00 62"},
		{name: "str mixed", in: "é€😀", hex: "a9 c3 a9 e2 82 ac f0 9f 98 80"},
		{name: "bin empty", in: []byte{}, hex: "c4 00"},
		{name: "bin nil is nil", in: []byte(nil), hex: "c0", noWant: true},
		{name: "bin 3", in: []byte{0, 1, 0xff}, hex: "c4 03 00 01 ff"},
		{name: "byte array is bin", in: [3]byte{1, 2, 3}, hex: "c4 03 01 02 03", want: []byte{1, 2, 3}},
		{name: "empty map", in: map[string]any{}, hex: "80"},
		{name: "nil map is nil", in: map[string]any(nil), hex: "c0", noWant: true},
		{name: "empty array", in: []any{}, hex: "90"},
		{name: "nil slice is nil", in: []int(nil), hex: "c0", noWant: true},
		{name: "nested sorted keys", in: map[string]any{"d": false, "a": []any{1, map[string]any{"c": true, "b": nil}}},
			hex:  "82 a1 61 92 01 82 a1 62 c0 a1 63 c3 a1 64 c2",
			want: map[string]any{"d": false, "a": []any{int64(1), map[string]any{"c": true, "b": nil}}}},
		{name: "map[string]string sorted", in: map[string]string{"b": "2", "a": "1"},
			hex: "82 a1 61 a1 31 a1 62 a1 32", want: map[string]any{"a": "1", "b": "2"}},
		{name: "map[string]bool sorted", in: map[string]bool{"y": false, "x": true},
			hex: "82 a1 78 c3 a1 79 c2", want: map[string]any{"x": true, "y": false}},
		{name: "typed slice", in: []string{"a", "bc"}, hex: "92 a1 61 a2 62 63", want: []any{"a", "bc"}},
		{name: "int slice compact", in: []int64{1, 200, -200}, hex: "93 01 cc c8 d1 ff 38", want: []any{int64(1), int64(200), int64(-200)}},
		{name: "unicode keys", in: map[string]any{"温度": 21.5, "🌡": "ok"},
			hex:  "82 a6 e6 b8 a9 e5 ba a6 cb 40 35 80 00 00 00 00 00 a4 f0 9f 8c a1 a2 6f 6b",
			want: map[string]any{"温度": 21.5, "🌡": "ok"}},
		{name: "struct tags and json fallback", in: tagged{Topic: "t", Seq: 300, Ratio: 0.5, Both: -1, Hidden: "h", HiddenJS: "j", Plain: true, private: 9},
			hex: "85 a5 74 6f 70 69 63 a1 74 a3 73 65 71 cd 01 2c a5 72 61 74 69 6f cb 3f e0 00 00 00 00 00 00" +
				"a4 62 6f 74 68 ff a5 50 6c 61 69 6e c3",
			want: map[string]any{"topic": "t", "seq": int64(300), "ratio": 0.5, "both": int64(-1), "Plain": true}, noReencode: true},
		{name: "pointer to struct", in: &struct {
			A *int `msgpack:"a"`
		}{}, hex: "81 a1 61 c0", want: map[string]any{"a": nil}},
		{name: "duration is int", in: 3 * time.Second, hex: "ce b2 d0 5e 00", want: int64(3e9)},
		{name: "raw message", in: map[string]any{"r": msgpack.RawMessage{0x92, 0x01, 0xa1, 0x78}},
			hex: "81 a1 72 92 01 a1 78", want: map[string]any{"r": []any{int64(1), "x"}}},
		{name: "marshaler", in: []any{testMarshaler{0x81, 0xa1, 0x6b, 0x07}},
			hex: "91 81 a1 6b 07", want: []any{map[string]any{"k": int64(7)}}},
		// Reference §2.7: {'a': np.array([1.5, 2.0])} as msgpack-numpy packs it.
		{name: "reference 2.7 ndarray", in: map[string]any{"a": testNDArray{"<f8", []int{2}, h(t, "00 00 00 00 00 00 f8 3f 00 00 00 00 00 00 00 40")}},
			hex: "81 a1 61 85 c4 02 6e 64 c3 c4 04 74 79 70 65 a3 3c 66 38 c4 04 6b 69 6e 64 c4 00 c4 05 73 68 61 70 65 91 02" +
				"c4 04 64 61 74 61 c4 10 00 00 00 00 00 00 f8 3f 00 00 00 00 00 00 00 40",
			want: map[string]any{"a": map[string]any{"nd": true, "type": "<f8", "kind": []byte{}, "shape": []any{int64(2)},
				"data": h(t, "00 00 00 00 00 00 f8 3f 00 00 00 00 00 00 00 40")}}, noReencode: true},
		// Reference §2.7: np.int32(7).
		{name: "reference 2.7 scalar", in: testNPScalar{"<i4", []byte{7, 0, 0, 0}},
			hex:  "83 c4 02 6e 64 c2 c4 04 74 79 70 65 a3 3c 69 34 c4 04 64 61 74 61 c4 04 07 00 00 00",
			want: map[string]any{"nd": false, "type": "<i4", "data": []byte{7, 0, 0, 0}}, noReencode: true},
	}
}

func TestMarshalGolden(t *testing.T) {
	for _, g := range goldens(t) {
		t.Run(g.name, func(t *testing.T) {
			want := h(t, g.hex)
			got, err := Marshal(g.in)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("Marshal(%s)\n got % x\nwant % x", show(g.in), got, want)
			}
		})
	}
}

func TestDecodeGolden(t *testing.T) {
	for _, g := range goldens(t) {
		t.Run(g.name, func(t *testing.T) {
			want := g.want
			if want == nil && !g.noWant {
				want = g.in
			}
			data := h(t, g.hex)
			got, err := DecodeValue(data)
			if err != nil {
				t.Fatalf("DecodeValue(% x): %v", data, err)
			}
			if !equalGeneric(got, want) {
				t.Fatalf("DecodeValue(% x)\n got %s\nwant %s", data, show(got), show(want))
			}
			// Re-encoding the decoded value reproduces the input, except
			// where the input had bin keys (which decode as strings).
			if g.noReencode {
				return
			}
			again, err := Marshal(got)
			if err != nil {
				t.Fatalf("Marshal(decoded): %v", err)
			}
			if !bytes.Equal(again, data) {
				t.Fatalf("re-encoded % x, want % x", again, data)
			}
		})
	}
}

// ---- length classes ----

func TestStrLengthClasses(t *testing.T) {
	for _, c := range []struct {
		n      int
		header string
	}{
		{0, "a0"}, {1, "a1"}, {31, "bf"},
		{32, "d9 20"}, {255, "d9 ff"},
		{256, "da 01 00"}, {65535, "da ff ff"},
		{65536, "db 00 01 00 00"}, {1 << 20, "db 00 10 00 00"},
	} {
		s := strings.Repeat("z", c.n)
		want := cat(h(t, c.header), []byte(s))
		got, err := Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("len %d: header % x, want % x", c.n, got[:min(len(got), 5)], want[:min(len(want), 5)])
			continue
		}
		back, err := DecodeValue(got)
		if err != nil || back != s {
			t.Errorf("len %d: decode = %d chars, %v", c.n, len(fmt.Sprint(back)), err)
		}
		// A str8/16/32 header in a key is accepted too.
		m := map[string]any{s: int64(1)}
		enc, err := Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		dm, err := DecodeMap(enc)
		if err != nil || !equalGeneric(dm, m) {
			t.Errorf("len %d key: %v", c.n, err)
		}
	}
	// Multi-byte characters: the length is in bytes, not runes.
	s := strings.Repeat("世", 11) // 33 bytes
	got, _ := Marshal(s)
	if !bytes.Equal(got[:2], []byte{0xd9, 33}) {
		t.Errorf("11 CJK runes: header % x, want d9 21", got[:2])
	}
}

func TestBinLengthClasses(t *testing.T) {
	for _, c := range []struct {
		n      int
		header string
	}{
		{0, "c4 00"}, {1, "c4 01"}, {255, "c4 ff"},
		{256, "c5 01 00"}, {65535, "c5 ff ff"},
		{65536, "c6 00 01 00 00"}, {1 << 20, "c6 00 10 00 00"},
	} {
		b := make([]byte, c.n)
		for i := range b {
			b[i] = byte(i * 7)
		}
		want := cat(h(t, c.header), b)
		got, err := Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("len %d: header % x, want % x", c.n, got[:min(len(got), 5)], want[:min(len(want), 5)])
			continue
		}
		back, err := DecodeValue(got)
		if err != nil || !equalGeneric(back, b) {
			t.Errorf("len %d: decode mismatch: %v", c.n, err)
		}
	}
}

func TestContainerLengthClasses(t *testing.T) {
	for _, c := range []struct {
		n      int
		arr    string
		mapHdr string
	}{
		{0, "90", "80"}, {15, "9f", "8f"}, {16, "dc 00 10", "de 00 10"},
		{65535, "dc ff ff", "de ff ff"}, {65536, "dd 00 01 00 00", "df 00 01 00 00"},
	} {
		arr := make([]any, c.n)
		m := make(map[string]any, c.n)
		var wantArr, wantMap []byte
		wantArr = h(t, c.arr)
		wantMap = h(t, c.mapHdr)
		for i := range arr {
			arr[i] = int64(i % 100)
			wantArr = append(wantArr, byte(i%100))
			m[fmt.Sprintf("k%06d", i)] = nil
		}
		for i := range c.n {
			wantMap = append(wantMap, 0xa7)
			wantMap = append(wantMap, fmt.Sprintf("k%06d", i)...)
			wantMap = append(wantMap, 0xc0)
		}
		gotArr, err := Marshal(arr)
		if err != nil || !bytes.Equal(gotArr, wantArr) {
			t.Errorf("array %d: % x..., err %v", c.n, gotArr[:min(5, len(gotArr))], err)
		}
		gotMap, err := Marshal(m)
		if err != nil || !bytes.Equal(gotMap, wantMap) {
			t.Errorf("map %d: % x..., err %v", c.n, gotMap[:min(5, len(gotMap))], err)
		}
		if back, err := DecodeValue(gotArr); err != nil || !equalGeneric(back, arr) {
			t.Errorf("array %d: decode mismatch: %v", c.n, err)
		}
		if back, err := DecodeMap(gotMap); err != nil || !equalGeneric(back, m) {
			t.Errorf("map %d: decode mismatch: %v", c.n, err)
		}
	}
}

// ---- floats ----

func TestFloatBitsRoundTrip(t *testing.T) {
	for _, bits := range []uint64{
		0x7ff8000000000000, // Python's float('nan')
		0x7ff8000000000001, // Go's math.NaN()
		0xfff8000000000000, // -nan
		0x7ff0000000000001, // signalling NaN
		0x7fffffffffffffff,
		0x7ff0000000000000, // +Inf
		0xfff0000000000000, // -Inf
		0x8000000000000000, // -0
		0x0000000000000001,
	} {
		f := math.Float64frombits(bits)
		enc, err := Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		want := cat([]byte{0xcb}, h(t, fmt.Sprintf("%016x", bits)))
		if !bytes.Equal(enc, want) {
			t.Errorf("%016x: Marshal = % x, want % x", bits, enc, want)
		}
		back, err := DecodeValue(enc)
		if err != nil {
			t.Fatal(err)
		}
		if got := math.Float64bits(back.(float64)); got != bits {
			t.Errorf("%016x: decoded bits %016x", bits, got)
		}
		var typed float64
		if err := Unmarshal(enc, &typed); err != nil || math.Float64bits(typed) != bits {
			t.Errorf("%016x: Unmarshal bits %016x, %v", bits, math.Float64bits(typed), err)
		}
	}
	// float32 on the wire (from non-Python encoders) widens exactly.
	v, err := DecodeValue(h(t, "ca 3f c0 00 00"))
	if err != nil || v != 1.5 {
		t.Errorf("float32 1.5 decoded as %T %v, %v", v, v, err)
	}
	v, err = DecodeValue(h(t, "ca 7f 80 00 00"))
	if err != nil || v != math.Inf(1) {
		t.Errorf("float32 +Inf decoded as %T %v, %v", v, v, err)
	}
}

// ---- errors ----

func TestMarshalErrors(t *testing.T) {
	deep := any(nil)
	for range MaxNesting + 1 {
		deep = []any{deep}
	}
	okDeep := any(nil)
	for range MaxNesting {
		okDeep = []any{okDeep}
	}
	if _, err := Marshal(okDeep); err != nil {
		t.Errorf("Marshal(%d nested arrays): %v", MaxNesting, err)
	}
	for _, c := range []struct {
		name     string
		in       any
		sentinel error
		text     string
	}{
		{"int keys", map[int]string{1: "a"}, ErrNonStringKey, "map key has msgpack type int"},
		{"any int key", map[any]any{1: "a"}, ErrNonStringKey, "int"},
		{"nil key", map[any]any{nil: "a"}, ErrNonStringKey, "nil"},
		{"bool key nested", map[string]any{"outer": []any{0, map[bool]int{true: 1}}}, ErrNonStringKey, "$.outer[1]"},
		{"float key", map[float64]int{1.5: 1}, ErrNonStringKey, "float"},
		{"invalid UTF-8 value", map[string]any{"k": "a\xffb"}, ErrInvalidUTF8, "$.k"},
		{"invalid UTF-8 key", map[string]any{"a\xc3": 1}, ErrInvalidUTF8, "key"},
		{"lone surrogate", "\xed\xa0\x80", ErrInvalidUTF8, "UTF-8"},
		{"time is ext", map[string]any{"when": time.Unix(0, 0)}, ErrExtType, "ext type -1"},
		{"too deep", deep, ErrTooDeep, "1024"},
		{"custom encoder writes two values", badEncoder{}, ErrBadPayload, "trailing"},
		{"raw message truncated", msgpack.RawMessage{0x92, 0x01}, ErrBadPayload, "truncated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := Marshal(c.in)
			if err == nil {
				t.Fatalf("Marshal succeeded with % x", b)
			}
			if !errors.Is(err, c.sentinel) {
				t.Errorf("error %q does not wrap %v", err, c.sentinel)
			}
			if c.sentinel != ErrBadPayload && errors.Is(err, ErrBadPayload) {
				t.Errorf("marshal error %q wraps ErrBadPayload", err)
			}
			if !strings.Contains(err.Error(), c.text) {
				t.Errorf("error %q does not mention %q", err, c.text)
			}
		})
	}
	if _, err := Marshal(make(chan int)); err == nil {
		t.Error("Marshal(chan) succeeded")
	}
}

func TestDecodeErrors(t *testing.T) {
	deep := bytes.Repeat([]byte{0x91}, MaxNesting+1)
	deep = append(deep, 0xc0)
	okDeep := append(bytes.Repeat([]byte{0x81, 0xa0}, MaxNesting), 0xc0)
	if _, err := DecodeMap(okDeep); err != nil {
		t.Errorf("%d nested maps: %v", MaxNesting, err)
	}
	for _, c := range []struct {
		name     string
		data     []byte
		sentinel error // besides ErrBadPayload; nil for none
		text     string
	}{
		{"empty", nil, nil, "empty"},
		{"reserved c1", []byte{0xc1}, nil, "reserved msgpack code 0xc1"},
		{"trailing", h(t, "81 a1 61 01 00"), nil, "1 trailing bytes"},
		{"two values", h(t, "80 80"), nil, "trailing"},
		{"truncated map", h(t, "82 a1 61 01"), nil, "truncated"},
		{"truncated key", h(t, "81 a5 61"), nil, "truncated"},
		{"truncated str8 header", h(t, "81 a1 61 d9"), nil, "truncated"},
		{"truncated str", h(t, "81 a1 61 d9 05 61"), nil, "truncated str"},
		{"truncated bin32", h(t, "81 a1 61 c6 00 00 01 00 00"), nil, "truncated bin"},
		{"truncated float64", h(t, "81 a1 61 cb 00 00"), nil, "truncated float64"},
		{"truncated uint64", h(t, "81 a1 61 cf 00"), nil, "truncated uint"},
		{"truncated int16", h(t, "81 a1 61 d1 00"), nil, "truncated int"},
		{"huge array32", h(t, "81 a1 61 dd ff ff ff ff 00"), nil, "truncated array"},
		{"huge map16", h(t, "de ff ff a1 61"), nil, "cannot fit"},
		{"huge array16", h(t, "dc ff ff 00"), nil, "cannot fit"},
		{"huge str32", h(t, "db 7f ff ff ff"), nil, "truncated str"},
		{"int key", h(t, "81 01 a1 61"), ErrNonStringKey, "map key has msgpack type int"},
		{"negative int key", h(t, "81 ff c0"), ErrNonStringKey, "int"},
		{"nil key", h(t, "81 c0 01"), ErrNonStringKey, "nil"},
		{"bool key", h(t, "81 c3 01"), ErrNonStringKey, "bool"},
		{"float key", h(t, "81 cb 00 00 00 00 00 00 00 00 01"), ErrNonStringKey, "float"},
		{"array key", h(t, "81 90 01"), ErrNonStringKey, "array"},
		{"map key", h(t, "81 80 01"), ErrNonStringKey, "map"},
		{"nested int key", h(t, "81 a1 78 91 81 01 02"), ErrNonStringKey, "$.x[0]"},
		{"invalid UTF-8 str", h(t, "81 a1 61 a2 c3 28"), ErrInvalidUTF8, "$.a"},
		{"invalid UTF-8 key", h(t, "81 a2 ff fe 01"), ErrInvalidUTF8, "key"},
		{"surrogate str", h(t, "81 a1 61 a3 ed a0 80"), ErrInvalidUTF8, "UTF-8"},
		{"fixext timestamp", h(t, "81 a1 74 d6 ff 00 00 00 00"), ErrExtType, "ext type -1"},
		{"ext8", h(t, "81 a1 74 c7 02 05 00 00"), ErrExtType, "ext type 5"},
		{"truncated ext", h(t, "81 a1 74 d8 01 00"), nil, "truncated ext"},
		{"too deep", deep, ErrTooDeep, "nested deeper than 1024"},
		{"top-level int", h(t, "01"), ErrNotMap, "top-level value is int"},
		{"top-level nil", h(t, "c0"), ErrNotMap, "nil"},
		{"top-level array", h(t, "91 01"), ErrNotMap, "array"},
		{"top-level str", h(t, "a1 61"), ErrNotMap, "str"},
		{"top-level garbage", h(t, "c1"), nil, "reserved"},
		{"text", []byte("hello, world"), nil, ""},
		{"json", []byte(`{"a": 1}`), nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := DecodeMap(c.data)
			if err == nil {
				t.Fatalf("DecodeMap(% x) = %v, want error", c.data, m)
			}
			if m != nil {
				t.Errorf("DecodeMap returned a map with the error: %v", m)
			}
			if !errors.Is(err, ErrBadPayload) {
				t.Errorf("error %q does not wrap ErrBadPayload", err)
			}
			if c.sentinel != nil && !errors.Is(err, c.sentinel) {
				t.Errorf("error %q does not wrap %v", err, c.sentinel)
			}
			if !strings.Contains(err.Error(), c.text) {
				t.Errorf("error %q does not mention %q", err, c.text)
			}
			// Unmarshal into a struct rejects the same payloads (non-map
			// top-level values are fine for Unmarshal into *any).
			if c.sentinel == ErrNotMap {
				if _, err := DecodeValue(c.data); err != nil {
					t.Errorf("DecodeValue: %v", err)
				}
				return
			}
			var dst struct {
				A any `msgpack:"a"`
			}
			if err := Unmarshal(c.data, &dst); !errors.Is(err, ErrBadPayload) {
				t.Errorf("Unmarshal into struct: error %v, want ErrBadPayload", err)
			}
		})
	}
}

// ---- Unmarshal ----

func TestUnmarshalStruct(t *testing.T) {
	type inner struct {
		Name string `json:"name"`
	}
	type target struct {
		Topic   string         `msgpack:"topic"`
		Seq     int            `json:"seq"`
		Small   uint8          `msgpack:"small"`
		Neg     int16          `msgpack:"neg"`
		Ratio   float64        `msgpack:"ratio"`
		Narrow  float32        `msgpack:"narrow"`
		IntF    float64        `msgpack:"int_f"`
		Raw     []byte         `msgpack:"raw"`
		FromBin string         `msgpack:"from_bin"`
		Inner   inner          `msgpack:"inner"`
		PInner  *inner         `msgpack:"p_inner"`
		List    []int          `msgpack:"list"`
		Any     any            `msgpack:"any"`
		AnyInt  any            `msgpack:"any_int"`
		AnyMap  any            `msgpack:"any_map"`
		Extra   map[string]any `msgpack:"extra"`
		Nilled  *int           `msgpack:"nilled"`
		Skipped string         `msgpack:"-"`
	}
	// What Python sends for packb({'topic': 'x', 'seq': 70000, 'small': 200,
	// 'neg': -300, 'ratio': 0.5, 'narrow': 0.25, 'int_f': 3, 'raw': b'\x00\x01',
	// 'from_bin': b'hi', 'inner': {'name': 'n'}, 'p_inner': {'name': 'p'},
	// 'list': [1, -1], 'any': 'v', 'any_int': 200, 'any_map': {b'nd': True,
	// 'n': 300}, 'extra': {'k': [1]}, 'nilled': None, 'unknown': [1, {}]},
	// use_bin_type=True).
	var b bytes.Buffer
	b.Write(h(t, "de 00 12"))
	b.Write(h(t, "a5 746f706963 a1 78"))
	b.Write(h(t, "a3 736571 ce 00 01 11 70"))
	b.Write(h(t, "a5 736d616c6c cc c8"))
	b.Write(h(t, "a3 6e6567 d1 fe d4"))
	b.Write(h(t, "a5 726174696f cb 3f e0 00 00 00 00 00 00"))
	b.Write(h(t, "a6 6e6172726f77 cb 3f d0 00 00 00 00 00 00"))
	b.Write(h(t, "a5 696e745f66 03"))
	b.Write(h(t, "a3 726177 c4 02 00 01"))
	b.Write(h(t, "a8 66726f6d5f62696e c4 02 68 69"))
	b.Write(h(t, "a5 696e6e6572 81 a4 6e616d65 a1 6e"))
	b.Write(h(t, "a7 705f696e6e6572 81 a4 6e616d65 a1 70"))
	b.Write(h(t, "a4 6c697374 92 01 ff"))
	b.Write(h(t, "a3 616e79 a1 76"))
	b.Write(h(t, "a7 616e795f696e74 cc c8"))
	b.Write(h(t, "a7 616e795f6d6170 82 c4 02 6e64 c3 a1 6e cd 01 2c"))
	b.Write(h(t, "a5 6578747261 81 a1 6b 91 01"))
	b.Write(h(t, "a6 6e696c6c6564 c0"))
	b.Write(h(t, "a7 756e6b6e6f776e 92 01 80"))
	data := b.Bytes()
	if m, err := DecodeMap(data); err != nil || len(m) != 18 {
		t.Fatalf("fixture: %d keys, %v", len(m), err)
	}

	one := 1
	got := target{Skipped: "keep", Nilled: &one}
	if err := Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Topic != "x" || got.Seq != 70000 || got.Small != 200 || got.Neg != -300 ||
		got.Ratio != 0.5 || got.Narrow != 0.25 || got.IntF != 3 || !bytes.Equal(got.Raw, []byte{0, 1}) ||
		got.FromBin != "hi" || got.Inner.Name != "n" || got.PInner == nil || got.PInner.Name != "p" ||
		len(got.List) != 2 || got.List[1] != -1 || got.Any != "v" || got.Nilled != nil || got.Skipped != "keep" {
		t.Errorf("Unmarshal = %+v", got)
	}
	// Interface-typed destinations get exactly DecodeValue's values: bin keys
	// become strings, every int is int64.
	if got.AnyInt != int64(200) {
		t.Errorf("AnyInt = %T %v, want int64 200", got.AnyInt, got.AnyInt)
	}
	if want := map[string]any{"nd": true, "n": int64(300)}; !equalGeneric(got.AnyMap, want) {
		t.Errorf("AnyMap = %s, want %s", show(got.AnyMap), show(want))
	}
	if !equalGeneric(got.Extra, map[string]any{"k": []any{int64(1)}}) {
		t.Errorf("Extra = %s", show(got.Extra))
	}

	// Struct round trip through Marshal uses the same names, float32 included.
	enc, err := Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var again target
	if err := Unmarshal(enc, &again); err != nil {
		t.Fatal(err)
	}
	got.Skipped = ""
	if fmt.Sprintf("%+v", *again.PInner) != fmt.Sprintf("%+v", *got.PInner) {
		t.Errorf("PInner round trip: %+v", again.PInner)
	}
	again.PInner, got.PInner = nil, nil
	if !equalGeneric(again.AnyMap, got.AnyMap) || !equalGeneric(again.Extra, got.Extra) {
		t.Errorf("maps round trip: %s %s", show(again.AnyMap), show(again.Extra))
	}
	again.AnyMap, got.AnyMap, again.Extra, got.Extra = nil, nil, nil, nil
	if fmt.Sprintf("%+v", again) != fmt.Sprintf("%+v", got) {
		t.Errorf("round trip:\n got %+v\nwant %+v", again, got)
	}
}

func TestUnmarshalFieldNaming(t *testing.T) {
	type Base struct {
		ID   int    `json:"id"`
		Kind string `msgpack:"kind"`
	}
	type Other struct {
		ID int `msgpack:"id"`
	}
	type withEmbedded struct {
		Base
		*Other        // collides with Base.ID: stays a nested "Other" map
		Name   string `msgpack:"name,alias:title"`
		JSON   int    `json:"json_name,omitempty"`
	}
	in := withEmbedded{Base: Base{ID: 7, Kind: "k"}, Other: &Other{ID: 8}, Name: "n", JSON: 9}
	enc, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	m, err := DecodeMap(enc)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": int64(7), "kind": "k", "Other": map[string]any{"id": int64(8)}, "name": "n", "json_name": int64(9)}
	if !equalGeneric(m, want) {
		t.Fatalf("Marshal wrote %s, want %s", show(m), show(want))
	}
	var out withEmbedded
	if err := Unmarshal(enc, &out); err != nil {
		t.Fatal(err)
	}
	if out.Base.ID != 7 || out.Kind != "k" || out.Other == nil || out.Other.ID != 8 || out.Name != "n" || out.JSON != 9 {
		t.Errorf("Unmarshal = %+v (Other %+v)", out, out.Other)
	}
	// The alias is accepted when decoding.
	var aliased withEmbedded
	if err := Unmarshal(h(t, "81 a5 7469746c65 a1 61"), &aliased); err != nil || aliased.Name != "a" {
		t.Errorf("alias: %+v, %v", aliased, err)
	}
	// as_array structs.
	type pair struct {
		_msgpack struct{} `msgpack:",as_array"`
		A        int
		B        string
	}
	enc, err = Marshal(pair{A: 1, B: "b"})
	if err != nil || !bytes.Equal(enc, h(t, "92 01 a1 62")) {
		t.Fatalf("as_array Marshal = % x, %v", enc, err)
	}
	var p pair
	if err := Unmarshal(enc, &p); err != nil || p.A != 1 || p.B != "b" {
		t.Errorf("as_array Unmarshal = %+v, %v", p, err)
	}
}

func TestUnmarshalNumbers(t *testing.T) {
	var (
		i8  int8
		u8  uint8
		u64 uint64
		i64 int64
		f32 float32
		f64 float64
	)
	for _, c := range []struct {
		hex string
		dst any
		ok  bool
	}{
		{"7f", &i8, true}, {"cc 80", &i8, false}, {"d0 80", &i8, true}, {"d1 ff 7f", &i8, false},
		{"cc ff", &u8, true}, {"cd 01 00", &u8, false}, {"ff", &u8, false},
		{"cf ff ff ff ff ff ff ff ff", &u64, true}, {"cf ff ff ff ff ff ff ff ff", &i64, false},
		{"d3 80 00 00 00 00 00 00 00", &i64, true}, {"d3 80 00 00 00 00 00 00 00", &u64, false},
		{"cb 3f f8 00 00 00 00 00 00", &f32, true}, {"cb 7f ef ff ff ff ff ff ff", &f32, false},
		{"cb 7f f0 00 00 00 00 00 00", &f32, true}, {"ca 3f c0 00 00", &f64, true},
		{"cd 01 00", &f32, true}, {"cb 3f f8 00 00 00 00 00 00", &i64, false},
		{"a1 31", &i64, false}, {"c3", &i64, false},
	} {
		err := Unmarshal(h(t, c.hex), c.dst)
		if c.ok && err != nil {
			t.Errorf("%s into %T: %v", c.hex, c.dst, err)
		}
		if !c.ok && !errors.Is(err, ErrTypeMismatch) {
			t.Errorf("%s into %T: error %v, want ErrTypeMismatch", c.hex, c.dst, err)
		}
	}
	if err := Unmarshal(h(t, "cb 3f b9 99 99 99 99 99 9a"), &f32); err != nil || f32 != 0.1 {
		t.Errorf("0.1 into float32 = %v, %v", f32, err)
	}
}

func TestUnmarshalGenericTargets(t *testing.T) {
	data := h(t, "82 a1 61 cc c8 c4 01 62 91 ca 3f c0 00 00")
	want := map[string]any{"a": int64(200), "b": []any{1.5}}

	var a any
	if err := Unmarshal(data, &a); err != nil || !equalGeneric(a, want) {
		t.Errorf("*any: %s, %v", show(a), err)
	}
	var m map[string]any
	if err := Unmarshal(data, &m); err != nil || !equalGeneric(m, want) {
		t.Errorf("*map[string]any: %s, %v", show(m), err)
	}
	// Entries are added to an existing map, as encoding/json does.
	m = map[string]any{"old": true}
	if err := Unmarshal(data, &m); err != nil || len(m) != 3 || m["old"] != true {
		t.Errorf("merge into map: %s, %v", show(m), err)
	}
	if err := Unmarshal(h(t, "c0"), &m); err != nil || m != nil {
		t.Errorf("nil into map: %v, %v", m, err)
	}
	if err := Unmarshal(h(t, "91 01"), &m); !errors.Is(err, ErrTypeMismatch) {
		t.Errorf("array into map: %v", err)
	}
	var s []any
	if err := Unmarshal(h(t, "92 01 a1 78"), &s); err != nil || !equalGeneric(s, []any{int64(1), "x"}) {
		t.Errorf("*[]any: %s, %v", show(s), err)
	}
	if err := Unmarshal(data, &s); !errors.Is(err, ErrTypeMismatch) {
		t.Errorf("map into []any: %v", err)
	}
	var typed map[string][]float32
	if err := Unmarshal(h(t, "81 a1 62 92 cb 3f f8 00 00 00 00 00 00 01"), &typed); err != nil || len(typed["b"]) != 2 || typed["b"][0] != 1.5 || typed["b"][1] != 1 {
		t.Errorf("map[string][]float32: %v, %v", typed, err)
	}
	var arr [3]int
	if err := Unmarshal(h(t, "94 01 02 03 04"), &arr); err != nil || arr != [3]int{1, 2, 3} {
		t.Errorf("[3]int from 4 elements: %v, %v", arr, err)
	}
	if err := Unmarshal(h(t, "91 05"), &arr); err != nil || arr != [3]int{5, 0, 0} {
		t.Errorf("[3]int from 1 element: %v, %v", arr, err)
	}
	var ba [4]byte
	if err := Unmarshal(h(t, "c4 02 01 02"), &ba); err != nil || ba != [4]byte{1, 2, 0, 0} {
		t.Errorf("[4]byte from bin: %v, %v", ba, err)
	}
	var fa [3]fuzzByte
	if err := Unmarshal(h(t, "a2 68 69"), &fa); err != nil || fa != [3]fuzzByte{'h', 'i', 0} {
		t.Errorf("[3]namedByte from str: %v, %v", fa, err)
	}
	if err := Unmarshal(h(t, "c4 05 01 02 03 04 05"), &ba); !errors.Is(err, ErrTypeMismatch) {
		t.Errorf("[4]byte from 5 bytes: %v", err)
	}
	var bs []byte
	if err := Unmarshal(h(t, "a2 68 69"), &bs); err != nil || string(bs) != "hi" {
		t.Errorf("str into []byte: %q, %v", bs, err)
	}
	var n int
	if err := Unmarshal(h(t, "cd 01 00"), &n); err != nil || n != 256 {
		t.Errorf("*int: %d, %v", n, err)
	}
	var str string
	if err := Unmarshal(h(t, "a2 c3 28"), &str); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("invalid UTF-8 into *string: %v", err)
	}
	// An interface holding a pointer is decoded through the pointer.
	type tgt struct {
		A string `msgpack:"a"`
	}
	var holder any = &tgt{}
	if err := Unmarshal(h(t, "81 a1 61 a1 62"), &holder); err != nil || holder.(*tgt).A != "b" {
		t.Errorf("through interface: %+v, %v", holder, err)
	}
	// A rejected payload leaves the target untouched.
	v := tgt{A: "keep"}
	if err := Unmarshal(h(t, "82 a1 61 a1 62 01 02"), &v); !errors.Is(err, ErrNonStringKey) || v.A != "keep" {
		t.Errorf("int key into struct: %v, %+v", err, v)
	}
	// Mismatches name the path.
	var deep struct {
		L []struct {
			N uint8 `msgpack:"n"`
		} `msgpack:"l"`
	}
	err := Unmarshal(h(t, "81 a1 6c 92 81 a1 6e 01 81 a1 6e cd 01 00"), &deep)
	if !errors.Is(err, ErrTypeMismatch) || !strings.Contains(err.Error(), "$.l[1].n") {
		t.Errorf("mismatch error %v does not name $.l[1].n", err)
	}
	if err := Unmarshal(data, (*any)(nil)); err == nil {
		t.Error("Unmarshal into nil *any succeeded")
	}
	if err := Unmarshal(data, tgt{}); err == nil {
		t.Error("Unmarshal into non-pointer succeeded")
	}
	var ch chan int
	if err := Unmarshal(h(t, "01"), &ch); !errors.Is(err, ErrTypeMismatch) {
		t.Errorf("into chan: %v", err)
	}
	var im map[int]string
	if err := Unmarshal(h(t, "81 a1 31 a1 61"), &im); !errors.Is(err, ErrTypeMismatch) {
		t.Errorf("into map[int]string: %v", err)
	}
}

// testDecoder decodes itself through msgpack.CustomDecoder (as the ndarray
// package's types do).
type testDecoder struct {
	Keys []string
}

func (d *testDecoder) DecodeMsgpack(dec *msgpack.Decoder) error {
	n, err := dec.DecodeMapLen()
	if err != nil {
		return err
	}
	for range n {
		k, err := dec.DecodeString() // accepts str and bin keys
		if err != nil {
			return err
		}
		d.Keys = append(d.Keys, k)
		if err := dec.Skip(); err != nil {
			return err
		}
	}
	return nil
}

func TestUnmarshalCustomDecoder(t *testing.T) {
	// Reference §2.7 scalar np.int32(7), nested in a map.
	data := h(t, "82 a1 61 83 c4 02 6e 64 c2 c4 04 74 79 70 65 a3 3c 69 34 c4 04 64 61 74 61 c4 04 07 00 00 00 a1 72 92 01 02")
	var v struct {
		A   testDecoder        `msgpack:"a"`
		Raw msgpack.RawMessage `msgpack:"r"`
	}
	if err := Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if strings.Join(v.A.Keys, ",") != "nd,type,data" {
		t.Errorf("custom decoder saw keys %v", v.A.Keys)
	}
	if !bytes.Equal(v.Raw, []byte{0x92, 0x01, 0x02}) {
		t.Errorf("RawMessage = % x", v.Raw)
	}
	var top testDecoder
	if err := Unmarshal(h(t, "81 a1 6b c0"), &top); err != nil || len(top.Keys) != 1 {
		t.Errorf("top-level custom decoder: %v, %v", top, err)
	}
	if err := Unmarshal(h(t, "91 01"), &top); !errors.Is(err, ErrTypeMismatch) {
		t.Errorf("custom decoder error: %v", err)
	}
}

func TestDecodeCopiesBin(t *testing.T) {
	data := h(t, "81 a1 62 c4 02 01 02")
	m, err := DecodeMap(data)
	if err != nil {
		t.Fatal(err)
	}
	data[5] = 9 // reuse the receive buffer
	if got := m["b"].([]byte); got[0] != 1 {
		t.Errorf("decoded bin aliases the input: % x", got)
	}
}

func TestDecodeBinKeysAndDuplicates(t *testing.T) {
	// Bin keys (msgpack-numpy) become strings; a later duplicate wins, as in
	// a Python dict.
	m, err := DecodeMap(h(t, "83 c4 01 61 01 a1 62 02 a1 61 03"))
	if err != nil {
		t.Fatal(err)
	}
	if !equalGeneric(m, map[string]any{"a": int64(3), "b": int64(2)}) {
		t.Errorf("got %s", show(m))
	}
}

// ---- fuzzing ----

type fuzzByte uint8

// fuzzTarget has one field of each kind the typed decoder handles, under
// one-letter names so that fuzzed keys hit them.
type fuzzTarget struct {
	A int8                 `msgpack:"a"`
	B uint16               `msgpack:"b"`
	C float32              `msgpack:"c"`
	D string               `msgpack:"d"`
	E []byte               `msgpack:"e"`
	F [3]byte              `msgpack:"f"`
	G [2]fuzzByte          `msgpack:"g"`
	H map[string]int       `msgpack:"h"`
	I []string             `msgpack:"i"`
	J *fuzzTarget          `msgpack:"j"`
	K []any                `msgpack:"k"`
	L bool                 `msgpack:"l"`
	M testDecoder          `msgpack:"m"`
	N map[string][]float64 `msgpack:"n"`
	O [2]int               `msgpack:"o"`
	P *[]*int              `msgpack:"p"`
	Q uint64               `msgpack:"q"`
	R []fuzzByte           `msgpack:"r"`
}

func FuzzDecodeMap(f *testing.F) {
	for _, g := range goldens(f) {
		f.Add(h(f, g.hex))
	}
	f.Add(h(f, "81 01 a1 61"))
	f.Add(h(f, "81 a1 61 d6 ff 00 00 00 00"))
	f.Add(h(f, "81 a1 61 ca 7f c0 00 01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMap(data)
		if err != nil {
			if !errors.Is(err, ErrBadPayload) {
				t.Fatalf("error %q does not wrap ErrBadPayload", err)
			}
			if m != nil {
				t.Fatalf("map returned with error")
			}
			var st struct {
				A any `msgpack:"a"`
			}
			if uerr := Unmarshal(data, &st); uerr == nil && !errors.Is(err, ErrNotMap) {
				t.Fatalf("Unmarshal accepted what DecodeMap rejected (%v)", err)
			}
			return
		}
		if m == nil {
			t.Fatal("nil map without error")
		}
		var viaUnmarshal map[string]any
		if err := Unmarshal(data, &viaUnmarshal); err != nil || !equalGeneric(viaUnmarshal, m) {
			t.Fatalf("Unmarshal into map differs: %v", err)
		}
		var st struct {
			A any `msgpack:"a"`
		}
		if err := Unmarshal(data, &st); err != nil {
			t.Fatalf("Unmarshal into struct rejected a valid map: %v", err)
		}
		// Typed targets may reject the value but must never panic.
		var ft fuzzTarget
		_ = Unmarshal(data, &ft)
		enc, err := Marshal(m)
		if err != nil {
			// Only bin keys holding invalid UTF-8 cannot be written back
			// as str keys.
			if !errors.Is(err, ErrInvalidUTF8) {
				t.Fatalf("Marshal(decoded): %v", err)
			}
			return
		}
		back, err := DecodeMap(enc)
		if err != nil {
			t.Fatalf("DecodeMap(Marshal(m)): %v", err)
		}
		if !equalGeneric(back, m) {
			t.Fatalf("round trip changed the value:\n%s\n%s", show(m), show(back))
		}
		// Marshal's output is canonical: encoding it again changes nothing.
		enc2, err := Marshal(back)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("re-encoding is not stable: %v", err)
		}
	})
}
