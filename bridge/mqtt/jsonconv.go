package mqtt

import (
	"fmt"
	"math"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/msgjson"
)

// jsonOptions returns the bridge's settings of the msgpack<->JSON converter
// (internal/msgjson), those of Python's mgw, json.dumps and json.loads:
// Style PythonDumps (", " and ": ", ensure_ascii, floats as Python's
// repr), keys in wire order, integers exact to 64 bits, NonFiniteLiteral
// (NaN, Infinity, -Infinity written and read as bare tokens), BinRefuse
// and ExtRefuse (json.dumps raises on bytes), nesting up to
// banyan.MaxNesting.
func jsonOptions() msgjson.Options {
	return msgjson.Options{
		MaxDepth:  banyan.MaxNesting,
		MaxSize:   math.MaxInt,
		Style:     msgjson.PythonDumps,
		Bin:       msgjson.BinRefuse,
		NonFinite: msgjson.NonFiniteLiteral,
	}
}

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
	out, err := msgjson.AppendJSON(make([]byte, 0, 2*len(data)+8), data, jsonOptions())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConversion, err)
	}
	return out, nil
}

// JSONToMsgpack converts one JSON value to msgpack, byte for byte as
// Python's msgpack.packb(json.loads(text), use_bin_type=True) does: object
// keys in document order, integers (numbers without '.', 'e' or 'E') in the
// smallest msgpack integer form, other numbers as float64, strings as str,
// and Python's NaN, Infinity and -Infinity tokens as float64.
//
// It refuses, with an error wrapping ErrConversion: text that is not UTF-8,
// not one JSON value (empty, malformed or followed by more than
// whitespace), integers outside the int64/uint64 range (Python's msgpack
// cannot pack them either) and nesting deeper than banyan.MaxNesting.
func JSONToMsgpack(text []byte) ([]byte, error) {
	out, err := msgjson.AppendMsgpack(make([]byte, 0, len(text)+8), text, jsonOptions())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConversion, err)
	}
	return out, nil
}
