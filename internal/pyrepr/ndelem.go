package pyrepr

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/gobanyan/banyan/ndarray"
)

// elemType describes the element type of an array or scalar that this
// package formats: bool, signed and unsigned integers, float16/32/64,
// complex64/128, bytes (S) and unicode (U).
type elemType struct {
	kind  byte
	size  int
	order binary.ByteOrder
	name  string // numpy's dtype name (int16), or the quoted str for S and U ('<U3')
	// implied: numpy 1.24 prints no dtype= (int64, float64, complex128, bool)
	implied bool
}

// elemTypeOf returns the element type of d, or false when d is not one
// this package formats (structured, datetime, timedelta, void, long
// double, zero-size strings).
func elemTypeOf(d ndarray.DType) (elemType, bool) {
	t := elemType{kind: d.Kind(), size: d.ItemSize(), order: d.ByteOrder()}
	if d.IsStructured() {
		return t, false
	}
	bitsName := func(prefix string) string { return prefix + itoa(8*t.size) }
	switch t.kind {
	case 'b':
		t.name, t.implied = "bool", true
	case 'i':
		t.name, t.implied = bitsName("int"), t.size == 8
	case 'u':
		t.name = bitsName("uint")
	case 'f':
		if t.size > 8 {
			return t, false
		}
		t.name, t.implied = bitsName("float"), t.size == 8
	case 'c':
		if t.size > 16 {
			return t, false
		}
		t.name, t.implied = bitsName("complex"), t.size == 16
	case 'S':
		if t.size == 0 {
			return t, false
		}
		t.name = "'|S" + itoa(t.size) + "'"
	case 'U':
		if t.size == 0 {
			return t, false
		}
		order := "<"
		if t.order.Uint16([]byte{0, 1}) == 1 { // big-endian, or native on a big-endian host
			order = ">"
		}
		t.name = "'" + order + "U" + itoa(t.size/4) + "'"
	default:
		return t, false
	}
	return t, true
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// uintAt, intAt and floatAt read one element with ndarray's readers.
func (t elemType) uintAt(b []byte) uint64 { return ndarray.UintAt(b[:t.size], t.order) }

func (t elemType) intAt(b []byte) int64 { return ndarray.IntAt(b[:t.size], t.order) }

// floatAt reads a float of the element's size (or, for complex, of half
// of it), widened to float64.
func (t elemType) floatAt(b []byte, size int) float64 {
	return ndarray.FloatAt(b[:size], t.order)
}

// floatBits is the width of the element's floats (of each part, for complex).
func (t elemType) floatBits() int {
	if t.kind == 'c' {
		return 4 * t.size
	}
	return 8 * t.size
}

// stripNULs drops the trailing NUL bytes numpy strips from S elements.
func stripNULs(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}

// codePoints returns the code points of a U element without its trailing
// NULs, or false when one is not a Unicode code point.
func (t elemType) codePoints(b []byte, fn func(r rune)) bool {
	n := len(b) / 4
	for n > 0 && t.order.Uint32(b[4*(n-1):]) == 0 {
		n--
	}
	for i := range n {
		r := t.order.Uint32(b[4*i:])
		if r > utf8.MaxRune {
			return false
		}
		if fn != nil {
			fn(rune(r))
		}
	}
	return true
}

// appendUnicode appends repr() of a U element (or, with raw, the text
// itself, as str() shows it).
func (t elemType) appendUnicode(dst, b []byte, raw bool) []byte {
	// Quote choice first: the same rule as str.
	hasSingle, hasDouble := false, false
	t.codePoints(b, func(r rune) {
		hasSingle = hasSingle || r == '\''
		hasDouble = hasDouble || r == '"'
	})
	q := byte('\'')
	if hasSingle && !hasDouble {
		q = '"'
	}
	if !raw {
		dst = append(dst, q)
	}
	t.codePoints(b, func(r rune) {
		switch {
		case raw:
			dst = utf8.AppendRune(dst, r) // surrogates become U+FFFD
		case r < utf8.RuneSelf:
			dst = appendASCII(dst, byte(r), q)
		case r >= 0xd800 && r <= 0xdfff || !isPrintable(r):
			dst = appendEscape(dst, r)
		default:
			dst = utf8.AppendRune(dst, r)
		}
	})
	if !raw {
		dst = append(dst, q)
	}
	return dst
}
