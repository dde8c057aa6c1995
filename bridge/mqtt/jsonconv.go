package mqtt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gobanyan/banyan"
)

// MsgpackToJSON converts one msgpack value (a Banyan payload) to JSON, byte
// for byte as Python's json.dumps(msgpack.unpackb(data, raw=False)) writes
// it: separators ", " and ": ", map keys in their wire order, non-ASCII
// characters escaped as \uXXXX (ensure_ascii), floats in Python's repr form
// (1.0 stays 1.0, 1e+16, 1e-05), and NaN and infinities written as NaN,
// Infinity and -Infinity as Python does (they are not strict JSON).
//
// Values JSON cannot carry are refused with an error wrapping
// ErrConversion: bin (Python bytes), ext, and maps with bin keys. Malformed
// msgpack is refused too.
func MsgpackToJSON(data []byte) ([]byte, error) {
	w := mpReader{data: data}
	out, err := w.value(make([]byte, 0, 2*len(data)+8), 1)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConversion, err)
	}
	if w.pos != len(data) {
		return nil, fmt.Errorf("%w: %d bytes of trailing data after the msgpack value", ErrConversion, len(data)-w.pos)
	}
	return out, nil
}

type mpReader struct {
	data []byte
	pos  int
}

var errTruncated = errors.New("truncated msgpack")

func (r *mpReader) take(n int) ([]byte, error) {
	if n < 0 || len(r.data)-r.pos < n {
		return nil, errTruncated
	}
	b := r.data[r.pos : r.pos+n]
	r.pos += n
	return b, nil
}

func (r *mpReader) uint(size int) (uint64, error) {
	b, err := r.take(size)
	if err != nil {
		return 0, err
	}
	switch size {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(b)), nil
	case 4:
		return uint64(binary.BigEndian.Uint32(b)), nil
	}
	return binary.BigEndian.Uint64(b), nil
}

// length reads a size-byte length and checks that at least minBytes per
// element remain, so a forged length cannot make us loop or allocate.
func (r *mpReader) length(size, minBytes int) (int, error) {
	n, err := r.uint(size)
	if err != nil {
		return 0, err
	}
	if n > uint64(len(r.data)-r.pos)/uint64(max(minBytes, 1)) {
		return 0, errTruncated
	}
	return int(n), nil
}

func (r *mpReader) value(dst []byte, depth int) ([]byte, error) {
	if depth > banyan.MaxNesting {
		return nil, fmt.Errorf("nesting deeper than %d", banyan.MaxNesting)
	}
	b, err := r.take(1)
	if err != nil {
		return nil, err
	}
	c := b[0]
	switch {
	case c <= 0x7f:
		return strconv.AppendInt(dst, int64(c), 10), nil
	case c >= 0xe0:
		return strconv.AppendInt(dst, int64(int8(c)), 10), nil
	case c&0xf0 == 0x80:
		return r.mapBody(dst, int(c&0x0f), depth)
	case c&0xf0 == 0x90:
		return r.arrayBody(dst, int(c&0x0f), depth)
	case c&0xe0 == 0xa0:
		return r.strBody(dst, int(c&0x1f))
	}
	switch c {
	case 0xc0:
		return append(dst, "null"...), nil
	case 0xc2:
		return append(dst, "false"...), nil
	case 0xc3:
		return append(dst, "true"...), nil
	case 0xc4, 0xc5, 0xc6:
		return nil, errors.New("bytes (msgpack bin) cannot be written as JSON")
	case 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return nil, errors.New("msgpack ext values cannot be written as JSON")
	case 0xca:
		u, err := r.uint(4)
		if err != nil {
			return nil, err
		}
		return appendPyFloat(dst, float64(math.Float32frombits(uint32(u)))), nil
	case 0xcb:
		u, err := r.uint(8)
		if err != nil {
			return nil, err
		}
		return appendPyFloat(dst, math.Float64frombits(u)), nil
	case 0xcc, 0xcd, 0xce, 0xcf:
		u, err := r.uint(1 << (c - 0xcc))
		if err != nil {
			return nil, err
		}
		return strconv.AppendUint(dst, u, 10), nil
	case 0xd0, 0xd1, 0xd2, 0xd3:
		size := 1 << (c - 0xd0)
		u, err := r.uint(size)
		if err != nil {
			return nil, err
		}
		var v int64
		switch size {
		case 1:
			v = int64(int8(u))
		case 2:
			v = int64(int16(u))
		case 4:
			v = int64(int32(u))
		default:
			v = int64(u)
		}
		return strconv.AppendInt(dst, v, 10), nil
	case 0xd9, 0xda, 0xdb:
		n, err := r.length(1<<(c-0xd9), 1)
		if err != nil {
			return nil, err
		}
		return r.strBody(dst, n)
	case 0xdc, 0xdd:
		n, err := r.length(2<<(c-0xdc), 1)
		if err != nil {
			return nil, err
		}
		return r.arrayBody(dst, n, depth)
	case 0xde, 0xdf:
		n, err := r.length(2<<(c-0xde), 2)
		if err != nil {
			return nil, err
		}
		return r.mapBody(dst, n, depth)
	}
	return nil, fmt.Errorf("reserved msgpack code 0x%02x", c)
}

func (r *mpReader) strBody(dst []byte, n int) ([]byte, error) {
	s, err := r.take(n)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(s) {
		return nil, errors.New("msgpack str is not valid UTF-8")
	}
	return appendPyString(dst, s), nil
}

func (r *mpReader) arrayBody(dst []byte, n, depth int) ([]byte, error) {
	dst = append(dst, '[')
	var err error
	for i := 0; i < n; i++ {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		if dst, err = r.value(dst, depth+1); err != nil {
			return nil, err
		}
	}
	return append(dst, ']'), nil
}

func (r *mpReader) mapBody(dst []byte, n, depth int) ([]byte, error) {
	dst = append(dst, '{')
	for i := 0; i < n; i++ {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		b, err := r.take(1)
		if err != nil {
			return nil, err
		}
		c := b[0]
		var kn int
		switch {
		case c&0xe0 == 0xa0:
			kn = int(c & 0x1f)
		case c >= 0xd9 && c <= 0xdb:
			if kn, err = r.length(1<<(c-0xd9), 1); err != nil {
				return nil, err
			}
		case c >= 0xc4 && c <= 0xc6:
			return nil, errors.New("a map key is bytes (msgpack bin); JSON keys must be strings")
		default:
			return nil, fmt.Errorf("a map key is not a string (msgpack code 0x%02x)", c)
		}
		if dst, err = r.strBody(dst, kn); err != nil {
			return nil, err
		}
		dst = append(dst, ": "...)
		if dst, err = r.value(dst, depth+1); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

const hexDigits = "0123456789abcdef"

// appendPyString writes s (valid UTF-8) as json.dumps does with
// ensure_ascii=True: printable ASCII as is, the usual short escapes, and
// everything else as \uXXXX (UTF-16 surrogate pairs above U+FFFF).
func appendPyString(dst, s []byte) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch c {
			case '"':
				dst = append(dst, '\\', '"')
			case '\\':
				dst = append(dst, '\\', '\\')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				if c < 0x20 || c == 0x7f {
					dst = appendU(dst, rune(c))
				} else {
					dst = append(dst, c)
				}
			}
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		i += size
		if r > 0xffff {
			r1, r2 := utf16.EncodeRune(r)
			dst = appendU(appendU(dst, r1), r2)
		} else {
			dst = appendU(dst, r)
		}
	}
	return append(dst, '"')
}

func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// appendPyFloat writes f as Python's repr (and so json.dumps) does: the
// shortest digits that round-trip, in fixed notation when the decimal
// exponent is in [-4, 16), else in exponent notation with at least two
// exponent digits; a fixed-notation integer value keeps ".0".
func appendPyFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // [-]d[.ddd]e±XX
	if e[0] == '-' {
		dst = append(dst, '-')
		e = e[1:]
	}
	mant, exps, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(exps)
	digits := strings.Replace(mant, ".", "", 1)
	if exp < -4 || exp >= 16 {
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	point := exp + 1 // digits before the decimal point
	switch {
	case point <= 0:
		dst = append(dst, "0."...)
		dst = append(dst, strings.Repeat("0", -point)...)
		return append(dst, digits...)
	case point < len(digits):
		dst = append(dst, digits[:point]...)
		dst = append(dst, '.')
		return append(dst, digits[point:]...)
	default:
		dst = append(dst, digits...)
		dst = append(dst, strings.Repeat("0", point-len(digits))...)
		return append(dst, ".0"...)
	}
}

// JSONToMsgpack converts one JSON value to msgpack, byte for byte as
// Python's msgpack.packb(json.loads(text), use_bin_type=True) does: object
// keys in document order, integers (numbers without '.', 'e' or 'E') in the
// smallest msgpack integer form, other numbers as float64, strings as str.
//
// It refuses, with an error wrapping ErrConversion: text that is not UTF-8,
// not one JSON value (empty, malformed or followed by more than
// whitespace), integers outside the int64/uint64 range (Python's msgpack
// cannot pack them either), nesting deeper than banyan.MaxNesting, and
// Python's non-standard NaN and Infinity tokens.
func JSONToMsgpack(text []byte) ([]byte, error) {
	if !utf8.Valid(text) {
		return nil, fmt.Errorf("%w: JSON text is not valid UTF-8", ErrConversion)
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	out, err := jsonValue(dec, nil, 1)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("no JSON value")
		}
		return nil, fmt.Errorf("%w: %w", ErrConversion, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: extra data after the JSON value", ErrConversion)
	}
	return out, nil
}

func jsonValue(dec *json.Decoder, dst []byte, depth int) ([]byte, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return append(dst, 0xc0), nil
	case bool:
		if t {
			return append(dst, 0xc3), nil
		}
		return append(dst, 0xc2), nil
	case string:
		return appendMsgpackStr(dst, t), nil
	case json.Number:
		return appendMsgpackNumber(dst, string(t))
	case json.Delim:
		if depth > banyan.MaxNesting {
			return nil, fmt.Errorf("nesting deeper than %d", banyan.MaxNesting)
		}
		// Elements go after the header's place; the header, whose size
		// depends on the count, is inserted when the count is known.
		start := len(dst)
		n := 0
		for dec.More() {
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				dst = appendMsgpackStr(dst, k.(string))
			}
			if dst, err = jsonValue(dec, dst, depth+1); err != nil {
				return nil, err
			}
			n++
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		var hdr []byte
		if t == '{' {
			hdr = appendContainerHeader(nil, n, 0x80, 0xde)
		} else {
			hdr = appendContainerHeader(nil, n, 0x90, 0xdc)
		}
		dst = append(dst, hdr...)
		copy(dst[start+len(hdr):], dst[start:len(dst)-len(hdr)])
		copy(dst[start:], hdr)
		return dst, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

// appendContainerHeader writes a map (fix 0x80, code16 0xde) or array (fix
// 0x90, code16 0xdc) header in its smallest form.
func appendContainerHeader(dst []byte, n int, fix, code16 byte) []byte {
	switch {
	case n < 16:
		return append(dst, fix|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, code16), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(dst, code16+1), uint32(n))
	}
}

func appendMsgpackStr(dst []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		dst = append(dst, 0xa0|byte(n))
	case n <= math.MaxUint8:
		dst = append(dst, 0xd9, byte(n))
	case n <= math.MaxUint16:
		dst = binary.BigEndian.AppendUint16(append(dst, 0xda), uint16(n))
	default:
		dst = binary.BigEndian.AppendUint32(append(dst, 0xdb), uint32(n))
	}
	return append(dst, s...)
}

// appendMsgpackBin writes b as one msgpack bin value.
func appendMsgpackBin(dst, b []byte) []byte {
	n := len(b)
	switch {
	case n <= math.MaxUint8:
		dst = append(dst, 0xc4, byte(n))
	case n <= math.MaxUint16:
		dst = binary.BigEndian.AppendUint16(append(dst, 0xc5), uint16(n))
	default:
		dst = binary.BigEndian.AppendUint32(append(dst, 0xc6), uint32(n))
	}
	return append(dst, b...)
}

func appendMsgpackNumber(dst []byte, s string) ([]byte, error) {
	if !strings.ContainsAny(s, ".eE") {
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return appendMsgpackInt(dst, v), nil
		}
		if v, err := strconv.ParseUint(s, 10, 64); err == nil {
			return appendMsgpackUint(dst, v), nil
		}
		return nil, fmt.Errorf("integer %s is outside the msgpack range", s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) { // out of range: ±Inf or 0, as Python's float()
		return nil, err
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xcb), math.Float64bits(f)), nil
}

func appendMsgpackUint(dst []byte, v uint64) []byte {
	switch {
	case v <= 0x7f:
		return append(dst, byte(v))
	case v <= math.MaxUint8:
		return append(dst, 0xcc, byte(v))
	case v <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, 0xcd), uint16(v))
	case v <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, 0xce), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xcf), v)
}

func appendMsgpackInt(dst []byte, v int64) []byte {
	switch {
	case v >= 0:
		return appendMsgpackUint(dst, uint64(v))
	case v >= -32:
		return append(dst, byte(int8(v)))
	case v >= math.MinInt8:
		return append(dst, 0xd0, byte(int8(v)))
	case v >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(dst, 0xd1), uint16(int16(v)))
	case v >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(dst, 0xd2), uint32(int32(v)))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xd3), uint64(v))
}
