package msgjson_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/msgjson"
)

// toMsgpack converts with the default options, failing the test on error.
func toMsgpack(t *testing.T, js string) []byte {
	t.Helper()
	out, err := msgjson.AppendMsgpack(nil, []byte(js), msgjson.Options{})
	if err != nil {
		t.Fatalf("%.80s: %v", js, err)
	}
	if err := banyan.Validate(out); err != nil {
		t.Fatalf("%.80s: invalid msgpack % x: %v", js, out, err)
	}
	return out
}

// marshal is banyan.Marshal, failing the test on error.
func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := banyan.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Scalars: the bytes banyan.Marshal writes for the Go value json.loads
// would give.
func TestScalarsAsCodec(t *testing.T) {
	cases := []struct {
		js string
		v  any
	}{
		{"0", 0}, {"-0", 0}, {"1", 1}, {"127", 127}, {"128", 128}, {"255", 255}, {"256", 256},
		{"65535", 65535}, {"65536", 65536}, {"4294967295", uint64(math.MaxUint32)}, {"4294967296", uint64(1 << 32)},
		{"9223372036854775807", int64(math.MaxInt64)}, {"9223372036854775808", uint64(1 << 63)},
		{"18446744073709551615", uint64(math.MaxUint64)},
		{"-1", -1}, {"-32", -32}, {"-33", -33}, {"-128", -128}, {"-129", -129}, {"-32768", -32768}, {"-32769", -32769},
		{"-2147483648", int64(math.MinInt32)}, {"-2147483649", int64(math.MinInt32) - 1},
		{"-9223372036854775808", int64(math.MinInt64)},
		{"1.5", 1.5}, {"-1.5", -1.5}, {"1e300", 1e300}, {"1.0", 1.0}, {"1E2", 100.0}, {"1e+2", 100.0}, {"25e-1", 2.5},
		{"0.1", 0.1}, {"-0.0", math.Copysign(0, -1)}, {"0e999999", 0.0}, {"0.000", 0.0},
		{"1e999", math.Inf(1)}, {"-1e999", math.Inf(-1)}, {"1e309", math.Inf(1)}, {"1.8e308", math.Inf(1)},
		{"1.7976931348623157e308", math.MaxFloat64}, {"1e-400", 0.0}, {"-1e-400", math.Copysign(0, -1)},
		{"5e-324", 5e-324}, {"2e-324", 0.0}, {"123456789012345678901234567890.0", 1.2345678901234568e29},
		{"0.00000000000000000000000000000000000000000000001", 1e-47},
		{"123.456e-2", 1.23456},
		{"true", true}, {"false", false}, {"null", nil},
		{`""`, ""}, {`"abc"`, "abc"}, {`"é"`, "é"}, {`"\u00e9\n\"\\\/\b\f\r\t"`, "é\n\"\\/\b\f\r\t"},
		{`"\ud83d\ude00"`, "😀"}, {`"\u0000"`, "\x00"}, {`"\uFFFF"`, "\uffff"},
	}
	for _, tc := range cases {
		got := toMsgpack(t, tc.js)
		if want := marshal(t, tc.v); !bytes.Equal(got, want) {
			t.Errorf("%s: % x, want % x (%#v)", tc.js, got, want, tc.v)
		}
	}
}

// Strings of every header size, with and without escapes, including
// escaped strings whose decoded length needs a shorter header than their
// raw length.
func TestStrings(t *testing.T) {
	for _, n := range []int{0, 1, 31, 32, 33, 255, 256, 65535, 65536, 70000} {
		s := strings.Repeat("a", n)
		if got, want := toMsgpack(t, `"`+s+`"`), marshal(t, s); !bytes.Equal(got, want) {
			t.Errorf("%d bytes: header % x, want % x", n, got[:min(len(got), 5)], want[:min(len(want), 5)])
		}
		// \u00e9 (6 bytes) decodes to 2: the raw text is three times as long.
		raw := strings.Repeat(`\u00e9`, n/2) + strings.Repeat("b", n%2)
		dec := strings.Repeat("é", n/2) + strings.Repeat("b", n%2)
		if got, want := toMsgpack(t, `"`+raw+`"`), marshal(t, dec); !bytes.Equal(got, want) {
			t.Errorf("%d escaped bytes: header % x, want % x", len(raw), got[:min(len(got), 5)], want[:min(len(want), 5)])
		}
		mixed := strings.Repeat("é\\n", n/3)
		if got, want := toMsgpack(t, `"`+mixed+`"`), marshal(t, strings.Repeat("é\n", n/3)); !bytes.Equal(got, want) {
			t.Errorf("%d mixed bytes: % x, want % x", len(mixed), got[:min(len(got), 5)], want[:min(len(want), 5)])
		}
	}
}

// Objects keep their keys in order; duplicates are kept and the last
// wins when decoded.
func TestKeyOrder(t *testing.T) {
	got := toMsgpack(t, `{"z": 1, "a": 2, "m": {"y": true, "b": null}}`)
	want := "83a17a01a16102a16d82a179c3a162c0"
	if hex.EncodeToString(got) != want {
		t.Errorf("% x, want %s", got, want)
	}
	got = toMsgpack(t, `{"k": 1, "k": 2}`)
	if hex.EncodeToString(got) != "82a16b01a16b02" {
		t.Errorf("duplicates: % x", got)
	}
	if v, err := banyan.DecodeMap(got); err != nil || v["k"] != int64(2) || len(v) != 1 {
		t.Errorf("duplicates decode to %v, %v", v, err)
	}
	// Sorted keys: exactly banyan.Marshal of the map.
	js := `{"command": "digital_write", "pin": 13, "tag": "led", "value": 1.5}`
	if got, want := toMsgpack(t, js), marshal(t, map[string]any{"command": "digital_write", "pin": 13, "tag": "led", "value": 1.5}); !bytes.Equal(got, want) {
		t.Errorf("% x, want % x", got, want)
	}
}

// Arrays and objects of every header size, nested, as the codec writes
// them.
func TestContainers(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 17, 65535, 65536, 70000} {
		var js strings.Builder
		arr := make([]any, n)
		obj := make(map[string]any, n)
		var objJS strings.Builder
		js.WriteString("[")
		objJS.WriteString("{")
		for i := range n {
			if i > 0 {
				js.WriteString(",")
				objJS.WriteString(",")
			}
			// Elements alternate: an empty object, a small array, a number.
			switch i % 3 {
			case 0:
				js.WriteString("{}")
				arr[i] = map[string]any{}
			case 1:
				js.WriteString(`[1,{"a":[]}]`)
				arr[i] = []any{1, map[string]any{"a": []any{}}}
			case 2:
				js.WriteString("-5")
				arr[i] = -5
			}
			k := strconv.Itoa(1_000_000 + i) // sorted as the codec sorts
			objJS.WriteString(`"` + k + `":[` + strconv.Itoa(i) + `]`)
			obj[k] = []any{i}
		}
		js.WriteString("]")
		objJS.WriteString("}")
		if got, want := toMsgpack(t, js.String()), marshal(t, arr); !bytes.Equal(got, want) {
			t.Errorf("array of %d: %d bytes % x..., want %d bytes % x...", n, len(got), got[:min(len(got), 8)], len(want), want[:min(len(want), 8)])
		}
		if got, want := toMsgpack(t, objJS.String()), marshal(t, obj); !bytes.Equal(got, want) {
			t.Errorf("object of %d: %d bytes % x..., want %d bytes", n, len(got), got[:min(len(got), 8)], len(want))
		}
		// Nested in a padded container and next to one.
		wrapped := `{"x": ` + js.String() + `, "y": [` + objJS.String() + `]}`
		if got, want := toMsgpack(t, wrapped), marshal(t, map[string]any{"x": arr, "y": []any{obj}}); !bytes.Equal(got, want) {
			t.Errorf("wrapped %d: %d bytes, want %d", n, len(got), len(want))
		}
	}
}

// Whitespace anywhere between tokens.
func TestWhitespace(t *testing.T) {
	got := toMsgpack(t, " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" :{ } }\n ")
	if want := marshal(t, map[string]any{"a": []any{1, 2}, "b": map[string]any{}}); !bytes.Equal(got, want) {
		t.Errorf("% x, want % x", got, want)
	}
}

// MaxDepth counts nesting as the codec does: a top-level container is
// depth 1, empty ones count.
func TestDepth(t *testing.T) {
	nest := func(n int, inner string) string {
		return strings.Repeat(`{"a":[`, n/2) + strings.Repeat("[", n%2) + inner + strings.Repeat("]", n%2) + strings.Repeat("]}", n/2)
	}
	if msgjson.DefaultMaxDepth > banyan.MaxNesting {
		t.Fatalf("DefaultMaxDepth %d beyond banyan.MaxNesting %d", msgjson.DefaultMaxDepth, banyan.MaxNesting)
	}
	for _, tc := range []struct {
		max, n int
		inner  string
		ok     bool
	}{
		{0, msgjson.DefaultMaxDepth, "1", true},
		{0, msgjson.DefaultMaxDepth + 1, "1", false},
		{0, msgjson.DefaultMaxDepth - 1, "[]", true},
		{0, msgjson.DefaultMaxDepth, "{}", false},
		{1, 1, "1", true},
		{1, 1, "[]", false},
		{1, 2, "1", false},
		{banyan.MaxNesting, banyan.MaxNesting, "1", true},
		{5000, 5000, "1", true},
	} {
		js := nest(tc.n, tc.inner)
		out, err := msgjson.AppendMsgpack(nil, []byte(js), msgjson.Options{MaxDepth: tc.max})
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, msgjson.ErrDepth)) {
			t.Errorf("MaxDepth %d, depth %d+%s: %v", tc.max, tc.n, tc.inner, err)
			continue
		}
		if err == nil && tc.n <= banyan.MaxNesting {
			if err := banyan.Validate(out); err != nil {
				t.Errorf("depth %d: %v", tc.n, err)
			}
		}
	}
}

// Refusals, each with its sentinel.
func TestRefused(t *testing.T) {
	cases := map[string]error{
		``: msgjson.ErrSyntax, ` `: msgjson.ErrSyntax, `{`: msgjson.ErrSyntax, `[`: msgjson.ErrSyntax, `[1,`: msgjson.ErrSyntax,
		`{"a"`: msgjson.ErrSyntax, `{"a":`: msgjson.ErrSyntax, `{"a" 1}`: msgjson.ErrSyntax, `{"a":1,}`: msgjson.ErrSyntax,
		`[1,]`: msgjson.ErrSyntax, `[1 2]`: msgjson.ErrSyntax, `{1: 2}`: msgjson.ErrSyntax, `{"a":1]`: msgjson.ErrSyntax,
		`[1}`: msgjson.ErrSyntax, `]`: msgjson.ErrSyntax, `{"a": 1} {"b": 2}`: msgjson.ErrSyntax, `1 2`: msgjson.ErrSyntax,
		`NaN`: msgjson.ErrSyntax, `Infinity`: msgjson.ErrSyntax, `-Infinity`: msgjson.ErrSyntax, `{"n": NaN}`: msgjson.ErrSyntax,
		`01`: msgjson.ErrSyntax, `-`: msgjson.ErrSyntax, `1.`: msgjson.ErrSyntax, `.5`: msgjson.ErrSyntax, `1e`: msgjson.ErrSyntax,
		`1e+`: msgjson.ErrSyntax, `+1`: msgjson.ErrSyntax, `0x10`: msgjson.ErrSyntax, `- 1`: msgjson.ErrSyntax,
		`tru`: msgjson.ErrSyntax, `nul`: msgjson.ErrSyntax, `True`: msgjson.ErrSyntax, `"abc`: msgjson.ErrSyntax,
		`"\"`: msgjson.ErrSyntax, `"\x"`: msgjson.ErrSyntax, `"\u12"`: msgjson.ErrSyntax, `"\u12g4"`: msgjson.ErrSyntax,
		"\"a\tb\"": msgjson.ErrSyntax, "\"\x00\"": msgjson.ErrSyntax, "\"\x1f\"": msgjson.ErrSyntax, "\ufeff1": msgjson.ErrSyntax,
		"[1]\x00": msgjson.ErrSyntax, `'a'`: msgjson.ErrSyntax, "\"\\\xc3\xa9\"": msgjson.ErrSyntax,
		"\"\xff\"": msgjson.ErrUTF8, "\"a\xc3\"": msgjson.ErrUTF8, "\"\xed\xa0\x80\"": msgjson.ErrUTF8, "{\"\xc0\xaf\": 1}": msgjson.ErrUTF8,
		"\"\\n\xff\"": msgjson.ErrUTF8, `"\ud800"`: msgjson.ErrUTF8, `"\udc00"`: msgjson.ErrUTF8, `"\ud800\u0041"`: msgjson.ErrUTF8,
		`"\ud800x"`: msgjson.ErrUTF8, `"\ude00\ud83d"`: msgjson.ErrUTF8,
		`18446744073709551616`: msgjson.ErrRange, `-9223372036854775809`: msgjson.ErrRange, `99999999999999999999`: msgjson.ErrRange,
		`{"n": -99999999999999999999}`: msgjson.ErrRange, `123456789012345678901234567890`: msgjson.ErrRange,
	}
	sentinels := []error{msgjson.ErrSyntax, msgjson.ErrUTF8, msgjson.ErrRange, msgjson.ErrDepth, msgjson.ErrTooLarge}
	for js, want := range cases {
		dst := []byte("prefix")
		out, err := msgjson.AppendMsgpack(dst, []byte(js), msgjson.Options{})
		if !errors.Is(err, want) {
			t.Errorf("%q: % x, %v; want %v", js, out, err, want)
			continue
		}
		for _, s := range sentinels {
			if s != want && errors.Is(err, s) {
				t.Errorf("%q: %v also wraps %v", js, err, s)
			}
		}
		if string(out) != "prefix" {
			t.Errorf("%q: dst became %q", js, out)
		}
		if !strings.Contains(err.Error(), "at offset ") {
			t.Errorf("%q: error %q has no offset", js, err)
		}
	}
}

// MaxSize bounds the input.
func TestMaxSize(t *testing.T) {
	js := []byte(`"` + strings.Repeat("x", 98) + `"`)
	if _, err := msgjson.AppendMsgpack(nil, js, msgjson.Options{MaxSize: 100}); err != nil {
		t.Errorf("100 bytes within MaxSize 100: %v", err)
	}
	if _, err := msgjson.AppendMsgpack(nil, append(js, ' '), msgjson.Options{MaxSize: 100}); !errors.Is(err, msgjson.ErrTooLarge) {
		t.Errorf("101 bytes: %v", err)
	}
	big := make([]byte, msgjson.DefaultMaxSize+1)
	if _, err := msgjson.AppendMsgpack(nil, big, msgjson.Options{}); !errors.Is(err, msgjson.ErrTooLarge) {
		t.Errorf("DefaultMaxSize+1 bytes: %v", err)
	}
}

// The output is appended after what dst holds.
func TestAppends(t *testing.T) {
	dst := []byte{0xaa, 0xbb}
	out, err := msgjson.AppendMsgpack(dst, []byte(`[{"a": [1, 2]}, {"b": {}}]`), msgjson.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := append([]byte{0xaa, 0xbb}, marshal(t, []any{map[string]any{"a": []any{1, 2}}, map[string]any{"b": map[string]any{}}})...); !bytes.Equal(out, want) {
		t.Errorf("% x, want % x", out, want)
	}
}

// Inputs of the reference conversion's corpus give its bytes exactly.
func TestAgainstReference(t *testing.T) {
	for _, js := range referenceCorpus {
		got, err := msgjson.AppendMsgpack(nil, []byte(js), msgjson.Options{})
		want, rerr := refMsgpack([]byte(js))
		if err != nil || rerr != nil || !bytes.Equal(got, want) {
			t.Errorf("%.60s:\n got % x, %v\nwant % x, %v", js, got, err, want, rerr)
		}
	}
}

// referenceCorpus is also the fuzzer's seed corpus.
var referenceCorpus = []string{
	`{"id": "to_arduino_gateway"}`,
	`{"command": "digital_write", "pin": 13, "value": 1, "tag": "led", "duty": 0.5}`,
	`{"command": "set_mode_digital_input", "pin": 2}`,
	`[{},{},{},{}]`,
	`[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]`,
	`{"z": {"y": {"x": [1, -1, 1.5, "s", true, false, null]}}}`,
	`{"a": "\u00e9\ud83d\ude00\n", "é": "ü", "": ""}`,
	`[18446744073709551615, -9223372036854775808, 0, -0, 1e300, 1e999, -1e999, 5e-324, 1E-7]`,
	`{"k": 1, "k": 2, "k": {"k": 3}}`,
	` [ 1 , { "a" : [ ] } ] `,
	`"` + strings.Repeat(`\\`, 20) + `"`,
}

// The pass that closes the gaps of short headers steps over every kind of
// value, strings of every header size among them.
func TestCompaction(t *testing.T) {
	var js strings.Builder
	var want []any
	js.WriteString("[")
	for i, n := range []int{0, 31, 32, 255, 256, 300, 65535, 65536, 70000} {
		// Non-ASCII bytes look like msgpack codes (0xd9 is str8): a walk
		// out of step would take them for headers.
		s := strings.Repeat(string(rune('a'+i)), n%7) + strings.Repeat("Ù€é😀ÿ!", n/16)
		if i > 0 {
			js.WriteString(",")
		}
		js.WriteString(`{"s":"` + s + `","n":[1.5,-200,70000,5000000000,-5000000000,-1,true,null,{}]}`)
		want = append(want, map[string]any{"s": s, "n": []any{1.5, -200, 70000, int64(5000000000), int64(-5000000000), -1, true, nil, map[string]any{}}})
	}
	js.WriteString("]")
	got := toMsgpack(t, js.String())
	ref, err := refMsgpack([]byte(js.String()))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, ref) {
		t.Fatalf("%d bytes, reference %d", len(got), len(ref))
	}
	v, err := banyan.DecodeValue(got)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := marshal(t, v), marshal(t, want); !bytes.Equal(a, b) {
		t.Fatal("decoded value differs")
	}
}
