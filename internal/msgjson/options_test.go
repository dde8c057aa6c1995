package msgjson_test

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/msgjson"
)

// roundTrip converts text to msgpack and back with the same options.
func roundTrip(t *testing.T, text string, o msgjson.Options) (mp []byte, back string) {
	t.Helper()
	mp, err := msgjson.AppendMsgpack(nil, []byte(text), o)
	if err != nil {
		t.Fatalf("AppendMsgpack(%s): %v", text, err)
	}
	out, err := msgjson.AppendJSON(nil, mp, o)
	if err != nil {
		t.Fatalf("AppendJSON(% x): %v", mp, err)
	}
	return mp, string(out)
}

func TestRoundTripKeyOrder(t *testing.T) {
	const text = `{"z":1,"a":{"y":2,"b":3},"m":[{"q":1,"c":2}]}`
	if _, back := roundTrip(t, text, msgjson.Options{}); back != text {
		t.Errorf("keys in order: got %s, want %s", back, text)
	}
	_, back := roundTrip(t, text, msgjson.Options{SortKeys: true})
	if want := `{"a":{"b":3,"y":2},"m":[{"c":2,"q":1}],"z":1}`; back != want {
		t.Errorf("sorted: got %s, want %s", back, want)
	}
}

func TestRoundTripIntegers64(t *testing.T) {
	for _, c := range []struct {
		text string
		v    any
	}{
		{"18446744073709551615", uint64(math.MaxUint64)},
		{"-9223372036854775808", int64(math.MinInt64)},
		{"9223372036854775807", int64(math.MaxInt64)},
		{"[0,-1,-32,-33,127,128,255,256,65535,65536,4294967295,4294967296]", []any{0, -1, -32, -33, 127, 128, 255, 256, 65535, 65536, int64(4294967295), int64(4294967296)}},
	} {
		mp, back := roundTrip(t, c.text, msgjson.Options{})
		if back != c.text {
			t.Errorf("%s came back as %s", c.text, back)
		}
		want, err := banyan.Marshal(c.v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(mp, want) {
			t.Errorf("%s: msgpack % x, banyan.Marshal % x", c.text, mp, want)
		}
	}
	for _, text := range []string{"18446744073709551616", "-9223372036854775809"} {
		if _, err := msgjson.AppendMsgpack(nil, []byte(text), msgjson.Options{}); !errors.Is(err, msgjson.ErrRange) {
			t.Errorf("%s: %v, want ErrRange", text, err)
		}
	}
}

func TestNonFinitePolicies(t *testing.T) {
	payload, err := banyan.Marshal([]any{math.NaN(), math.Inf(1), math.Inf(-1), float32(math.Inf(1)), 1.5})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		nf   msgjson.NonFinite
		want string
	}{
		{msgjson.NonFiniteNull, `[null,null,null,null,1.5]`},
		{msgjson.NonFiniteString, `["NaN","Infinity","-Infinity","Infinity",1.5]`},
		{msgjson.NonFiniteLiteral, `[NaN,Infinity,-Infinity,Infinity,1.5]`},
	} {
		got, err := msgjson.AppendJSON(nil, payload, msgjson.Options{NonFinite: c.nf})
		if err != nil || string(got) != c.want {
			t.Errorf("NonFinite %d: %s, %v; want %s", c.nf, got, err, c.want)
		}
	}
	if _, err := msgjson.AppendJSON(nil, payload, msgjson.Options{NonFinite: msgjson.NonFiniteRefuse}); !errors.Is(err, msgjson.ErrUnsupported) {
		t.Errorf("NonFiniteRefuse: %v, want ErrUnsupported", err)
	}
	// The tokens come back as floats only with NonFiniteLiteral.
	mp, back := roundTrip(t, `[NaN,Infinity,-Infinity,-1]`, msgjson.Options{NonFinite: msgjson.NonFiniteLiteral})
	if back != `[NaN,Infinity,-Infinity,-1]` {
		t.Errorf("literal round trip: %s (% x)", back, mp)
	}
	for _, text := range []string{`NaN`, `[Infinity]`, `-Infinity`} {
		if _, err := msgjson.AppendMsgpack(nil, []byte(text), msgjson.Options{}); !errors.Is(err, msgjson.ErrSyntax) {
			t.Errorf("%s without NonFiniteLiteral: %v, want ErrSyntax", text, err)
		}
	}
	if _, err := msgjson.AppendMsgpack(nil, []byte(`[-Inf]`), msgjson.Options{NonFinite: msgjson.NonFiniteLiteral}); !errors.Is(err, msgjson.ErrSyntax) {
		t.Errorf("-Inf: %v, want ErrSyntax", err)
	}
}

func TestBinPolicies(t *testing.T) {
	payload := []byte{0x82, 0xa1, 'b', 0xc4, 3, 1, 2, 3, 0xc4, 1, 'k', 0xc0} // {"b": b"\x01\x02\x03", b"k": None}
	for _, c := range []struct {
		bin  msgjson.Bin
		want string
	}{
		{msgjson.BinBase64, `{"b":"AQID","k":null}`},
		{msgjson.BinObject, `{"b":{"$bin":"AQID"},"k":null}`},
	} {
		got, err := msgjson.AppendJSON(nil, payload, msgjson.Options{Bin: c.bin})
		if err != nil || string(got) != c.want {
			t.Errorf("Bin %d: %s, %v; want %s", c.bin, got, err, c.want)
		}
	}
	for _, p := range [][]byte{payload, {0xc4, 0}, {0x81, 0xc4, 1, 'k', 1}} {
		if _, err := msgjson.AppendJSON(nil, p, msgjson.Options{Bin: msgjson.BinRefuse}); !errors.Is(err, msgjson.ErrUnsupported) {
			t.Errorf("BinRefuse % x: %v, want ErrUnsupported", p, err)
		}
	}
	// {"$bin": ...} comes back as bin with BinObject, of any length.
	big := bytes.Repeat([]byte{0xab}, 70000)
	for _, data := range [][]byte{{}, {1}, {1, 2}, {1, 2, 3}, bytes.Repeat([]byte{7}, 300), big} {
		mp, err := banyan.Marshal(map[string]any{"d": data})
		if err != nil {
			t.Fatal(err)
		}
		text, err := msgjson.AppendJSON(nil, mp, msgjson.Options{Bin: msgjson.BinObject})
		if err != nil {
			t.Fatal(err)
		}
		back, err := msgjson.AppendMsgpack(nil, text, msgjson.Options{Bin: msgjson.BinObject})
		if err != nil || !bytes.Equal(back, mp) {
			t.Errorf("%d bytes: % .20x, %v; want % .20x", len(data), back, err, mp)
		}
	}
	// Without BinObject, or with other keys, it is an ordinary object.
	for text, o := range map[string]msgjson.Options{
		`{"$bin":"AQID"}`:       {},
		`{"$bin":"AQID","x":1}`: {Bin: msgjson.BinObject},
		`{"x":1,"$bin":"AQID"}`: {Bin: msgjson.BinObject},
		`{"$bin":1}`:            {Bin: msgjson.BinObject},
	} {
		mp, err := msgjson.AppendMsgpack(nil, []byte(text), o)
		if err != nil || mp[0]&0xf0 != 0x80 {
			t.Errorf("%s: % x, %v; want a map", text, mp, err)
		}
	}
	for _, text := range []string{`{"$bin":"AQI"}`, `{ "$bin" : "AQ\u0049D"}`, `{"$bin":"A!ID"}`, `{"$bin":"AQ=D"}`} {
		if _, err := msgjson.AppendMsgpack(nil, []byte(text), msgjson.Options{Bin: msgjson.BinObject}); !errors.Is(err, msgjson.ErrSyntax) {
			t.Errorf("%s: %v, want ErrSyntax", text, err)
		}
	}
}

func TestInvalidUTF8(t *testing.T) {
	for _, text := range []string{"\"\xff\"", "{\"k\xc3\":1}", `"\ud800"`, `"\udc00\ud800"`} {
		if _, err := msgjson.AppendMsgpack(nil, []byte(text), msgjson.Options{}); !errors.Is(err, msgjson.ErrUTF8) {
			t.Errorf("AppendMsgpack(%q): %v, want ErrUTF8", text, err)
		}
	}
	for _, mp := range [][]byte{{0xa1, 0xff}, {0x81, 0xa1, 0xc3, 1}, {0xd9, 2, 0xed, 0xa0}} {
		for _, st := range []msgjson.Style{msgjson.Compact, msgjson.PythonDumps} {
			if _, err := msgjson.AppendJSON(nil, mp, msgjson.Options{Style: st}); !errors.Is(err, msgjson.ErrUTF8) {
				t.Errorf("AppendJSON(% x), style %d: %v, want ErrUTF8", mp, st, err)
			}
		}
	}
	// Valid UTF-8 beyond ASCII survives both styles.
	const text = `["é€😀\u2028"]`
	mp, back := roundTrip(t, text, msgjson.Options{})
	if back != `["é€😀\u2028"]` {
		t.Errorf("compact: %s", back)
	}
	py, err := msgjson.AppendJSON(nil, mp, msgjson.Options{Style: msgjson.PythonDumps})
	if want := `["\u00e9\u20ac\ud83d\ude00\u2028"]`; err != nil || string(py) != want {
		t.Errorf("python: %s, %v; want %s", py, err, want)
	}
}

func TestPythonDumpsStyle(t *testing.T) {
	mp, err := msgjson.AppendMsgpack(nil, []byte(`{"z":[1,2.0,1e16,1e15,0.0001,0.00001,-0.0,null,true],"a":"x\u007f"}`), msgjson.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := msgjson.AppendJSON(nil, mp, msgjson.Options{Style: msgjson.PythonDumps})
	want := `{"z": [1, 2.0, 1e+16, 1000000000000000.0, 0.0001, 1e-05, -0.0, null, true], "a": "x\u007f"}`
	if err != nil || string(got) != want {
		t.Errorf("got %s, %v\nwant %s", got, err, want)
	}
}

func TestExtObject(t *testing.T) {
	for mp, want := range map[string]string{
		"\xd4\x05\x01":                 `{"$ext":[5,"AQ=="]}`,
		"\x91\xc7\x03\xff\x01\x02\x03": `[{"$ext":[-1,"AQID"]}]`,
	} {
		if _, err := msgjson.AppendJSON(nil, []byte(mp), msgjson.Options{}); !errors.Is(err, msgjson.ErrUnsupported) {
			t.Errorf("% x: %v, want ErrUnsupported", mp, err)
		}
		got, err := msgjson.AppendJSON(nil, []byte(mp), msgjson.Options{Ext: msgjson.ExtObject})
		if err != nil || string(got) != want {
			t.Errorf("% x: %s, %v; want %s", mp, got, err, want)
		}
	}
}
