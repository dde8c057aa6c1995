package msgjson

import (
	"errors"
	"fmt"
)

// Errors. Every error of a conversion wraps exactly one of these and names
// the byte offset in the input where the problem was found.
var (
	// ErrSyntax reports input that is not one well-formed value: JSON that
	// RFC 8259 does not allow, or truncated or malformed msgpack.
	ErrSyntax = errors.New("msgjson: syntax error")
	// ErrUTF8 reports a string that is not valid UTF-8: raw bytes in a
	// JSON string, a \u escape of a lone surrogate, or a msgpack str.
	ErrUTF8 = errors.New("msgjson: string is not valid UTF-8")
	// ErrRange reports a JSON integer outside [-2^63, 2^64-1], which
	// msgpack cannot carry.
	ErrRange = errors.New("msgjson: integer out of the 64-bit range")
	// ErrDepth reports arrays and objects (maps) nested deeper than
	// Options.MaxDepth.
	ErrDepth = errors.New("msgjson: nesting too deep")
	// ErrTooLarge reports input longer than Options.MaxSize, or a string,
	// array or object too long for msgpack (2^32-1 bytes or elements).
	ErrTooLarge = errors.New("msgjson: too large")
	// ErrUnsupported reports msgpack that JSON cannot carry: ext values,
	// and map keys other than str and bin.
	ErrUnsupported = errors.New("msgjson: unsupported msgpack")
)

// errAt returns an error wrapping sentinel, at byte offset off of the
// input. It is kept out of line: only failing conversions call it.
//
//go:noinline
func errAt(sentinel error, off int, format string, args ...any) error {
	return fmt.Errorf("%w at offset %d: %s", sentinel, off, fmt.Sprintf(format, args...))
}
