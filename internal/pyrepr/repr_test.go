package pyrepr

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Where Python cannot print a payload at all, this is what we print (see
// the package documentation).
func TestWherePythonCannotPrint(t *testing.T) {
	deep := mp{}
	for range 1023 {
		deep = deep.dict(1).str("d")
	}
	deep = deep.arr(0)
	cases := []struct {
		name    string
		payload []byte
		mode    Mode
		want    string
	}{
		{"negative ext code", mp{}.ext(-5, []byte{1, 2}), Plain, `ExtType(code=-5, data=b'\x01\x02')`},
		{"ext code -128", mp{}.ext(-128, []byte("x")), Plain, `ExtType(code=-128, data=b'x')`},
		{"timestamp of 5 bytes", mp{}.ext(-1, []byte{0, 0, 0, 0, 1}), Plain, `ExtType(code=-1, data=b'\x00\x00\x00\x00\x01')`},
		{"timestamp nanoseconds too large", mp{}.ext(-1, []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1}), Plain, `ExtType(code=-1, data=b'\xff\xff\xff\xff\x00\x00\x00\x01')`},
		{"1024 levels", deep, Plain, strings.Repeat("{'d': ", 1023) + "[]" + strings.Repeat("}", 1023)},
		{"numpy bad dtype", mp{}.dict(1).str("a").raw(numpyMap("<f-8", mp{}.arr(1).num(2), make([]byte, 16))...), Numpy,
			`{'a': {b'nd': True, b'type': '<f-8', b'kind': b'', b'shape': [2], b'data': b'` + strings.Repeat(`\x00`, 16) + `'}}`},
		{"numpy data too long", mp{}.arr(1).raw(numpyMap("|u1", mp{}.arr(1).num(2), []byte{1, 2, 3})...), Numpy,
			`[{b'nd': True, b'type': '|u1', b'kind': b'', b'shape': [2], b'data': b'\x01\x02\x03'}]`},
		{"numpy object array", mp{}.arr(1).raw(numpyMap("|O", mp{}.arr(1).num(1), []byte{0x80, 4})...), Numpy,
			`[{b'nd': True, b'type': '|O', b'kind': b'', b'shape': [1], b'data': b'\x80\x04'}]`},
		{"numpy datetime", mp{}.arr(1).raw(numpyMap("<M8[s]", mp{}.arr(0), make([]byte, 8))...), Numpy,
			`[{b'nd': True, b'type': '<M8[s]', b'kind': b'', b'shape': [], b'data': b'` + strings.Repeat(`\x00`, 8) + `'}]`},
		{"numpy nd not a bool", mp{}.arr(1).dict(3).bin([]byte("nd")).num(0).bin([]byte("type")).str("|u1").bin([]byte("data")).bin([]byte{7}), Numpy,
			`[{b'nd': 0, b'type': '|u1', b'data': b'\x07'}]`},
		{"numpy long double", mp{}.arr(1).raw(numpyMap("<f16", mp{}.arr(1).num(1), make([]byte, 16))...), Numpy,
			`[{b'nd': True, b'type': '<f16', b'kind': b'', b'shape': [1], b'data': b'` + strings.Repeat(`\x00`, 16) + `'}]`},
	}
	for _, c := range cases {
		got, err := Str(c.payload, c.mode)
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v\nwant %q", c.name, got, err, c.want)
		}
	}
}

// numpyMap is an ndarray as msgpack-numpy packs it, with a given type
// string, shape (a msgpack array) and data.
func numpyMap(typ string, shape mp, data []byte) mp {
	b := mp{}.dict(5).bin([]byte("nd")).bool(true).bin([]byte("type")).str(typ).bin([]byte("kind")).bin(nil)
	return b.bin([]byte("shape")).raw(shape...).bin([]byte("data")).bin(data)
}

func TestErrors(t *testing.T) {
	tooDeep := bytes.Repeat([]byte{0x91}, 1025)
	cases := map[string]struct {
		payload []byte
		want    error
	}{
		"empty":              {nil, ErrMalformed},
		"truncated map":      {mp{}.dict(2).str("a"), ErrMalformed},
		"trailing":           {mp{}.nil().nil(), ErrMalformed},
		"reserved":           {[]byte{0xc1}, ErrMalformed},
		"reserved in ext":    {mp{}.arr(2).ext(1, []byte{1}).raw(0xc1), ErrMalformed},
		"too deep":           {append(tooDeep, 0xc0), ErrMalformed},
		"str32 2^32-1":       {[]byte{0xdb, 0xff, 0xff, 0xff, 0xff}, ErrMalformed},
		"array32 2^32-1":     {[]byte{0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0}, ErrMalformed},
		"map32 2^31":         {[]byte{0xdf, 0x80, 0, 0, 0}, ErrMalformed},
		"ext truncated":      {[]byte{0xc7, 5, 1, 'a'}, ErrMalformed},
		"bad utf-8 then cut": {mp{}.arr(2).raw(0xa1, 0xff), ErrMalformed},
		"list key":           {mp{}.dict(1).arr(0).num(1), ErrUnhashableKey},
		"map key":            {mp{}.dict(1).dict(0).num(1), ErrUnhashableKey},
		"list key in numpy":  {mp{}.dict(2).bin([]byte("nd")).bool(true).arr(0).num(1), ErrUnhashableKey},
	}
	for name, c := range cases {
		for _, mode := range []Mode{Plain, Numpy} {
			dst := []byte("keep")
			out, err := AppendStr(dst, c.payload, mode)
			if !errors.Is(err, c.want) {
				t.Errorf("%s (%s): err %v, want %v", name, mode, err, c.want)
			}
			if string(out) != "keep" {
				t.Errorf("%s (%s): dst became %q", name, mode, out)
			}
		}
	}
}

// A typical payload costs one allocation besides the output.
func TestAllocations(t *testing.T) {
	p := typicalPayload()
	buf := make([]byte, 0, 1024)
	n := testing.AllocsPerRun(100, func() {
		if _, err := AppendStr(buf[:0], p, Plain); err != nil {
			t.Fatal(err)
		}
	})
	if n > 1 {
		t.Errorf("%v allocations per payload, want at most 1", n)
	}
}

// typicalPayload is a OneGPIO-style report with a few more types.
func typicalPayload() []byte {
	return mp{}.dict(7).str("report").str("digital_input").str("pin").num(11).str("value").num(1).
		str("timestamp").f64(1700000000.123456).str("tag").str("sensor/é").str("data").bin([]byte{1, 2, 0xff}).
		str("list").arr(5).num(1).f64(2.5).str("x").nil().bool(true)
}
