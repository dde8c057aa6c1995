package ws

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/msgjson"
)

// Topic prefixes of the id handshake: a browser names the topic it
// publishes on, "to_<device>", and receives the messages of "from_<device>".
const (
	ToPrefix   = "to_"
	FromPrefix = "from_"
)

// TimestampLayout is how the timestamp rewrite writes a time: Python's
// strftime('%Y-%m-%d %H:%M:%S'), e.g. "2019-02-18 09:31:16".
const TimestampLayout = "2006-01-02 15:04:05"

// ReplyTopic returns the topic whose messages go to a browser that sent
// {"id": id}: id with its leading "to_" replaced by "from_", so
// "to_arduino_gateway" gives "from_arduino_gateway". Only that prefix is
// replaced; Python's ws_gateway replaces every "to" in the id, so that
// "to_motor" gave "from_mofromr".
//
// An empty id is ErrNoID. An id without the "to_" prefix, or with nothing
// after it, is ErrBadID: it has no reply topic, and using the id itself
// would send the browser its own messages back.
func ReplyTopic(id string) (string, error) {
	if id == "" {
		return "", ErrNoID
	}
	rest, ok := strings.CutPrefix(id, ToPrefix)
	if !ok {
		return "", fmt.Errorf("%w: %q does not start with %q", ErrBadID, id, ToPrefix)
	}
	if rest == "" {
		return "", fmt.Errorf("%w: %q names no device after %q", ErrBadID, id, ToPrefix)
	}
	return FromPrefix + rest, nil
}

// ToJSON converts a Banyan payload (one msgpack value) to the JSON text
// sent to browsers. Python's ws_gateway sends json.dumps(payload); this is
// the same value in plain JSON (no spaces, map keys sorted, of duplicate
// keys the last), with these rules for what json.dumps cannot write or
// browsers cannot read:
//
//   - bytes (msgpack bin) become a base64 string (standard alphabet, with
//     padding; atob() in a browser decodes it). json.dumps raises on them.
//   - NaN and the infinities become null, as JSON.stringify writes them
//     (json.dumps writes NaN and Infinity, which JSON.parse rejects).
//   - Bin map keys (msgpack-numpy arrays) become string keys.
//
// When loc is not nil and the payload is a map with a numeric "timestamp"
// (seconds since the epoch, as gateways publish it), the timestamp is
// rewritten as local time in loc, formatted with TimestampLayout, as
// Python's ws_gateway does (datetime.fromtimestamp, fractions of a second
// dropped). A timestamp that is not a number, or outside years 1 to 9999,
// is left as it is. Only the top-level key is rewritten.
//
// The payload is converted without building Go values (internal/msgjson),
// so it takes memory in proportion to its length whatever it holds; the
// text is byte for byte what encoding/json writes for the values
// banyan.DecodeValue returns. Payloads that are not well-formed msgpack, or
// that banyan.DecodeValue refuses, return an error wrapping ErrConvert.
func ToJSON(payload []byte, loc *time.Location) ([]byte, error) {
	o := msgjson.Options{MaxDepth: banyan.MaxNesting, MaxSize: math.MaxInt, SortKeys: true}
	if loc != nil {
		o.Field = func(dst, key, value []byte) ([]byte, bool) {
			if string(key) != "timestamp" {
				return dst, false
			}
			return appendTimestamp(dst, value, loc)
		}
	}
	out, err := msgjson.AppendJSON(make([]byte, 0, 2*len(payload)+16), payload, o)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConvert, err)
	}
	return out, nil
}

// appendTimestamp appends the JSON string of the time that value, the
// msgpack of a number of seconds since the epoch, is in loc, if it is one
// (see ToJSON).
func appendTimestamp(dst, value []byte, loc *time.Location) ([]byte, bool) {
	if len(value) > 9 { // not a number: numbers take 9 bytes at most
		return dst, false
	}
	v, err := banyan.DecodeValue(value)
	if err != nil {
		return dst, false
	}
	s, ok := formatTimestamp(v, loc)
	if !ok {
		return dst, false
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"'), true
}

// formatTimestamp formats seconds since the epoch as Python's
// datetime.fromtimestamp(ts).strftime('%Y-%m-%d %H:%M:%S') does in loc.
func formatTimestamp(v any, loc *time.Location) (string, bool) {
	var t time.Time
	switch x := v.(type) {
	case int64:
		t = time.Unix(x, 0)
	case uint64:
		return "", false // beyond year 9999
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e12 {
			return "", false
		}
		// Python rounds to microseconds (half to even) before dropping
		// them: 16.9999996 is 17.000000.
		sec := math.Floor(x)
		if math.RoundToEven((x-sec)*1e6) >= 1e6 {
			sec++
		}
		t = time.Unix(int64(sec), 0)
	default:
		return "", false
	}
	t = t.In(loc)
	if y := t.Year(); y < 1 || y > 9999 {
		return "", false
	}
	return t.Format(TimestampLayout), true
}

// FromJSON converts the JSON text of one browser message to a Banyan
// payload, as Python's ws_gateway does with json.loads and msgpack, but
// without building values (internal/msgjson: memory in proportion to the
// text, whatever it holds). Any JSON value is accepted (normally an
// object); object keys keep their order, as in Python; a number without a
// fraction or exponent is an integer, any other number a float (1e999 is
// +Inf, as in Python). Text that is not exactly one JSON value, the
// literals NaN and Infinity (not JSON, though json.loads takes them),
// strings that are not UTF-8 or hold \u escapes of lone surrogates (which
// msgpack cannot carry; Python's packb raises), integers beyond the 64-bit
// range (Python raises) and nesting deeper than banyan.MaxNesting return an
// error wrapping ErrBadJSON.
func FromJSON(text []byte) ([]byte, error) {
	// msgpack is seldom longer than its JSON.
	return appendMsgpack(make([]byte, 0, len(text)), text)
}

// appendMsgpack is FromJSON appending to dst.
func appendMsgpack(dst, text []byte) ([]byte, error) {
	out, err := msgjson.AppendMsgpack(dst, text, msgjson.Options{MaxDepth: banyan.MaxNesting, MaxSize: math.MaxInt})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadJSON, err)
	}
	return out, nil
}
