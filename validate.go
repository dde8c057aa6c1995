package banyan

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// maxDepth bounds nesting when checking payloads, so a hostile message
// cannot exhaust the stack.
const maxDepth = 512

// Validate checks that data is exactly one well-formed msgpack value that a
// Python Banyan receiver (unpackb(raw=False), strict map keys) would accept:
// no truncation or trailing bytes, str values and keys valid UTF-8, map keys
// str or bin only. It does not allocate. The error wraps ErrBadPayload.
func Validate(data []byte) error {
	v := validator{b: data}
	if err := v.value(0, false); err != nil {
		return err
	}
	if v.i != len(data) {
		return fmt.Errorf("%w: %d trailing bytes after the msgpack value", ErrBadPayload, len(data)-v.i)
	}
	return nil
}

type validator struct {
	b []byte
	i int
}

func (v *validator) fail(format string, args ...any) error {
	return fmt.Errorf("%w: at byte %d: %s", ErrBadPayload, v.i, fmt.Sprintf(format, args...))
}

func (v *validator) need(n int) error {
	if n < 0 || len(v.b)-v.i < n {
		return v.fail("truncated")
	}
	return nil
}

// uintN reads an n-byte big-endian length.
func (v *validator) uintN(n int) (int, error) {
	if err := v.need(n); err != nil {
		return 0, err
	}
	var x uint64
	switch n {
	case 1:
		x = uint64(v.b[v.i])
	case 2:
		x = uint64(binary.BigEndian.Uint16(v.b[v.i:]))
	case 4:
		x = uint64(binary.BigEndian.Uint32(v.b[v.i:]))
	}
	v.i += n
	if x > uint64(len(v.b)) {
		return 0, v.fail("length %d beyond the payload", x)
	}
	return int(x), nil
}

func (v *validator) skip(n int) error {
	if err := v.need(n); err != nil {
		return err
	}
	v.i += n
	return nil
}

func (v *validator) str(n int) error {
	if err := v.need(n); err != nil {
		return err
	}
	if !utf8.Valid(v.b[v.i : v.i+n]) {
		return v.fail("str is not valid UTF-8")
	}
	v.i += n
	return nil
}

// value checks one value; key says it is a map key (str or bin only).
func (v *validator) value(depth int, key bool) error {
	if depth > maxDepth {
		return v.fail("nested deeper than %d", maxDepth)
	}
	if err := v.need(1); err != nil {
		return err
	}
	c := v.b[v.i]
	v.i++
	isStrOrBin := (c >= 0xa0 && c <= 0xbf) || (c >= 0xd9 && c <= 0xdb) || (c >= 0xc4 && c <= 0xc6)
	if key && !isStrOrBin {
		v.i--
		return v.fail("map key of type 0x%02x: only str and bin keys are allowed (Python's strict_map_key)", c)
	}
	var n int
	var err error
	switch {
	case c <= 0x7f || c >= 0xe0, c == 0xc0, c == 0xc2, c == 0xc3:
		return nil
	case c >= 0x80 && c <= 0x8f:
		return v.container(depth, int(c&0x0f), true)
	case c >= 0x90 && c <= 0x9f:
		return v.container(depth, int(c&0x0f), false)
	case c >= 0xa0 && c <= 0xbf:
		return v.str(int(c & 0x1f))
	}
	switch c {
	case 0xc4, 0xc5, 0xc6: // bin 8/16/32
		if n, err = v.uintN(1 << (c - 0xc4)); err == nil {
			err = v.skip(n)
		}
	case 0xd9, 0xda, 0xdb: // str 8/16/32
		if n, err = v.uintN(1 << (c - 0xd9)); err == nil {
			err = v.str(n)
		}
	case 0xc7, 0xc8, 0xc9: // ext 8/16/32
		if n, err = v.uintN(1 << (c - 0xc7)); err == nil {
			err = v.skip(n + 1)
		}
	case 0xca, 0xce, 0xd2:
		err = v.skip(4)
	case 0xcb, 0xcf, 0xd3:
		err = v.skip(8)
	case 0xcc, 0xd0:
		err = v.skip(1)
	case 0xcd, 0xd1:
		err = v.skip(2)
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8: // fixext 1..16
		err = v.skip(1 + 1<<(c-0xd4))
	case 0xdc, 0xdd: // array 16/32
		if n, err = v.uintN(2 << (c - 0xdc)); err == nil {
			err = v.container(depth, n, false)
		}
	case 0xde, 0xdf: // map 16/32
		if n, err = v.uintN(2 << (c - 0xde)); err == nil {
			err = v.container(depth, n, true)
		}
	default: // 0xc1 is never used
		v.i--
		err = v.fail("invalid msgpack type byte 0x%02x", c)
	}
	return err
}

func (v *validator) container(depth, n int, isMap bool) error {
	for j := 0; j < n; j++ {
		if isMap {
			if err := v.value(depth+1, true); err != nil {
				return err
			}
		}
		if err := v.value(depth+1, false); err != nil {
			return err
		}
	}
	return nil
}
