package codec

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
)

// Reading payloads that the checker has accepted.

// reader decodes a payload that checker has accepted, so it repeats none
// of the checks: a value that is not what the checker saw means that the
// bytes changed underfoot (the caller modified them concurrently), and the
// reader panics.
type reader struct {
	data []byte
	pos  int
	// arena backs the strings that value builds: one allocation for all
	// the str values and keys of a payload instead of one each (see
	// reserve). A string kept from a decoded value keeps the arena alive,
	// which is never more than the str bytes of that payload.
	arena strings.Builder
}

const errChanged = "banyan: msgpack payload changed while it was being decoded"

// reserve sets up the arena for n bytes of strings.
func (r *reader) reserve(n int) {
	r.arena.Reset()
	if n > 0 {
		r.arena.Grow(n)
	}
}

// newString returns b as a string, in the arena if reserve made room.
func (r *reader) newString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if r.arena.Cap()-r.arena.Len() < len(b) {
		return string(b)
	}
	r.arena.Write(b)
	s := r.arena.String()
	return s[len(s)-len(b):]
}

// next returns the next n bytes.
func (r *reader) next(n int) []byte {
	b := r.data[r.pos : r.pos+n]
	r.pos += n
	return b
}

// length reads a big-endian length field of size bytes. The checker has
// bounded every length by the payload size; a 32-bit length beyond the
// rest of the payload (which would not even fit an int on 32-bit
// platforms) means the bytes changed.
func (r *reader) length(size int) int {
	b := r.next(size)
	switch size {
	case 1:
		return int(b[0])
	case 2:
		return int(binary.BigEndian.Uint16(b))
	case 4:
		n := binary.BigEndian.Uint32(b)
		if uint64(n) > uint64(len(r.data)-r.pos) {
			panic(errChanged)
		}
		return int(n)
	}
	panic(errChanged)
}

// key reads a map key (a str or a bin) and returns its bytes.
func (r *reader) key() []byte {
	code := r.data[r.pos]
	r.pos++
	var n int
	switch {
	case code&0xe0 == 0xa0:
		n = int(code & 0x1f)
	case code >= 0xd9 && code <= 0xdb:
		n = r.length(1 << (code - 0xd9))
	case code >= 0xc4 && code <= 0xc6:
		n = r.length(1 << (code - 0xc4))
	default:
		panic(errChanged)
	}
	return r.next(n)
}

// skip steps over the next value and returns how many bytes of strings
// (str values and map keys) building it takes.
func (r *reader) skip() int {
	code := r.data[r.pos]
	r.pos++
	switch {
	case code <= 0x7f || code >= 0xe0:
		return 0
	case code&0xf0 == 0x80:
		return r.skipMap(int(code & 0x0f))
	case code&0xf0 == 0x90:
		return r.skipArray(int(code & 0x0f))
	case code&0xe0 == 0xa0:
		n := int(code & 0x1f)
		r.pos += n
		return n
	}
	switch code {
	case 0xc0, 0xc2, 0xc3:
		return 0
	case 0xc4, 0xc5, 0xc6:
		n := r.length(1 << (code - 0xc4))
		r.pos += n
		return 0
	case 0xca:
		r.pos += 4
		return 0
	case 0xcb:
		r.pos += 8
		return 0
	case 0xcc, 0xcd, 0xce, 0xcf:
		r.pos += 1 << (code - 0xcc)
		return 0
	case 0xd0, 0xd1, 0xd2, 0xd3:
		r.pos += 1 << (code - 0xd0)
		return 0
	case 0xd9, 0xda, 0xdb:
		n := r.length(1 << (code - 0xd9))
		r.pos += n
		return n
	case 0xdc, 0xdd:
		return r.skipArray(r.length(2 << (code - 0xdc)))
	case 0xde, 0xdf:
		return r.skipMap(r.length(2 << (code - 0xde)))
	}
	panic(errChanged)
}

func (r *reader) skipArray(n int) int {
	total := 0
	for range n {
		total += r.skip()
	}
	return total
}

func (r *reader) skipMap(n int) int {
	total := 0
	for range n {
		total += len(r.key())
		total += r.skip()
	}
	return total
}

// buildValue builds the next value as DecodeValue does, with an arena for
// its strings.
func (r *reader) buildValue() any {
	start := r.pos
	n := r.skip()
	r.pos = start
	r.reserve(n)
	return r.value()
}

// value builds the generic Go value of the next value (see DecodeValue).
func (r *reader) value() any {
	code := r.data[r.pos]
	r.pos++
	switch {
	case code <= 0x7f:
		return int64(code)
	case code >= 0xe0:
		return int64(int8(code))
	case code&0xf0 == 0x80:
		return r.mapBody(int(code & 0x0f))
	case code&0xf0 == 0x90:
		return r.arrayBody(int(code & 0x0f))
	case code&0xe0 == 0xa0:
		return r.newString(r.next(int(code & 0x1f)))
	}
	switch code {
	case 0xc0:
		return nil
	case 0xc2:
		return false
	case 0xc3:
		return true
	case 0xc4, 0xc5, 0xc6:
		return bytes.Clone(r.next(r.length(1 << (code - 0xc4))))
	case 0xca:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(r.next(4))))
	case 0xcb:
		return math.Float64frombits(binary.BigEndian.Uint64(r.next(8)))
	case 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3:
		r.pos--
		n, u, big, _ := r.integer()
		if big {
			return u
		}
		return n
	case 0xd9, 0xda, 0xdb:
		return r.newString(r.next(r.length(1 << (code - 0xd9))))
	case 0xdc, 0xdd:
		return r.arrayBody(r.length(2 << (code - 0xdc)))
	case 0xde, 0xdf:
		return r.mapBody(r.length(2 << (code - 0xde)))
	}
	panic(errChanged)
}

func (r *reader) arrayBody(n int) []any {
	arr := make([]any, n)
	for i := range arr {
		arr[i] = r.value()
	}
	return arr
}

func (r *reader) mapBody(n int) map[string]any {
	m := make(map[string]any, n)
	for range n {
		k := r.newString(r.key())
		m[k] = r.value()
	}
	return m
}

// integer reads the next value if it is an integer: n, or u when big (a
// uint64 above math.MaxInt64). ok is false, and nothing is consumed, for
// any other type.
func (r *reader) integer() (n int64, u uint64, big, ok bool) {
	code := r.data[r.pos]
	switch {
	case code <= 0x7f:
		r.pos++
		return int64(code), 0, false, true
	case code >= 0xe0:
		r.pos++
		return int64(int8(code)), 0, false, true
	case code >= 0xcc && code <= 0xcf:
		r.pos++
		b := r.next(1 << (code - 0xcc))
		for _, x := range b {
			u = u<<8 | uint64(x)
		}
		if u > math.MaxInt64 {
			return 0, u, true, true
		}
		return int64(u), 0, false, true
	case code >= 0xd0 && code <= 0xd3:
		r.pos++
		b := r.next(1 << (code - 0xd0))
		switch len(b) {
		case 1:
			n = int64(int8(b[0]))
		case 2:
			n = int64(int16(binary.BigEndian.Uint16(b)))
		case 4:
			n = int64(int32(binary.BigEndian.Uint32(b)))
		default:
			n = int64(binary.BigEndian.Uint64(b))
		}
		return n, 0, false, true
	}
	return 0, 0, false, false
}

// float reads the next value if it is a float.
func (r *reader) float() (float64, bool) {
	switch r.data[r.pos] {
	case 0xca:
		r.pos++
		return float64(math.Float32frombits(binary.BigEndian.Uint32(r.next(4)))), true
	case 0xcb:
		r.pos++
		return math.Float64frombits(binary.BigEndian.Uint64(r.next(8))), true
	}
	return 0, false
}

// strOrBin reads the next value if it is a str or a bin and returns its
// bytes (aliasing data).
func (r *reader) strOrBin() ([]byte, bool) {
	code := r.data[r.pos]
	var n int
	switch {
	case code&0xe0 == 0xa0:
		r.pos++
		n = int(code & 0x1f)
	case code >= 0xd9 && code <= 0xdb:
		r.pos++
		n = r.length(1 << (code - 0xd9))
	case code >= 0xc4 && code <= 0xc6:
		r.pos++
		n = r.length(1 << (code - 0xc4))
	default:
		return nil, false
	}
	return r.next(n), true
}

// containerLen reads a map or array header; ok is false (and nothing is
// consumed) when the next value is not of that kind.
func (r *reader) containerLen(wantMap bool) (n int, ok bool) {
	code := r.data[r.pos]
	switch {
	case wantMap && code&0xf0 == 0x80, !wantMap && code&0xf0 == 0x90:
		r.pos++
		return int(code & 0x0f), true
	case wantMap && (code == 0xde || code == 0xdf):
		r.pos++
		return r.length(2 << (code - 0xde)), true
	case !wantMap && (code == 0xdc || code == 0xdd):
		r.pos++
		return r.length(2 << (code - 0xdc)), true
	}
	return 0, false
}
