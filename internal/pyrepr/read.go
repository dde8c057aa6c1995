package pyrepr

import (
	"fmt"
	"math"

	"github.com/gobanyan/banyan/internal/codec"
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

// kindOf maps codec's types to this package's kinds.
var kindOf = [...]kind{
	codec.TypeNil: kNil, codec.TypeBool: kBool, codec.TypeInt: kInt, codec.TypeUint: kInt,
	codec.TypeFloat32: kFloat, codec.TypeFloat64: kFloat, codec.TypeStr: kStr, codec.TypeBin: kBin,
	codec.TypeExt: kExt, codec.TypeArray: kArray, codec.TypeMap: kMap,
}

// readHead reads the header of the value at p[i] through codec.Head,
// which checks every length against the bytes that follow before it is
// used: a str, bin or ext body must fit, and an array or map cannot claim
// more elements than there are bytes left (each takes at least one), so
// no loop runs on a claimed count.
func readHead(p []byte, i int) (head, error) {
	if i >= len(p) {
		return head{}, malformed(i, "truncated: a value is missing")
	}
	t, f := codec.Head(p, i)
	body := i + t.Size
	switch f {
	case codec.ShortHeader:
		return head{}, malformed(i, "truncated header of code 0x%02x", p[i])
	case codec.Reserved:
		return head{}, malformed(i, "reserved code 0x%02x", p[i])
	case codec.ShortBody:
		left := len(p) - body
		switch t.Type {
		case codec.TypeArray:
			return head{}, malformed(i, "array of %d elements in %d bytes", t.V, left)
		case codec.TypeMap:
			return head{}, malformed(i, "map of %d entries in %d bytes", t.V, left)
		}
		return head{}, malformed(i, "%d bytes claimed, %d left", t.V, left)
	}
	h := head{kind: kindOf[t.Type], n: t.N, body: body}
	switch t.Type {
	case codec.TypeBool:
		h.b = t.V != 0
	case codec.TypeUint:
		h.unsigned, h.u = true, t.V
	case codec.TypeInt:
		h.i = int64(t.V)
	case codec.TypeFloat32:
		h.f = float64(math.Float32frombits(uint32(t.V)))
	case codec.TypeFloat64:
		h.f = math.Float64frombits(t.V)
	case codec.TypeExt:
		h.ext = int8(p[body-1])
	}
	return h, nil
}

func tooDeep(at int) error {
	return fmt.Errorf("%w: at byte %d: nested deeper than %d", ErrMalformed, at, maxDepth)
}
