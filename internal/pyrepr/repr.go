package pyrepr

import (
	"errors"
	"fmt"

	"github.com/gobanyan/banyan"
)

// Mode says how the Python side decodes payloads.
type Mode uint8

const (
	// Plain is Python Banyan's default: msgpack.unpackb(payload, raw=False).
	Plain Mode = iota
	// Numpy is a component started with numpy=True (monitor -m True):
	// msgpack_numpy's decoder, which turns msgpack-numpy maps into numpy
	// arrays, numpy scalars and complex numbers, followed by Python
	// Banyan's fix of top-level bytes keys.
	Numpy
)

// String returns "plain" or "numpy".
func (m Mode) String() string {
	if m == Numpy {
		return "numpy"
	}
	return "plain"
}

// AppendRepr appends repr(value) of the value Python decodes from the
// msgpack payload in the given mode, and returns the extended buffer.
// On error dst is returned unchanged.
func AppendRepr(dst, payload []byte, mode Mode) ([]byte, error) {
	return appendPayload(dst, payload, mode, false)
}

// AppendStr appends str(value): what print(topic, payload) writes after
// the topic and a space, as Python Banyan's monitor prints every
// message. It differs from AppendRepr only for a top-level str (shown
// as it is, unquoted) and a top-level numpy array (numpy's str form).
func AppendStr(dst, payload []byte, mode Mode) ([]byte, error) {
	return appendPayload(dst, payload, mode, true)
}

// Repr returns repr(value) of the value Python decodes from payload.
func Repr(payload []byte, mode Mode) (string, error) {
	b, err := AppendRepr(make([]byte, 0, outGuess(payload)), payload, mode)
	return string(b), err
}

// Str returns str(value), as print() shows it (see AppendStr).
func Str(payload []byte, mode Mode) (string, error) {
	b, err := AppendStr(make([]byte, 0, outGuess(payload)), payload, mode)
	return string(b), err
}

// appendPayload checks the payload with banyan.Validate, then formats it
// in one walk over its bytes.
func appendPayload(dst, payload []byte, mode Mode, str bool) ([]byte, error) {
	if err := banyan.Validate(payload); err != nil && !lenient(err) {
		return dst, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	// Valid, or refused by Banyan only for what Python's monitor shows
	// (ext values) or what this package shows where Python raises (see
	// the package documentation): the walk checks every length itself.
	var entries [8]entry // the maps of a typical payload fit (one allocation)
	w := walker{p: payload, out: dst, numpy: mode == Numpy, str: str, entries: entries[:0]}
	end, err := w.value(0, 0)
	if err == nil && end != len(payload) {
		err = malformed(end, "%d bytes after the value", len(payload)-end)
	}
	if err != nil {
		return dst, err
	}
	return w.out, nil
}

// lenient reports whether Validate refused a payload only for an ext
// value, a str that is not UTF-8 or a map key that is not a str or bin.
func lenient(err error) bool {
	return errors.Is(err, banyan.ErrExtType) || errors.Is(err, banyan.ErrInvalidUTF8) || errors.Is(err, banyan.ErrNonStringKey)
}

// outGuess is a first capacity for the text of a payload.
func outGuess(payload []byte) int { return min(2*len(payload)+16, 64<<10) }
