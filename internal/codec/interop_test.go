package codec

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/testpeer"
)

// interopCase mirrors one entry of cases() in testdata/codec_peer.py.
type interopCase struct {
	name string
	in   any // Marshal input (ignored when pyOnly)
	want any // what DecodeValue must return for Python's bytes
	// pyOnly: Go cannot produce this value; only decode Python's bytes.
	pyOnly bool
	// reject: Go must refuse Python's bytes with this sentinel.
	reject error
	// noReencode: Marshal(DecodeValue(py)) legitimately differs from py.
	noReencode bool
}

func pattern(n, mul, add int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*mul + add)
	}
	return b
}

func interopCases() []interopCase {
	ints := []any{}
	intsWant := []any{}
	for _, c := range intCases {
		if !c.big && (c.n == 10 || c.n == 200) {
			continue // not in codec_peer.py's INTS
		}
		ints = append(ints, c.variants()[0])
		intsWant = append(intsWant, c.generic())
	}
	nan := math.Float64frombits(0x7ff8000000000000)
	floats := []any{0.0, math.Copysign(0, -1), 1.0, 0.1, -2.5, 1e300, 5e-324,
		math.MaxFloat64, math.Inf(1), math.Inf(-1), nan}

	strs := []any{"", strings.Repeat("a", 31), strings.Repeat("b", 32), strings.Repeat("c", 255),
		strings.Repeat("d", 256), strings.Repeat("e", 65535), strings.Repeat("f", 65536)}
	unicode := []any{"世界", "🌍", "a\x00b", "é€😀", strings.Repeat("世", 100), "ключ", "\u200b\ufeff"}
	var bins, binsIn []any
	for _, n := range []int{0, 1, 255, 256, 65535, 65536} {
		bins = append(bins, pattern(n, 7, 0))
		binsIn = append(binsIn, pattern(n, 7, 0))
	}

	map16 := map[string]any{}
	map16Want := map[string]any{}
	for i := range 20 {
		k := fmt.Sprintf("k%02d", i)
		map16[k] = i
		map16Want[k] = int64(i)
	}
	var array16In []int
	var array16 []any
	for i := -50; i < 50; i++ {
		array16In = append(array16In, i)
		array16 = append(array16, int64(i))
	}
	map32In := map[string]any{}
	map32 := map[string]any{}
	for i := range 65536 {
		k := fmt.Sprintf("k%05d", i)
		map32In[k] = uint32(i)
		map32[k] = int64(i)
	}

	blob := pattern(1<<20, 31, 7)
	text := strings.Repeat("héllo wörld 世界 🌍 ", 40000)
	largeInts := make([]int32, 70000)
	largeWant := make([]any, 70000)
	for i := range largeInts {
		largeInts[i] = int32(i)
		largeWant[i] = int64(i)
	}

	ndData := make([]byte, 16)
	binary.LittleEndian.PutUint64(ndData, math.Float64bits(1.5))
	binary.LittleEndian.PutUint64(ndData[8:], math.Float64bits(2.0))
	binKeys := map[string]any{"nd": true, "type": "<f8", "kind": []byte{}, "shape": []any{int64(2)}, "data": ndData}

	return []interopCase{
		{name: "message_number", in: map[string]any{"message_number": 10}, want: map[string]any{"message_number": int64(10)}},
		{name: "nil", in: nil, want: nil},
		{name: "bools", in: []any{true, false, nil}, want: []any{true, false, nil}},
		{name: "ints", in: ints, want: intsWant},
		{name: "typed_ints",
			in: map[string]any{"i8": int8(-5), "u8": uint8(200), "i16": int16(-300), "u16": uint16(60000),
				"i32": int32(-70000), "u32": uint32(4000000000), "i64": int64(-1 << 40), "u64": uint64(math.MaxUint64)},
			want: map[string]any{"i8": int64(-5), "u8": int64(200), "i16": int64(-300), "u16": int64(60000),
				"i32": int64(-70000), "u32": int64(4000000000), "i64": int64(-1 << 40), "u64": uint64(math.MaxUint64)}},
		{name: "floats", in: floats, want: floats},
		{name: "float32_widened", in: []float32{1.5, 0.1, -math.MaxFloat32},
			want: []any{1.5, float64(float32(0.1)), -float64(math.MaxFloat32)}},
		{name: "str_lengths", in: strs, want: strs},
		{name: "unicode", in: unicode, want: unicode},
		{name: "unicode_keys", in: map[string]any{"温度": 21.5, "🌡": "ok", "ключ": "значение", "": 0},
			want: map[string]any{"温度": 21.5, "🌡": "ok", "ключ": "значение", "": int64(0)}},
		{name: "bin_lengths", in: binsIn, want: bins},
		{name: "nested",
			in: map[string]any{"a": []any{1, map[string]any{"b": nil, "c": true}}, "d": false,
				"e": map[string]any{"f": map[string]any{"g": []any{[]any{}, map[string]any{}}}}},
			want: map[string]any{"a": []any{int64(1), map[string]any{"b": nil, "c": true}}, "d": false,
				"e": map[string]any{"f": map[string]any{"g": []any{[]any{}, map[string]any{}}}}}},
		{name: "map16", in: map16, want: map16Want},
		{name: "array16", in: array16In, want: array16},
		{name: "map32", in: map32In, want: map32},
		{name: "large", in: map[string]any{"blob": blob, "text": text, "ints": largeInts},
			want: map[string]any{"blob": blob, "text": text, "ints": largeWant}},
		{name: "struct", in: tagged{Topic: "t", Seq: 300, Ratio: 0.5, Both: -1, Hidden: "h", Plain: true},
			want: map[string]any{"topic": "t", "seq": int64(300), "ratio": 0.5, "both": int64(-1), "Plain": true}, noReencode: true},
		{name: "bin_keys", pyOnly: true, want: binKeys, noReencode: true},
		{name: "reference_ndarray", pyOnly: true, want: map[string]any{"a": binKeys}, noReencode: true},
		{name: "mixed_keys", pyOnly: true, want: map[string]any{"a": int64(1), "b": int64(2)}, noReencode: true},
		{name: "tuple", pyOnly: true, want: []any{int64(1), []any{int64(2), "x"}}},
		{name: "int_key", pyOnly: true, reject: ErrNonStringKey},
		{name: "nested_int_key", pyOnly: true, reject: ErrNonStringKey},
		{name: "none_key", pyOnly: true, reject: ErrNonStringKey},
		{name: "float_key", pyOnly: true, reject: ErrNonStringKey},
	}
}

// runCodecPeer runs testdata/codec_peer.py with the request map and returns
// its reply's "cases" map.
func runCodecPeer(t *testing.T, py, mode string, request map[string]any) map[string]any {
	t.Helper()
	in, err := Marshal(request)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "testdata/codec_peer.py", mode)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("codec_peer.py %s: %v\n%s", mode, err, stderr.String())
	}
	reply, err := DecodeMap(stdout.Bytes())
	if err != nil {
		t.Fatalf("decoding the peer's reply: %v", err)
	}
	t.Logf("peer: Python %v, msgpack %v", reply["python"], reply["msgpack"])
	if u, _ := reply["unknown"].([]any); len(u) > 0 {
		t.Errorf("cases unknown to codec_peer.py: %v", u)
	}
	cases, ok := reply["cases"].(map[string]any)
	if !ok {
		t.Fatalf("reply has no cases map: %s", show(reply))
	}
	return cases
}

func peerEntry(t *testing.T, cases map[string]any, name string) map[string]any {
	t.Helper()
	e, ok := cases[name].(map[string]any)
	if !ok {
		t.Fatalf("codec_peer.py has no case %q", name)
	}
	if msg, ok := e["error"]; ok {
		t.Fatalf("Python failed on Go's bytes: %v", msg)
	}
	return e
}

// TestCodecInteropPython proves, against Debian's python3-msgpack, that
// (a) Marshal writes the same bytes as packb(use_bin_type=True) and Python
// unpacks them to exactly the value it would have sent itself, and (b)
// DecodeValue turns Python's bytes into the expected Go values, which
// Marshal writes back byte for byte.
func TestCodecInteropPython(t *testing.T) {
	py := testpeer.Python(t, "msgpack")
	cs := interopCases()
	request := map[string]any{}
	goBytes := map[string][]byte{}
	for _, c := range cs {
		if c.pyOnly {
			continue
		}
		b, err := Marshal(c.in)
		if err != nil {
			t.Fatalf("Marshal %s: %v", c.name, err)
		}
		request[c.name] = b
		goBytes[c.name] = b
	}
	peer := runCodecPeer(t, py, "cases", request)
	if len(peer) != len(cs) {
		t.Errorf("Python has %d cases, Go %d", len(peer), len(cs))
	}
	for _, c := range cs {
		t.Run(c.name, func(t *testing.T) {
			e := peerEntry(t, peer, c.name)
			pyBytes, ok := e["py"].([]byte)
			if !ok {
				t.Fatalf("no py bytes: %s", show(e))
			}
			if !c.pyOnly {
				// (a) Go → Python.
				if gb := goBytes[c.name]; !bytes.Equal(gb, pyBytes) {
					i := 0
					for i < len(gb) && i < len(pyBytes) && gb[i] == pyBytes[i] {
						i++
					}
					t.Errorf("Marshal differs from packb at byte %d:\n  go %s\n  py %s", i, showHex(gb[i:]), showHex(pyBytes[i:]))
				}
				if e["same"] != true {
					t.Errorf("Python unpacked Go's bytes to a different value")
				}
				if echo, _ := e["echo"].([]byte); !bytes.Equal(echo, goBytes[c.name]) {
					t.Errorf("Python re-packed Go's bytes differently: %s", showHex(echo))
				}
			}
			// (b) Python → Go.
			got, err := DecodeValue(pyBytes)
			if c.reject != nil {
				if !errors.Is(err, c.reject) || !errors.Is(err, ErrBadPayload) {
					t.Fatalf("DecodeValue(% x) = %s, %v; want error %v", pyBytes, show(got), err, c.reject)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeValue: %v", err)
			}
			if !equalGeneric(got, c.want) {
				t.Fatalf("DecodeValue(Python bytes)\n got %s\nwant %s", show(got), show(c.want))
			}
			if c.noReencode {
				return
			}
			again, err := Marshal(got)
			if err != nil {
				t.Fatalf("Marshal(decoded): %v", err)
			}
			if !bytes.Equal(again, pyBytes) {
				t.Errorf("re-encoded Python's value differently:\n  go %s\n  py %s", showHex(again), showHex(pyBytes))
			}
		})
	}
	// Reference §2.7: the hand-built msgpack-numpy map packs to the
	// documented bytes.
	ref := h(t, "81 a1 61 85 c4 02 6e 64 c3 c4 04 74 79 70 65 a3 3c 66 38 c4 04 6b 69 6e 64 c4 00 c4 05 73 68 61 70 65 91 02"+
		"c4 04 64 61 74 61 c4 10 00 00 00 00 00 00 f8 3f 00 00 00 00 00 00 00 40")
	if got := peerEntry(t, peer, "reference_ndarray")["py"]; !bytes.Equal(got.([]byte), ref) {
		t.Errorf("reference §2.7 bytes differ from Python's: % x", got)
	}
}

// TestCodecInteropNumpy checks the msgpack-numpy shapes against the real
// msgpack_numpy: Python's arrays decode to the documented bin-keyed maps, and
// maps written by a msgpack.CustomEncoder with bin keys (as the ndarray
// package does) become numpy arrays in Python.
func TestCodecInteropNumpy(t *testing.T) {
	py := testpeer.Python(t, "msgpack", "numpy", "msgpack_numpy")
	le := func(vals ...any) []byte {
		var b bytes.Buffer
		for _, v := range vals {
			_ = binary.Write(&b, binary.LittleEndian, v)
		}
		return b.Bytes()
	}
	type npCase struct {
		name string
		in   any
		want any
		ref  string // expected bytes (reference §2.7), if documented
	}
	nd := func(dtype string, shape []int, data []byte) (testNDArray, map[string]any) {
		s := make([]any, len(shape))
		for i, n := range shape {
			s[i] = int64(n)
		}
		return testNDArray{dtype, shape, data}, map[string]any{"nd": true, "type": dtype, "kind": []byte{}, "shape": s, "data": data}
	}
	f8, f8Want := nd("<f8", []int{2}, le(1.5, 2.0))
	i2, i2Want := nd("<i2", []int{2, 3}, le(int16(0), int16(1), int16(2), int16(3), int16(4), int16(5)))
	u1, u1Want := nd("|u1", []int{3}, []byte{1, 2, 255})
	fo, foWant := nd("<i4", []int{2, 3}, le(int32(0), int32(1), int32(2), int32(3), int32(4), int32(5)))
	cs := []npCase{
		{"ndarray_f8", map[string]any{"a": f8}, map[string]any{"a": f8Want},
			"81 a1 61 85 c4 02 6e 64 c3 c4 04 74 79 70 65 a3 3c 66 38 c4 04 6b 69 6e 64 c4 00 c4 05 73 68 61 70 65 91 02" +
				"c4 04 64 61 74 61 c4 10 00 00 00 00 00 00 f8 3f 00 00 00 00 00 00 00 40"},
		{"scalar_i4", testNPScalar{"<i4", le(int32(7))}, map[string]any{"nd": false, "type": "<i4", "data": le(int32(7))},
			"83 c4 02 6e 64 c2 c4 04 74 79 70 65 a3 3c 69 34 c4 04 64 61 74 61 c4 04 07 00 00 00"},
		{"ndarray_i2_2x3", i2, i2Want, ""},
		{"ndarray_u1", u1, u1Want, ""},
		{"ndarray_fortran", fo, foWant, ""}, // sent in C order
	}
	request := map[string]any{}
	goBytes := map[string][]byte{}
	for _, c := range cs {
		b, err := Marshal(c.in)
		if err != nil {
			t.Fatalf("Marshal %s: %v", c.name, err)
		}
		request[c.name] = b
		goBytes[c.name] = b
	}
	peer := runCodecPeer(t, py, "numpy", request)
	for _, c := range cs {
		t.Run(c.name, func(t *testing.T) {
			e := peerEntry(t, peer, c.name)
			if e["same"] != true {
				t.Errorf("msgpack_numpy did not rebuild the same array from Go's bytes % x", goBytes[c.name])
			}
			pyBytes, _ := e["py"].([]byte)
			if !bytes.Equal(pyBytes, goBytes[c.name]) {
				t.Errorf("bytes differ:\n  go % x\n  py % x", goBytes[c.name], pyBytes)
			}
			if c.ref != "" && !bytes.Equal(pyBytes, h(t, c.ref)) {
				t.Errorf("msgpack_numpy bytes differ from reference §2.7: % x", pyBytes)
			}
			got, err := DecodeValue(pyBytes)
			if err != nil {
				t.Fatal(err)
			}
			if !equalGeneric(got, c.want) {
				t.Errorf("DecodeValue\n got %s\nwant %s", show(got), show(c.want))
			}
		})
	}
}
