package msgjson

import (
	"encoding/binary"
	"math"
)

// Writing msgpack, in the encodings Python's msgpack (use_bin_type=True)
// and the Banyan codec choose: always the shortest.

// msgpack codes used here.
const (
	codeNil     = 0xc0
	codePad     = 0xc1 // "never used" by msgpack: AppendMsgpack's padding
	codeFalse   = 0xc2
	codeTrue    = 0xc3
	codeFloat64 = 0xcb
	codeUint8   = 0xcc
	codeUint16  = 0xcd
	codeUint32  = 0xce
	codeUint64  = 0xcf
	codeInt8    = 0xd0
	codeInt16   = 0xd1
	codeInt32   = 0xd2
	codeInt64   = 0xd3
	codeStr8    = 0xd9
	codeStr16   = 0xda
	codeStr32   = 0xdb
	codeArray16 = 0xdc
	codeArray32 = 0xdd
	codeMap16   = 0xde
	codeMap32   = 0xdf
	codeFixMap  = 0x80
	codeFixArr  = 0x90
	codeFixStr  = 0xa0
)

// appendUint appends a non-negative integer.
func appendUint(dst []byte, u uint64) []byte {
	switch {
	case u < 0x80:
		return append(dst, byte(u))
	case u <= math.MaxUint8:
		return append(dst, codeUint8, byte(u))
	case u <= math.MaxUint16:
		return append(dst, codeUint16, byte(u>>8), byte(u))
	case u <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, codeUint32), uint32(u))
	}
	return binary.BigEndian.AppendUint64(append(dst, codeUint64), u)
}

// appendNeg appends the integer -m, for 0 < m <= 2^63.
func appendNeg(dst []byte, m uint64) []byte {
	v := int64(-m) // two's complement: -2^63 stays -2^63
	switch {
	case v >= -32:
		return append(dst, byte(v))
	case v >= math.MinInt8:
		return append(dst, codeInt8, byte(v))
	case v >= math.MinInt16:
		return append(dst, codeInt16, byte(v>>8), byte(v))
	case v >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(dst, codeInt32), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(dst, codeInt64), uint64(v))
}

// appendFloat appends a float64.
func appendFloat(dst []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, codeFloat64), math.Float64bits(f))
}

// strHeaderLen is the length of the header of a str of n bytes
// (n <= math.MaxUint32).
func strHeaderLen(n int) int {
	switch {
	case n < 32:
		return 1
	case n <= math.MaxUint8:
		return 2
	case n <= math.MaxUint16:
		return 3
	}
	return 5
}

// putStrHeader writes the header of a str of n bytes into h, which is
// strHeaderLen(n) bytes long.
func putStrHeader(h []byte, n int) {
	switch len(h) {
	case 1:
		h[0] = codeFixStr | byte(n)
	case 2:
		h[0], h[1] = codeStr8, byte(n)
	case 3:
		h[0] = codeStr16
		binary.BigEndian.PutUint16(h[1:], uint16(n))
	default:
		h[0] = codeStr32
		binary.BigEndian.PutUint32(h[1:], uint32(n))
	}
}

// putContainerHeader writes the header of an array or map (obj) of n
// elements right-aligned into the five bytes of h, fills the bytes before
// it with codePad and returns their number.
func putContainerHeader(h []byte, n int, obj bool) (pad int) {
	_ = h[4]
	fix, c16, c32 := byte(codeFixArr), byte(codeArray16), byte(codeArray32)
	if obj {
		fix, c16, c32 = codeFixMap, codeMap16, codeMap32
	}
	switch {
	case n < 16:
		h[0], h[1], h[2], h[3], h[4] = codePad, codePad, codePad, codePad, fix|byte(n)
		return 4
	case n <= math.MaxUint16:
		h[0], h[1], h[2] = codePad, codePad, c16
		binary.BigEndian.PutUint16(h[3:], uint16(n))
		return 2
	}
	h[0] = c32
	binary.BigEndian.PutUint32(h[1:], uint32(n))
	return 0
}
