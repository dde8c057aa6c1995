package codec

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Checking a payload against the rules of Python's unpackb(raw=False)
// with strict map keys, without allocating.

// checker walks one msgpack value and checks it against Banyan's payload
// rules: exactly one well-formed value, no reserved codes, no ext values,
// str values and map keys valid UTF-8, map keys str or bin, nesting at most
// MaxNesting. It is the one implementation of these rules: Validate,
// DecodeValue, DecodeMap, Unmarshal and Marshal's output check all use it.
// It builds nothing and allocates only to report a failure (and, for
// Marshal, to record float32 offsets).
type checker struct {
	data      []byte
	pos       int
	marshal   bool  // record float32 offsets; wording of errors
	float32At []int // offsets of 0xca codes (marshal only)
	strBytes  int   // bytes of str values and map keys (what DecodeValue copies into strings)
}

func (c *checker) top() error {
	if len(c.data) == 0 {
		return &codecError{off: 0, msg: "empty payload"}
	}
	if err := c.value(0); err != nil {
		return err
	}
	if c.pos != len(c.data) {
		return &codecError{off: c.pos, msg: fmt.Sprintf("%d trailing bytes after the value", len(c.data)-c.pos)}
	}
	return nil
}

// truncated is kept out of line so that take and length, which call it
// only on failure, stay small enough to be inlined.
//
//go:noinline
func (c *checker) truncated(start int, what string) error {
	return &codecError{off: start, msg: fmt.Sprintf("truncated %s (payload is %d bytes)", what, len(c.data))}
}

// need steps over the next n bytes (n >= 0).
func (c *checker) need(start, n int, what string) error {
	if n > len(c.data)-c.pos {
		return c.truncated(start, what)
	}
	c.pos += n
	return nil
}

// take returns the next n bytes.
func (c *checker) take(start, n int, what string) ([]byte, error) {
	if n < 0 || n > len(c.data)-c.pos {
		return nil, c.truncated(start, what)
	}
	b := c.data[c.pos : c.pos+n]
	c.pos += n
	return b, nil
}

// length reads a big-endian length field of size bytes.
func (c *checker) length(start, size int, what string) (int, error) {
	b, err := c.take(start, size, what)
	if err != nil {
		return 0, err
	}
	switch size {
	case 1:
		return int(b[0]), nil
	case 2:
		return int(binary.BigEndian.Uint16(b)), nil
	default:
		n := binary.BigEndian.Uint32(b)
		if uint64(n) > uint64(len(c.data)) {
			return 0, c.truncated(start, what)
		}
		return int(n), nil
	}
}

func (c *checker) value(depth int) error {
	start := c.pos
	if c.pos >= len(c.data) {
		return c.truncated(start, "value")
	}
	code := c.data[c.pos]
	c.pos++
	switch {
	case code <= 0x7f || code >= 0xe0:
		return nil
	case code&0xf0 == 0x80:
		return c.mapBody(start, int(code&0x0f), depth)
	case code&0xf0 == 0x90:
		return c.arrayBody(start, int(code&0x0f), depth)
	case code&0xe0 == 0xa0:
		return c.str(start, int(code&0x1f))
	}
	switch code {
	case 0xc0, 0xc2, 0xc3:
		return nil
	case 0xc4, 0xc5, 0xc6:
		n, err := c.length(start, 1<<(code-0xc4), "bin")
		if err != nil {
			return err
		}
		return c.need(start, n, "bin")
	case 0xc7, 0xc8, 0xc9:
		n, err := c.length(start, 1<<(code-0xc7), "ext")
		if err != nil {
			return err
		}
		return c.ext(start, n)
	case 0xca:
		if err := c.need(start, 4, "float32"); err != nil {
			return err
		}
		if c.marshal {
			c.float32At = append(c.float32At, start)
		}
		return nil
	case 0xcb:
		return c.need(start, 8, "float64")
	case 0xcc, 0xcd, 0xce, 0xcf:
		return c.need(start, 1<<(code-0xcc), "uint")
	case 0xd0, 0xd1, 0xd2, 0xd3:
		return c.need(start, 1<<(code-0xd0), "int")
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return c.ext(start, 1<<(code-0xd4))
	case 0xd9, 0xda, 0xdb:
		n, err := c.length(start, 1<<(code-0xd9), "str")
		if err != nil {
			return err
		}
		return c.str(start, n)
	case 0xdc, 0xdd:
		n, err := c.length(start, 2<<(code-0xdc), "array")
		if err != nil {
			return err
		}
		return c.arrayBody(start, n, depth)
	case 0xde, 0xdf:
		n, err := c.length(start, 2<<(code-0xde), "map")
		if err != nil {
			return err
		}
		return c.mapBody(start, n, depth)
	}
	return &codecError{off: start, msg: fmt.Sprintf("reserved msgpack code 0x%02x", code)}
}

func (c *checker) ext(start, n int) error {
	// Read the type byte only to name it; the data is never used.
	if _, err := c.take(start, 1+n, "ext"); err != nil {
		return err
	}
	typ := int8(c.data[c.pos-n-1])
	return &codecError{off: start, err: ErrExtType, msg: fmt.Sprintf("msgpack ext type %d (%d bytes of data) is not supported", typ, n)}
}

func (c *checker) str(start, n int) error {
	if n > len(c.data)-c.pos {
		return c.truncated(start, "str")
	}
	b := c.data[c.pos : c.pos+n]
	c.pos += n
	if !validUTF8(b) {
		msg := "str is not valid UTF-8"
		if c.marshal {
			msg = "string is not valid UTF-8 (Python receivers would raise UnicodeDecodeError; send binary data as []byte)"
		}
		return &codecError{off: start, err: ErrInvalidUTF8, msg: msg}
	}
	c.strBytes += n
	return nil
}

func (c *checker) enter(start, n, minSize, depth int, what string) error {
	if depth >= MaxNesting {
		return &codecError{off: start, err: ErrTooDeep, msg: fmt.Sprintf("maps and arrays nested deeper than %d levels", MaxNesting)}
	}
	// Every element takes at least one byte: reject impossible counts before
	// anything allocates for them.
	if n > (len(c.data)-c.pos)/minSize {
		return &codecError{off: start, msg: fmt.Sprintf("truncated %s: %d elements cannot fit in the remaining %d bytes", what, n, len(c.data)-c.pos)}
	}
	return nil
}

func (c *checker) arrayBody(start, n, depth int) error {
	if err := c.enter(start, n, 1, depth, "array"); err != nil {
		return err
	}
	for i := range n {
		if err := c.value(depth + 1); err != nil {
			return within(err, "["+strconv.Itoa(i)+"]")
		}
	}
	return nil
}

func (c *checker) mapBody(start, n, depth int) error {
	if err := c.enter(start, n, 2, depth, "map"); err != nil {
		return err
	}
	for range n {
		key, err := c.key()
		if err != nil {
			return err
		}
		if err := c.value(depth + 1); err != nil {
			return within(err, keySegment(key))
		}
	}
	return nil
}

// key checks a map key, which must be a str or a bin, and returns its bytes
// (aliasing data).
func (c *checker) key() ([]byte, error) {
	start := c.pos
	if c.pos >= len(c.data) {
		return nil, c.truncated(start, "map key")
	}
	code := c.data[c.pos]
	var n int
	var err error
	isStr := true
	switch {
	case code&0xe0 == 0xa0:
		c.pos++
		n = int(code & 0x1f)
	case code == 0xd9 || code == 0xda || code == 0xdb:
		c.pos++
		n, err = c.length(start, 1<<(code-0xd9), "str")
	case code == 0xc4 || code == 0xc5 || code == 0xc6:
		c.pos++
		isStr = false
		n, err = c.length(start, 1<<(code-0xc4), "bin")
	default:
		hint := "keys must be str or bin"
		if c.marshal {
			hint = "Python receivers accept only string map keys"
		}
		return nil, &codecError{off: start, err: ErrNonStringKey, msg: fmt.Sprintf("map key has msgpack type %s; %s", codeTypeName(code), hint)}
	}
	if err != nil {
		return nil, err
	}
	if n > len(c.data)-c.pos {
		return nil, c.truncated(start, "map key")
	}
	b := c.data[c.pos : c.pos+n]
	c.pos += n
	if isStr && !validUTF8(b) {
		return nil, &codecError{off: start, err: ErrInvalidUTF8, msg: "map key str is not valid UTF-8"}
	}
	c.strBytes += n
	return b, nil
}

// validUTF8 is utf8.Valid, faster for the short ASCII strings that make up
// most keys and values.
func validUTF8(b []byte) bool {
	if len(b) > 16 {
		return utf8.Valid(b)
	}
	for _, x := range b {
		if x >= utf8.RuneSelf {
			return utf8.Valid(b)
		}
	}
	return true
}
