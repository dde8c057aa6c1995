package codec

import "encoding/binary"

// The one low-level msgpack header reader, for the packages that walk
// msgpack bytes themselves (internal/msgjson, internal/pyrepr): what type a
// value has, how long its header is, and its length, count or scalar bits,
// with every length checked against the bytes that remain before it is
// converted to int.

// Type is the msgpack type of a value, as Head reads it.
type Type uint8

// The msgpack types. TypeInt covers the signed wire types and negative
// fixints, TypeUint the unsigned wire types and positive fixints.
const (
	TypeNil Type = iota
	TypeBool
	TypeInt
	TypeUint
	TypeFloat32
	TypeFloat64
	TypeStr
	TypeBin
	TypeExt
	TypeArray
	TypeMap
	TypeReserved // 0xc1, "never used"
)

// Token is the header of one msgpack value. (It has four fields so that
// the compiler keeps it in registers; an ext value's type code is the last
// byte of its header, int8(p[i+Size-1]).)
type Token struct {
	Type Type
	// Size is the number of bytes of the header: the code, the length
	// field and (ext) the type byte; for nil, bool, integers and floats,
	// of the whole value.
	Size int
	// N is, for str, bin and ext, the bytes of data after the header; for
	// arrays the elements and for maps the pairs that follow it. It is 0
	// for other types, and when Head reports a Fault.
	N int
	// V is, for bool, 1 (true) or 0; for TypeUint the value; for TypeInt
	// the value's two's complement bits (int64(V)); for floats the IEEE 754
	// bits (float32: the low 32). For str, bin, ext, arrays and maps it is
	// the length or count the header claims, also when it is refused.
	V uint64
}

// Fault is what Head found wrong with a header.
type Fault uint8

const (
	// OK: the header is complete and its length fits.
	OK Fault = iota
	// ShortHeader: p ends before the header (or, for a scalar, the value)
	// does, or there is no byte at i. Only Type, and Size, are set.
	ShortHeader
	// ShortBody: a str, bin or ext claims more data than the bytes after
	// its header, an array more elements or a map more pairs than those
	// bytes could hold (each element takes one byte at least, each pair
	// two). Type, Size and V (the claim) are set; N is 0.
	ShortBody
	// Reserved: the code is 0xc1. Type is TypeReserved, Size 1.
	Reserved
)

// Head reads the header of the msgpack value at p[i]. It neither
// allocates nor reads past p, and it never returns an N that the bytes
// after the header could not hold, so a caller can slice, loop or
// allocate with N once Head says OK (also on 32-bit platforms, where a
// 32-bit length can exceed int: it is compared first, converted after).
// Head checks nothing beyond one header: not UTF-8, not nesting, not what
// the elements of an array hold.
func Head(p []byte, i int) (Token, Fault) {
	if i < 0 || i >= len(p) {
		return Token{}, ShortHeader
	}
	c := p[i]
	var (
		t    Type
		k    int    // bytes of the length field
		size int    // bytes of the header
		v    uint64 // the claim, when there is no length field
	)
	switch {
	case c <= 0x7f:
		return Token{Type: TypeUint, Size: 1, V: uint64(c)}, OK
	case c >= 0xe0:
		return Token{Type: TypeInt, Size: 1, V: uint64(int64(int8(c)))}, OK
	case c <= 0x8f:
		t, size, v = TypeMap, 1, uint64(c&0x0f)
	case c <= 0x9f:
		t, size, v = TypeArray, 1, uint64(c&0x0f)
	case c <= 0xbf:
		t, size, v = TypeStr, 1, uint64(c&0x1f)
	default:
		switch c {
		case 0xc0:
			return Token{Type: TypeNil, Size: 1}, OK
		case 0xc1:
			return Token{Type: TypeReserved, Size: 1}, Reserved
		case 0xc2, 0xc3:
			return Token{Type: TypeBool, Size: 1, V: uint64(c & 1)}, OK
		case 0xca:
			if len(p)-i < 5 {
				return Token{Type: TypeFloat32, Size: 5}, ShortHeader
			}
			return Token{Type: TypeFloat32, Size: 5, V: uint64(binary.BigEndian.Uint32(p[i+1:]))}, OK
		case 0xcb:
			if len(p)-i < 9 {
				return Token{Type: TypeFloat64, Size: 9}, ShortHeader
			}
			return Token{Type: TypeFloat64, Size: 9, V: binary.BigEndian.Uint64(p[i+1:])}, OK
		case 0xcc, 0xcd, 0xce, 0xcf:
			k := 1 << (c - 0xcc)
			if len(p)-i <= k {
				return Token{Type: TypeUint, Size: 1 + k}, ShortHeader
			}
			return Token{Type: TypeUint, Size: 1 + k, V: beUint(p[i+1 : i+1+k])}, OK
		case 0xd0, 0xd1, 0xd2, 0xd3:
			k := 1 << (c - 0xd0)
			if len(p)-i <= k {
				return Token{Type: TypeInt, Size: 1 + k}, ShortHeader
			}
			shift := 64 - 8*uint(k)
			return Token{Type: TypeInt, Size: 1 + k, V: uint64(int64(beUint(p[i+1:i+1+k])<<shift) >> shift)}, OK
		case 0xc4, 0xc5, 0xc6:
			t, k = TypeBin, 1<<(c-0xc4)
			size = 1 + k
		case 0xc7, 0xc8, 0xc9:
			t, k = TypeExt, 1<<(c-0xc7)
			size = 2 + k
		case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
			t, v = TypeExt, 1<<(c-0xd4)
			size = 2
		case 0xd9, 0xda, 0xdb:
			t, k = TypeStr, 1<<(c-0xd9)
			size = 1 + k
		case 0xdc, 0xdd:
			t, k = TypeArray, 2<<(c-0xdc)
			size = 1 + k
		default: // 0xde, 0xdf
			t, k = TypeMap, 2<<(c-0xde)
			size = 1 + k
		}
		if len(p)-i < size {
			return Token{Type: t, Size: size}, ShortHeader
		}
		if k > 0 {
			v = beUint(p[i+1 : i+1+k])
		}
	}
	limit := uint64(len(p) - i - size)
	if t == TypeMap {
		limit /= 2
	}
	if v > limit {
		return Token{Type: t, Size: size, V: v}, ShortBody
	}
	return Token{Type: t, Size: size, N: int(v), V: v}, OK
}

// beUint reads a big-endian unsigned integer of 1, 2, 4 or 8 bytes.
func beUint(b []byte) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(b))
	case 4:
		return uint64(binary.BigEndian.Uint32(b))
	}
	return binary.BigEndian.Uint64(b)
}
