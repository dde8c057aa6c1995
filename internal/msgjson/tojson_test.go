package msgjson_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/msgjson"
)

// refJSON is the reference of AppendJSON with SortKeys: the Banyan codec
// decodes, bytes become base64 and NaN and infinities null, and
// encoding/json writes (without HTML escapes), as the WebSocket gateway
// did before msgjson.
func refJSON(payload []byte) ([]byte, error) {
	v, err := banyan.DecodeValue(payload)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jsonable(v)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// jsonable replaces what encoding/json refuses or writes otherwise.
func jsonable(v any) any {
	switch x := v.(type) {
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case []any:
		for i, e := range x {
			x[i] = jsonable(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = jsonable(e)
		}
	}
	return v
}

// sorted is the Options of the gateway's conversion.
var sorted = msgjson.Options{SortKeys: true, MaxDepth: banyan.MaxNesting}

// toJSONCorpus are payloads as Banyan components send them, and odd ones.
func toJSONCorpus(t testing.TB) [][]byte {
	var out [][]byte
	for _, v := range []any{
		map[string]any{"report": "digital_input", "pin": 2, "value": 1, "timestamp": 1550482276.75},
		map[string]any{"data": []byte{1, 2, 3}, "nan": math.NaN(), "inf": math.Inf(-1), "big": uint64(1 << 63), "list": []any{"é<>&", -1.5, float32(0.1)}},
		[]any{0, -1, -32, -33, 127, 128, 255, 256, 65535, 65536, int64(math.MinInt64), uint64(math.MaxUint64), 1e21, 1e20, 1e-6, 1e-7, 123456789.125, -0.0},
		map[string]any{"s": "\x00\x01\b\f\n\r\t\"\\/\u2028\u2029\u007f<>&é😀", "": map[string]any{}, "e": []any{}},
		"plain", nil, true, false, 1.5, []byte{}, strings.Repeat("x", 70000),
		map[string]any{"z": map[string]any{"b": 1, "a": []any{map[string]any{"y": 1, "x": 2}}}},
	} {
		b, err := banyan.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return append(out,
		[]byte{0x83, 0xa1, 'b', 0x01, 0xa1, 'a', 0x02, 0xa1, 'c', 0x03},                                   // keys out of order
		[]byte{0x83, 0xa1, 'k', 0x01, 0xa1, 'j', 0x02, 0xa1, 'k', 0x03},                                   // a duplicate, out of order: the last wins
		[]byte{0x82, 0xa1, 'a', 0x01, 0xc4, 0x01, 'a', 0x02},                                              // str and bin keys collide
		[]byte{0x82, 0xc4, 0x02, 0xff, 'a', 0x01, 0xc4, 0x01, 0xfe, 0x02},                                 // bin keys not UTF-8
		[]byte{0x81, 0xa1, 'x', 0x82, 0xa1, 'b', 0x91, 0x82, 0xa1, 'q', 0, 0xa1, 'p', 1, 0xa1, 'a', 0xc0}, // nested, unsorted at two levels
		[]byte{0xca, 0x3d, 0xcc, 0xcc, 0xcd},                                                              // float32
		[]byte{0xd0, 0x05, 0xd1, 0x00, 0x05}[:2],                                                          // int8 5
		[]byte{0xdc, 0x00, 0x01, 0xcc, 0x05},                                                              // array16 of one
		[]byte{0xde, 0x00, 0x02, 0xa1, 'b', 0x01, 0xa1, 'a', 0x02},                                        // map16, unsorted
	)
}

// With SortKeys, the text is byte for byte the reference's.
func TestAppendJSONAsEncodingJSON(t *testing.T) {
	for _, p := range toJSONCorpus(t) {
		got, err := msgjson.AppendJSON(nil, p, sorted)
		want, rerr := refJSON(p)
		if err != nil || rerr != nil || !bytes.Equal(got, want) {
			t.Errorf("% .40x:\n got %.200s, %v\nwant %.200s, %v", p, got, err, want, rerr)
		}
	}
}

// Without SortKeys, keys keep their order and every entry is written.
func TestAppendJSONKeepsOrder(t *testing.T) {
	p := []byte{0x83, 0xa1, 'k', 0x01, 0xa1, 'j', 0x92, 0x80, 0x90, 0xa1, 'k', 0x03}
	got, err := msgjson.AppendJSON([]byte("> "), p, msgjson.Options{})
	if want := `> {"k":1,"j":[{},[]],"k":3}`; err != nil || string(got) != want {
		t.Fatalf("%s, %v; want %s", got, err, want)
	}
}

// Field writes the values of a top-level map that it wants to, the last of
// duplicates only with SortKeys.
func TestAppendJSONField(t *testing.T) {
	p := []byte{0x84, 0xa2, 't', 's', 0x05, 0xa1, 'n', 0x81, 0xa2, 't', 's', 0x06, 0xa2, 't', 's', 0x07, 0xa1, 'a', 0x00}
	var seen []string
	o := sorted
	o.Field = func(dst, key, value []byte) ([]byte, bool) {
		seen = append(seen, fmt.Sprintf("%s=%x", key, value))
		if string(key) != "ts" {
			return dst, false
		}
		return append(dst, `"seven"`...), true
	}
	got, err := msgjson.AppendJSON(nil, p, o)
	if want := `{"a":0,"n":{"ts":6},"ts":"seven"}`; err != nil || string(got) != want {
		t.Fatalf("%s, %v; want %s", got, err, want)
	}
	if strings.Join(seen, " ") != "a=00 n=81a2747306 ts=07" {
		t.Errorf("Field saw %v", seen)
	}
}

// Map is offered every map, inner ones first, with its raw msgpack, and
// writes those it wants to; BinKey gives the text of bin keys only.
func TestAppendJSONMapBinKey(t *testing.T) {
	// {"a": {b"k": 1}, b"\xff": [{}], "z": {"n": 2}}
	p := []byte{0x83, 0xa1, 'a', 0x81, 0xc4, 1, 'k', 0x01, 0xc4, 1, 0xff, 0x91, 0x80, 0xa1, 'z', 0x81, 0xa1, 'n', 0x02}
	var seen []string
	o := msgjson.Options{Style: msgjson.PythonDumps}
	o.Map = func(dst, m []byte) ([]byte, bool) {
		seen = append(seen, fmt.Sprintf("%x", m))
		if len(m) > 1 && m[1] == 0xa1 && m[2] == 'n' {
			return append(dst, `"replaced"`...), true
		}
		return dst, false
	}
	o.BinKey = func(buf, key []byte) []byte { return fmt.Appendf(buf, "b%q", key) }
	got, err := msgjson.AppendJSON(nil, p, o)
	if want := `{"a": {"b\"k\"": 1}, "b\"\\xff\"": [{}], "z": "replaced"}`; err != nil || string(got) != want {
		t.Fatalf("%s, %v; want %s", got, err, want)
	}
	if want := "81c4016b01 80 81a16e02 " + fmt.Sprintf("%x", p); strings.Join(seen, " ") != want {
		t.Errorf("Map saw %v, want %s", seen, want)
	}
}

// Refusals, each with its sentinel; dst is returned as it was.
func TestAppendJSONRefused(t *testing.T) {
	deep := append(bytes.Repeat([]byte{0x91}, banyan.MaxNesting), 0x01)
	cases := map[string]struct {
		p    []byte
		want error
	}{
		"empty":          {nil, msgjson.ErrSyntax},
		"truncated map":  {[]byte{0x81, 0xa1}, msgjson.ErrSyntax},
		"truncated key":  {[]byte{0x81}, msgjson.ErrSyntax},
		"truncated int":  {[]byte{0xcd, 0x01}, msgjson.ErrSyntax},
		"truncated str":  {[]byte{0xd9, 0x05, 'a'}, msgjson.ErrSyntax},
		"huge count":     {[]byte{0xdd, 0xff, 0xff, 0xff, 0xff, 0x01}, msgjson.ErrSyntax},
		"huge map":       {[]byte{0xdf, 0x80, 0x00, 0x00, 0x00, 0xa0, 0x01}, msgjson.ErrSyntax},
		"trailing":       {[]byte{0x01, 0x02}, msgjson.ErrSyntax},
		"reserved":       {[]byte{0x91, 0xc1}, msgjson.ErrSyntax},
		"ext":            {[]byte{0xd4, 0x01, 0x00}, msgjson.ErrUnsupported},
		"ext8":           {[]byte{0x91, 0xc7, 0x01, 0x05, 0x00}, msgjson.ErrUnsupported},
		"int key":        {[]byte{0x81, 0x01, 0x02}, msgjson.ErrUnsupported},
		"str not UTF-8":  {[]byte{0xa1, 0xff}, msgjson.ErrUTF8},
		"key not UTF-8":  {[]byte{0x81, 0xa1, 0xff, 0x01}, msgjson.ErrUTF8},
		"too deep":       {append([]byte{0x91}, deep...), msgjson.ErrDepth},
		"deep but empty": {append(bytes.Repeat([]byte{0x91}, banyan.MaxNesting), 0x90), msgjson.ErrDepth},
	}
	for name, tc := range cases {
		out, err := msgjson.AppendJSON([]byte("x"), tc.p, sorted)
		if !errors.Is(err, tc.want) || string(out) != "x" {
			t.Errorf("%s: %q, %v; want %v", name, out, err, tc.want)
		}
	}
	if _, err := msgjson.AppendJSON(nil, deep, sorted); err != nil {
		t.Errorf("%d levels: %v", banyan.MaxNesting, err)
	}
	if _, err := msgjson.AppendJSON(nil, []byte{0xa1, 'x'}, msgjson.Options{MaxSize: 1}); !errors.Is(err, msgjson.ErrTooLarge) {
		t.Errorf("MaxSize: %v", err)
	}
}

// A round trip: JSON to msgpack and back gives the same JSON values.
func TestRoundTrip(t *testing.T) {
	for _, js := range referenceCorpus {
		p, err := msgjson.AppendMsgpack(nil, []byte(js), msgjson.Options{})
		if err != nil {
			t.Fatal(err)
		}
		back, err := msgjson.AppendJSON(nil, p, msgjson.Options{})
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		var a, b any
		if err := json.Unmarshal([]byte(js), &a); err != nil {
			continue // 1e999: +Inf, which JSON cannot write
		}
		if err := json.Unmarshal(back, &b); err != nil {
			t.Fatalf("%s: %s: %v", js, back, err)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Errorf("%s\nback as %s", js, back)
		}
	}
}
