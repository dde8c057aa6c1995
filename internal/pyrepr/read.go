package pyrepr

import (
	"encoding/binary"
	"fmt"
	"math"
)

// kind is the type of one msgpack value.
type kind uint8

const (
	kNil kind = iota
	kBool
	kInt
	kFloat
	kStr
	kBin
	kExt
	kArray
	kMap
)

// head is one msgpack value's header, read by readHead. Scalars are read
// whole; for str, bin and ext, n bytes of body follow at body; for arrays
// and maps, n elements (pairs) follow at body.
type head struct {
	kind     kind
	b        bool    // kBool
	unsigned bool    // kInt: u holds the value (wire uint8..uint64, fixint)
	i        int64   // kInt, signed wire types
	u        uint64  // kInt, unsigned wire types
	f        float64 // kFloat (float32 widened)
	ext      int8    // kExt type code
	n        int
	body     int
}

// end returns the offset after a scalar, str, bin or ext value.
func (h head) end() int { return h.body + h.n }

// errTruncated and friends are wrapped in ErrMalformed.
func malformed(at int, format string, args ...any) error {
	return fmt.Errorf("%w: at byte %d: %s", ErrMalformed, at, fmt.Sprintf(format, args...))
}

// readHead reads the header of the value at p[i]. Every length is checked
// against the bytes that follow before it is used: a str, bin or ext body
// must fit, and an array or map cannot claim more elements than there are
// bytes left (each takes at least one), so no loop runs on a claimed count.
func readHead(p []byte, i int) (head, error) {
	if i >= len(p) {
		return head{}, malformed(i, "truncated: a value is missing")
	}
	c := p[i]
	need := func(k int) error { return need(p, i, k) }
	uintN := func(k int) uint64 { return beUint(p[i+1 : i+1+k]) }
	switch {
	case c <= 0x7f:
		return head{kind: kInt, unsigned: true, u: uint64(c), body: i + 1}, nil
	case c >= 0xe0:
		return head{kind: kInt, i: int64(int8(c)), body: i + 1}, nil
	case c <= 0x8f:
		return sized(p, i, kMap, uint64(c&0x0f), i+1)
	case c <= 0x9f:
		return sized(p, i, kArray, uint64(c&0x0f), i+1)
	case c <= 0xbf:
		return sized(p, i, kStr, uint64(c&0x1f), i+1)
	}
	switch c {
	case 0xc0:
		return head{kind: kNil, body: i + 1}, nil
	case 0xc2, 0xc3:
		return head{kind: kBool, b: c == 0xc3, body: i + 1}, nil
	case 0xc4, 0xc5, 0xc6, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf:
		var k int
		var kd kind
		switch c {
		case 0xc4, 0xd9:
			k = 1
		case 0xc5, 0xda, 0xdc, 0xde:
			k = 2
		default:
			k = 4
		}
		switch c {
		case 0xc4, 0xc5, 0xc6:
			kd = kBin
		case 0xd9, 0xda, 0xdb:
			kd = kStr
		case 0xdc, 0xdd:
			kd = kArray
		default:
			kd = kMap
		}
		if err := need(k); err != nil {
			return head{}, err
		}
		return sized(p, i, kd, uintN(k), i+1+k)
	case 0xc7, 0xc8, 0xc9:
		k := 1 << (c - 0xc7) // 1, 2, 4 length bytes
		if err := need(k + 1); err != nil {
			return head{}, err
		}
		h, err := sized(p, i, kExt, uintN(k), i+2+k)
		h.ext = int8(p[i+1+k])
		return h, err
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		if err := need(1); err != nil {
			return head{}, err
		}
		h, err := sized(p, i, kExt, uint64(1)<<(c-0xd4), i+2)
		h.ext = int8(p[i+1])
		return h, err
	case 0xca:
		if err := need(4); err != nil {
			return head{}, err
		}
		return head{kind: kFloat, f: float64(math.Float32frombits(uint32(uintN(4)))), body: i + 5}, nil
	case 0xcb:
		if err := need(8); err != nil {
			return head{}, err
		}
		return head{kind: kFloat, f: math.Float64frombits(uintN(8)), body: i + 9}, nil
	case 0xcc, 0xcd, 0xce, 0xcf:
		k := 1 << (c - 0xcc)
		if err := need(k); err != nil {
			return head{}, err
		}
		return head{kind: kInt, unsigned: true, u: uintN(k), body: i + 1 + k}, nil
	case 0xd0, 0xd1, 0xd2, 0xd3:
		k := 1 << (c - 0xd0)
		if err := need(k); err != nil {
			return head{}, err
		}
		u := uintN(k)
		shift := 64 - 8*uint(k)
		return head{kind: kInt, i: int64(u<<shift) >> shift, body: i + 1 + k}, nil
	}
	return head{}, malformed(i, "reserved code 0x%02x", c)
}

// sized completes the header of a str, bin, ext, array or map whose length
// or count is n and whose body starts at body.
func sized(p []byte, at int, kd kind, n uint64, body int) (head, error) {
	left := uint64(len(p) - body)
	switch kd {
	case kArray:
		if n > left {
			return head{}, malformed(at, "array of %d elements in %d bytes", n, left)
		}
	case kMap:
		if n > left/2 {
			return head{}, malformed(at, "map of %d entries in %d bytes", n, left)
		}
	default:
		if n > left {
			return head{}, malformed(at, "%d bytes claimed, %d left", n, left)
		}
	}
	return head{kind: kd, n: int(n), body: body}, nil
}

func tooDeep(at int) error {
	return fmt.Errorf("%w: at byte %d: nested deeper than %d", ErrMalformed, at, maxDepth)
}

// need checks that k bytes follow the code at p[i].
func need(p []byte, i, k int) error {
	if len(p)-i-1 < k {
		return malformed(i, "truncated header of code 0x%02x", p[i])
	}
	return nil
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
