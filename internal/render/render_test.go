package render

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/gobanyan/banyan"
)

func TestJSON(t *testing.T) {
	cases := []struct {
		name    string
		payload []byte
		want    string
	}{
		{"worked example", []byte{0x81, 0xae, 'm', 'e', 's', 's', 'a', 'g', 'e', '_', 'n', 'u', 'm', 'b', 'e', 'r', 0x0a}, `{"message_number": 10}`},
		{"wire order kept", []byte{0x82, 0xa1, 'z', 0xc3, 0xa1, 'a', 0xc0}, `{"z": true, "a": null}`},
		{"float and bin", []byte{0x92, 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xc4, 0x02, 'h', 'i'}, `[1.0, {"$bin": "aGk="}]`},
		{"negative and str quotes", []byte{0x92, 0xff, 0xa3, 'i', '\'', 's'}, `[-1, "i's"]`},
		{"python floats", []byte{0x93, 0xcb, 0x3e, 0xe4, 0xf8, 0xb5, 0x88, 0xe3, 0x68, 0xf1, 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0, 0xca, 0x3d, 0xcc, 0xcc, 0xcd},
			`[1e-05, "NaN", 0.10000000149011612]`},
		{"bin key", []byte{0x81, 0xc4, 0x02, 0x00, 0xff, 0x01}, `{"b'\\x00\\xff'": 1}`},
		{"infinities", []byte{0x92, 0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0, 0xca, 0xff, 0x80, 0, 0}, `["Infinity", "-Infinity"]`},
		{"json.dumps strings", []byte{0x81, 0xa5, 0xc3, 0xa9, '<', '>', '&', 0xa4, 0xf0, 0x9f, 0x98, 0x80}, `{"\u00e9<>&": "\ud83d\ude00"}`},
		{"deepest", append(bytes.Repeat([]byte{0x91}, banyan.MaxNesting-1), 0x90), strings.Repeat("[", banyan.MaxNesting) + strings.Repeat("]", banyan.MaxNesting)},
	}
	for _, c := range cases {
		j, err := JSON(c.payload)
		if err != nil {
			t.Errorf("%s: JSON: %v", c.name, err)
			continue
		}
		if string(j) != c.want || !json.Valid(j) {
			t.Errorf("%s: JSON = %s; want %s", c.name, j, c.want)
		}
	}
	if _, err := JSON([]byte{0x82, 0xa1}); err == nil {
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
	got, err := JSON(p)
	if want := `"array([ 1,  2, -3], dtype=int32)"`; err != nil || string(got) != want {
		t.Fatalf("got %s, %v; want %s", got, err, want)
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
		if _, err := JSON(p); err == nil {
			t.Errorf("%s: JSON succeeded, want an error", name)
		}
	}
	s, err := JSON(empty)
	if math.MaxInt > math.MaxUint32 && (err != nil || string(s) != `"array([], shape=(2147483648, 0), dtype=int16)"`) {
		t.Errorf("empty array: %s, %v", s, err)
	}
}

// numpy arrays in JSON are strings holding numpy's repr, or a summary for
// dtypes numpy's repr is not reproduced for.
func TestNumpyText(t *testing.T) {
	cases := []struct {
		typ   string
		shape []byte
		data  []byte
		want  string
	}{
		{"<f4", []byte{2}, []byte{0, 0, 0xc0, 0x3f, 0, 0, 0x80, 0xbf}, "array([ 1.5, -1. ], dtype=float32)"},
		{"<f2", []byte{1}, []byte{0x00, 0x3c}, "array([1.], dtype=float16)"},
		{">i2", []byte{3}, []byte{0, 1, 0xff, 0xfe, 0x80, 0}, "array([     1,     -2, -32768], dtype=int16)"},
		{"<u8", []byte{1}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "array([18446744073709551615], dtype=uint64)"},
		{"|u1", []byte{7}, []byte{1, 2, 3, 4, 5, 6, 7}, "array([1, 2, 3, 4, 5, 6, 7], dtype=uint8)"},
		{"|b1", []byte{2}, []byte{0, 1}, "array([False,  True])"},
		{"<U1", []byte{1}, []byte{'a', 0, 0, 0}, "array(['a'], dtype='<U1')"},
		{"<f16", []byte{1}, make([]byte, 16), "ndarray(<f16, shape=(1,), 16 bytes)"},
		{"<M8[ns]", []byte{1}, make([]byte, 8), "ndarray(<M8[ns], shape=(1,), 8 bytes)"},
		{"<f8", nil, []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x3f}, "array(1.5)"},
	}
	for _, c := range cases {
		p := numpyMap(c.typ, len(c.shape), c.shape, c.data)
		j, err := JSON(p)
		if err != nil || !json.Valid(j) || string(j) != strconv.Quote(c.want) {
			t.Errorf("%s: JSON %s, %v; want %q", c.typ, j, err, c.want)
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
		if _, err := JSON(p); err == nil {
			t.Errorf("%s: JSON accepted it", name)
		}
	}
}

// Arrays are found at any depth; other keys with scalar values are
// ignored, as msgpack_numpy ignores them; a map holding a map is no array.
func TestNumpyWhere(t *testing.T) {
	arr := numpyMap("<i2", 1, []byte{2}, []byte{1, 0, 2, 0})
	extra := append([]byte{0x86, 0xa1, 'x', 0x01}, arr[1:]...)
	withMap := append([]byte{0x86, 0xa1, 'x', 0x80}, arr[1:]...)
	for _, c := range []struct {
		p    []byte
		want string
	}{
		{append([]byte{0x92, 0x81, 0xa1, 'a'}, append(arr, arr...)...), `[{"a": "array([1, 2], dtype=int16)"}, "array([1, 2], dtype=int16)"]`},
		{extra, `"array([1, 2], dtype=int16)"`},
		{withMap, `{"x": {}, "b'nd'": true, "b'type'": "<i2", "b'kind'": {"$bin": ""}, "b'shape'": [2], "b'data'": {"$bin": "AQACAA=="}}`},
	} {
		if j, err := JSON(c.p); err != nil || string(j) != c.want {
			t.Errorf("JSON(% x) = %s, %v; want %s", c.p, j, err, c.want)
		}
	}
}
