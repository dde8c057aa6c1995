package pyrepr

import (
	"errors"
	"fmt"

	"github.com/gobanyan/banyan"
)

// Errors returned by the formatters. Every error wraps one of them.
var (
	// ErrMalformed reports a payload that is not one well-formed msgpack
	// value: truncated or trailing data, a reserved code, a length that
	// does not fit, nesting deeper than banyan.MaxNesting. Python's
	// unpackb raises on all of these, so nothing is printed.
	ErrMalformed = errors.New("pyrepr: malformed msgpack")

	// ErrUnhashableKey reports a map key that is an array or a map. Python
	// cannot build that dict (TypeError: unhashable type), even with
	// strict_map_key=False.
	ErrUnhashableKey = errors.New("pyrepr: map key is an array or a map")
)

// maxDepth is the deepest nesting of arrays and maps accepted, Python
// msgpack's own limit.
const maxDepth = banyan.MaxNesting

func errUnhashable(at int) error {
	return fmt.Errorf("%w: at byte %d", ErrUnhashableKey, at)
}
