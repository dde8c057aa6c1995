package mqtt

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/testpeer"
)

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := banyan.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ordered builds a msgpack map with keys in the given order (Go maps have none).
func ordered(t *testing.T, kv ...any) []byte {
	t.Helper()
	out := []byte{0x80 | byte(len(kv)/2)}
	for i := 0; i < len(kv); i += 2 {
		out = append(out, mustMarshal(t, kv[i])...)
		out = append(out, mustMarshal(t, kv[i+1])...)
	}
	return out
}

func TestMsgpackToJSON(t *testing.T) {
	cases := []struct {
		in   []byte
		want string
	}{
		{ordered(t, "msg", 1), `{"msg": 1}`},
		{ordered(t, "z", 1, "a", 2), `{"z": 1, "a": 2}`},
		{mustMarshal(t, []any{1, "two", 3.0, nil, true, false}), `[1, "two", 3.0, null, true, false]`},
		{mustMarshal(t, map[string]any{}), `{}`},
		{mustMarshal(t, []any{}), `[]`},
		{mustMarshal(t, 1e16), `1e+16`},
		{mustMarshal(t, 1e15), `1000000000000000.0`},
		{mustMarshal(t, 0.0001), `0.0001`},
		{mustMarshal(t, 0.00001), `1e-05`},
		{mustMarshal(t, -1.5e300), `-1.5e+300`},
		{mustMarshal(t, 0.1), `0.1`},
		{mustMarshal(t, math.Copysign(0, -1)), `-0.0`},
		{mustMarshal(t, math.NaN()), `NaN`},
		{mustMarshal(t, math.Inf(-1)), `-Infinity`},
		{[]byte{0xca, 0x3d, 0xcc, 0xcc, 0xcd}, `0.10000000149011612`},
		{mustMarshal(t, int64(math.MinInt64)), `-9223372036854775808`},
		{mustMarshal(t, uint64(math.MaxUint64)), `18446744073709551615`},
		{mustMarshal(t, -33), `-33`},
		{mustMarshal(t, "é\"\\\n\x01\x7f😀"), `"\u00e9\"\\\n\u0001\u007f\ud83d\ude00"`},
	}
	for _, c := range cases {
		got, err := MsgpackToJSON(c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("MsgpackToJSON(% x) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
}

func TestMsgpackToJSONRefuses(t *testing.T) {
	for name, in := range map[string][]byte{
		"bytes":          mustMarshal(t, map[string]any{"b": []byte{1, 2}}),
		"bin key":        {0x81, 0xc4, 0x01, 'k', 0x01},
		"int key":        {0x81, 0x01, 0x01},
		"ext":            {0xd4, 0x01, 0x00},
		"truncated":      {0x82, 0xa1, 'a'},
		"trailing":       {0x01, 0x02},
		"reserved":       {0xc1},
		"bad utf8":       {0xa1, 0xff},
		"forged length":  {0xdd, 0xff, 0xff, 0xff, 0xff},
		"empty":          {},
		"too deep array": bytes.Repeat([]byte{0x91}, banyan.MaxNesting+1),
	} {
		if out, err := MsgpackToJSON(in); !errors.Is(err, ErrConversion) {
			t.Errorf("%s: got %q, %v; want ErrConversion", name, out, err)
		}
	}
}

func TestJSONToMsgpack(t *testing.T) {
	cases := []struct {
		in   string
		want []byte
	}{
		{`{"msg": 1}`, ordered(t, "msg", 1)},
		{` {"z":1,"a":[1,2.0,"x",null,true,false]} `, ordered(t, "z", 1, "a", []any{1, 2.0, "x", nil, true, false})},
		{`-1`, mustMarshal(t, -1)},
		{`-0`, mustMarshal(t, 0)},
		{`1E2`, mustMarshal(t, 100.0)},
		{`1e400`, mustMarshal(t, math.Inf(1))},
		{`18446744073709551615`, mustMarshal(t, uint64(math.MaxUint64))},
		{`-9223372036854775808`, mustMarshal(t, int64(math.MinInt64))},
		{`"\u00e9\ud83d\ude00"`, mustMarshal(t, "é😀")},
		{`[` + strings.Repeat("0,", 20) + `0]`, mustMarshal(t, make([]int, 21))},
	}
	for _, c := range cases {
		got, err := JSONToMsgpack([]byte(c.in))
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("JSONToMsgpack(%s) = % x, %v; want % x", c.in, got, err, c.want)
		}
	}
}

func TestJSONToMsgpackRefuses(t *testing.T) {
	for _, in := range []string{
		``, ` `, `not json`, `{"a": 1} x`, `{"a": 1}{}`, `{"a":}`, `[1,]`, `nan`, `-NaN`, `Inf`,
		`18446744073709551616`, `-9223372036854775809`, "\xff\"", `{"a": "` + "\x01" + `"}`,
		strings.Repeat("[", banyan.MaxNesting+1) + strings.Repeat("]", banyan.MaxNesting+1),
	} {
		if out, err := JSONToMsgpack([]byte(in)); !errors.Is(err, ErrConversion) {
			t.Errorf("JSONToMsgpack(%q) = % x, %v; want ErrConversion", in, out, err)
		}
	}
}

// TestJSONLikePython compares both converters, byte for byte, with what
// Python's json and msgpack modules (as mgw uses them) produce.
func TestJSONLikePython(t *testing.T) {
	py := testpeer.Python(t, "msgpack")
	p := testpeer.Start(t, py, filepath.Join("testdata", "pyjson.py"))
	ask := func(op string, in []byte) (string, bool) {
		p.Send(op + " " + hex.EncodeToString(in))
		line, ok := p.Next(testTimeout)
		if !ok {
			t.Fatal("no answer from pyjson.py")
		}
		if out, ok := strings.CutPrefix(line, "ok "); ok {
			b, _ := hex.DecodeString(out)
			return string(b), true
		}
		return line, false
	}
	values := []any{
		map[string]any{"msg": 99999}, 0, -1, 127, 128, 255, 256, 65535, 65536, -32, -33, -128, -129, -32768, -32769,
		int64(math.MinInt64), uint64(math.MaxUint64), int64(math.MaxInt64),
		0.0, 1.0, -2.5, 0.1, 1.0 / 3, 1e15, 1e16, 123456789012345678.0, 1e-4, 1e-5, 5e-324, math.MaxFloat64,
		math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), float32(0.1), float32(3.4e38),
		"", "plain", "tab\tquote\"back\\slash", "\x00\x1f\x7f", "é€😀", strings.Repeat("x", 300),
		nil, true, false, []any{1, []any{2, []any{3}}, map[string]any{"k": "v"}},
		make([]int, 20), map[string]any{"a": map[string]any{"b": []any{1.5, "c"}}},
	}
	for _, v := range values {
		in := mustMarshal(t, v)
		want, ok := ask("d", in)
		if !ok {
			t.Fatalf("python json.dumps(%v): %s", v, want)
		}
		got, err := MsgpackToJSON(in)
		if err != nil || string(got) != want {
			t.Errorf("value %#v: ours %s (%v), Python %s", v, got, err, want)
		}
		back, ok := ask("l", []byte(want))
		if !ok {
			t.Fatalf("python json.loads(%s): %s", want, back)
		}
		ours, err := JSONToMsgpack([]byte(want))
		if err != nil || string(ours) != back {
			t.Errorf("JSON %s: ours % x (%v), Python % x", want, ours, err, []byte(back))
		}
	}
	// Key order and whitespace variants of JSON text, and texts both refuse.
	for _, text := range []string{`{"z": 1, "a": 2, "m": [1, 2.0]}`, "{\n \"k\" :\t[ ]}", `"\ud83d\ude00"`, `1.0e2`, `-0.0`} {
		back, ok := ask("l", []byte(text))
		ours, err := JSONToMsgpack([]byte(text))
		if !ok || err != nil || string(ours) != back {
			t.Errorf("JSON %s: ours % x (%v), Python % x (%v)", text, ours, err, []byte(back), ok)
		}
	}
	for _, text := range []string{`{"a": 1} x`, ``, `{'a': 1}`, `18446744073709551616`} {
		if out, ok := ask("l", []byte(text)); ok {
			t.Errorf("Python accepted %q: % x", text, out)
		}
		if _, err := JSONToMsgpack([]byte(text)); err == nil {
			t.Errorf("we accepted %q", text)
		}
	}
	for _, in := range [][]byte{mustMarshal(t, []byte{1}), {0x81, 0xc4, 0x01, 'k', 0x01}} {
		if out, ok := ask("d", in); ok {
			t.Errorf("Python dumped % x as %s", in, out)
		}
		if _, err := MsgpackToJSON(in); err == nil {
			t.Errorf("we dumped % x", in)
		}
	}
}
