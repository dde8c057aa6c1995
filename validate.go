package banyan

import "github.com/gobanyan/banyan/internal/codec"

// Validate checks that data is exactly one well-formed msgpack value that a
// Python Banyan receiver (unpackb(raw=False), strict map keys) would accept.
// It applies the same rules as DecodeValue, DecodeMap and Unmarshal, through
// the same code: no truncation or trailing bytes, no reserved codes, str
// values and keys valid UTF-8 (ErrInvalidUTF8), map keys str or bin only
// (ErrNonStringKey), no ext values (ErrExtType), maps and arrays nested at
// most MaxNesting deep (ErrTooDeep). It does not allocate when data is
// valid. The error wraps ErrBadPayload, and the specific sentinel when one
// applies.
func Validate(data []byte) error { return codec.Validate(data) }
