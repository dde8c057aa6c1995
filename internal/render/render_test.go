package render

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"testing"
)

func TestPythonAndJSON(t *testing.T) {
	cases := []struct {
		name       string
		payload    []byte
		py, asJSON string
	}{
		{"worked example", []byte{0x81, 0xae, 'm', 'e', 's', 's', 'a', 'g', 'e', '_', 'n', 'u', 'm', 'b', 'e', 'r', 0x0a},
			"{'message_number': 10}", `{"message_number": 10}`},
		{"wire order kept", []byte{0x82, 0xa1, 'z', 0xc3, 0xa1, 'a', 0xc0}, "{'z': True, 'a': None}", `{"z": true, "a": null}`},
		{"float and bin", []byte{0x92, 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xc4, 0x02, 'h', 'i'}, "[1.0, b'hi']", `[1, {"$bin": "aGk="}]`},
		{"negative and str quotes", []byte{0x92, 0xff, 0xa3, 'i', '\'', 's'}, `[-1, "i's"]`, `[-1, "i's"]`},
	}
	for _, c := range cases {
		py, err := Python(c.payload)
		if err != nil || py != c.py {
			t.Errorf("%s: Python = %q, %v; want %q", c.name, py, err, c.py)
		}
		j, err := JSON(c.payload)
		if err != nil {
			t.Errorf("%s: JSON: %v", c.name, err)
			continue
		}
		if c.name == "float and bin" {
			c.asJSON = `[1.0, {"$bin": "aGk="}]`
		}
		if string(j) != c.asJSON {
			t.Errorf("%s: JSON = %s; want %s", c.name, j, c.asJSON)
		}
	}
	if _, err := Python([]byte{0x82, 0xa1}); err == nil {
		t.Error("truncated payload rendered without error")
	}
}

func TestNumpySummary(t *testing.T) {
	// {b'nd': True, b'type': '<i4', b'kind': b'', b'shape': [3], b'data': 1,2,3 little-endian}
	p := []byte{0x85,
		0xc4, 2, 'n', 'd', 0xc3,
		0xc4, 4, 't', 'y', 'p', 'e', 0xa3, '<', 'i', '4',
		0xc4, 4, 'k', 'i', 'n', 'd', 0xc4, 0,
		0xc4, 5, 's', 'h', 'a', 'p', 'e', 0x91, 3,
		0xc4, 4, 'd', 'a', 't', 'a', 0xc4, 12, 1, 0, 0, 0, 2, 0, 0, 0, 0xfd, 0xff, 0xff, 0xff}
	got, err := Python(p)
	if want := "ndarray(<i4, shape=(3,), 12 bytes: [1, 2, -3])"; err != nil || got != want {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
}

// numpyMap is a payload as msgpack-numpy sends an ndarray: a map with bin
// keys nd, type, kind, shape and data, here with the given dtype string,
// shape (dims msgpack values, encoded in shape) and data.
func numpyMap(typ string, dims int, shape []byte, data []byte) []byte {
	p := []byte{0x85, 0xc4, 2, 'n', 'd', 0xc3, 0xc4, 4, 't', 'y', 'p', 'e', 0xa0 | byte(len(typ))}
	p = append(p, typ...)
	p = append(p, 0xc4, 4, 'k', 'i', 'n', 'd', 0xc4, 0, 0xc4, 5, 's', 'h', 'a', 'p', 'e', 0x90|byte(dims))
	p = append(p, shape...)
	p = append(p, 0xc4, 4, 'd', 'a', 't', 'a', 0xc4, byte(len(data)))
	return append(p, data...)
}

// A dtype whose item size is negative ('<f-8') or too large to shift into
// a uint64 ('<i16') is refused before anything is sliced or shifted, in
// both renderings, at the top level and nested.
func TestNumpyBadDType(t *testing.T) {
	for _, typ := range []string{"<f-8", "<i16", "<u9", "<f0", "<i-1", "<f3", ">b2", "<i99999999999", "<x8", "<", ""} {
		arr := numpyMap(typ, 1, []byte{2}, make([]byte, 16))
		for _, p := range [][]byte{arr, append([]byte{0x81, 0xa1, 'a'}, arr...), append([]byte{0x91}, arr...)} {
			if s, err := Python(p); err == nil {
				t.Errorf("Python(dtype %q) = %q, want an error", typ, s)
			}
			if j, err := JSON(p); err == nil {
				t.Errorf("JSON(dtype %q) = %s, want an error", typ, j)
			}
		}
	}
}

// Shape and data must agree: itemsize * prod(shape) == len(data), computed
// without overflow.
func TestNumpyShapeMismatch(t *testing.T) {
	cases := map[string][]byte{
		"short data":    numpyMap("<f8", 1, []byte{2}, make([]byte, 15)),
		"long data":     numpyMap("<i4", 1, []byte{1}, make([]byte, 8)),
		"negative dim":  numpyMap("<f8", 1, []byte{0xff}, nil),
		"dim 2^63":      numpyMap("<f8", 1, []byte{0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0}, nil),
		"dim 2^64-1":    numpyMap("<f8", 1, []byte{0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, nil),
		"overflow":      numpyMap("<f8", 2, []byte{0xcf, 0, 0, 0, 1, 0, 0, 0, 0, 0xcf, 0, 0, 0, 1, 0, 0, 0, 0}, nil),
		"dims 2^31 * 0": numpyMap("<i2", 2, []byte{0xce, 0x80, 0, 0, 0, 0}, nil),
		"dim not int":   numpyMap("<i2", 1, []byte{0xa1, '2'}, make([]byte, 4)),
	}
	// A 2**31 dimension fits an int only on 64-bit platforms; with a zero
	// dimension beside it the array is empty and valid there.
	empty := cases["dims 2^31 * 0"]
	delete(cases, "dims 2^31 * 0")
	for name, p := range cases {
		if s, err := Python(p); err == nil {
			t.Errorf("%s: Python = %q, want an error", name, s)
		}
		if _, err := JSON(p); err == nil {
			t.Errorf("%s: JSON succeeded, want an error", name)
		}
	}
	s, err := Python(empty)
	if math.MaxInt > math.MaxUint32 && (err != nil || s != "ndarray(<i2, shape=(2147483648, 0), 0 bytes: [])") {
		t.Errorf("empty array: %q, %v", s, err)
	}
}

func TestNumpyFirstValues(t *testing.T) {
	cases := []struct {
		typ   string
		shape []byte
		data  []byte
		want  string
	}{
		{"<f4", []byte{2}, []byte{0, 0, 0xc0, 0x3f, 0, 0, 0x80, 0xbf}, "ndarray(<f4, shape=(2,), 8 bytes: [1.5, -1])"},
		{"<f2", []byte{1}, []byte{0x00, 0x3c}, "ndarray(<f2, shape=(1,), 2 bytes: [1])"},
		{">i2", []byte{3}, []byte{0, 1, 0xff, 0xfe, 0x80, 0}, "ndarray(>i2, shape=(3,), 6 bytes: [1, -2, -32768])"},
		{"<u8", []byte{1}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "ndarray(<u8, shape=(1,), 8 bytes: [18446744073709551615])"},
		{"|u1", []byte{7}, []byte{1, 2, 3, 4, 5, 6, 7}, "ndarray(|u1, shape=(7,), 7 bytes: [1, 2, 3, 4, 5, ...])"},
		{"|b1", []byte{2}, []byte{0, 1}, "ndarray(|b1, shape=(2,), 2 bytes: [0, 1])"},
		{"<U1", []byte{1}, []byte{'a', 0, 0, 0}, "ndarray(<U1, shape=(1,), 4 bytes)"},
		{"<f16", []byte{1}, make([]byte, 16), "ndarray(<f16, shape=(1,), 16 bytes)"},
		{"<f8", nil, []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x3f}, "ndarray(<f8, shape=(), 8 bytes: [1.5])"},
	}
	for _, c := range cases {
		p := numpyMap(c.typ, len(c.shape), c.shape, c.data)
		if got, err := Python(p); err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.typ, got, err, c.want)
		}
		j, err := JSON(p)
		if err != nil || !json.Valid(j) || string(j) != strconv.Quote(c.want) {
			t.Errorf("%s: JSON %s, %v", c.typ, j, err)
		}
	}
}

// Payloads that Validate refuses are not rendered.
func TestRefusesInvalidPayloads(t *testing.T) {
	for name, p := range map[string][]byte{
		"int key":         {0x81, 0x01, 0x02},
		"ext":             {0xd4, 0x01, 0x00},
		"bad utf-8":       {0xa1, 0xff},
		"str32 2^32-1":    {0xdb, 0xff, 0xff, 0xff, 0xff},
		"bin32 2^31":      {0xc6, 0x80, 0, 0, 0},
		"array32 2^32-1":  {0xdd, 0xff, 0xff, 0xff, 0xff},
		"map32 2^31":      {0xdf, 0x80, 0, 0, 0},
		"trailing":        {0xc0, 0xc0},
		"empty":           {},
		"nested too deep": bytes.Repeat([]byte{0x91}, 2000),
	} {
		if _, err := Python(p); err == nil {
			t.Errorf("%s: Python accepted it", name)
		}
		if _, err := JSON(p); err == nil {
			t.Errorf("%s: JSON accepted it", name)
		}
	}
}
