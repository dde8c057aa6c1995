package gateway

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// fieldReader reads typed fields from a decoded payload. The first problem
// is kept in err, wrapped in sentinel; later reads return zero values.
type fieldReader struct {
	m        map[string]any
	what     string // "digital_write", for messages
	sentinel error
	err      error
}

func (r *fieldReader) fail(key, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s: %q %s", r.sentinel, r.what, key, fmt.Sprintf(format, args...))
	}
}

// get returns the value of key; a nil value counts as absent (Python
// clients send None for "not given").
func (r *fieldReader) get(key string) (any, bool) {
	v, ok := r.m[key]
	if !ok || v == nil {
		return nil, false
	}
	return v, true
}

// toInt converts the integer forms a payload may hold: any msgpack int, a
// bool (Python's bool is an int), and a float without a fractional part
// (a JSON-born number). Go integer types are accepted for maps built in Go.
func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int64:
		return int(x), int64(int(x)) == x
	case int:
		return x, true
	case int8:
		return int(x), true
	case int16:
		return int(x), true
	case int32:
		return int(x), true
	case uint8:
		return int(x), true
	case uint16:
		return int(x), true
	case uint32:
		return int(x), uint64(x) <= math.MaxInt
	case uint:
		return int(x), uint64(x) <= math.MaxInt
	case uint64:
		return int(x), x <= math.MaxInt
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, false
		}
		return int(x), true
	case float32:
		return toInt(float64(x))
	}
	return 0, false
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case bool:
		return 0, false
	}
	if n, ok := toInt(v); ok {
		return float64(n), true
	}
	return 0, false
}

// typeName names a decoded value's type as msgpack does.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "a bool"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "an int"
	case float32, float64:
		return "a float"
	case string:
		return "a str"
	case []byte:
		return "bin"
	case []any:
		return "an array"
	case map[string]any:
		return "a map"
	}
	return fmt.Sprintf("%T", v)
}

func (r *fieldReader) intValue(key string, v any) (int, bool) {
	n, ok := toInt(v)
	if !ok {
		if _, isFloat := v.(float64); isFloat {
			r.fail(key, "is %v, want an integer", v)
		} else {
			r.fail(key, "is %s, want an integer", typeName(v))
		}
	}
	return n, ok
}

// optInt reads an optional integer that must be at least min.
func (r *fieldReader) optInt(key string, min int) *int {
	v, ok := r.get(key)
	if !ok {
		return nil
	}
	n, ok := r.intValue(key, v)
	if !ok {
		return nil
	}
	if n < min {
		r.fail(key, "is %d, want at least %d", n, min)
		return nil
	}
	return &n
}

// reqInt reads a required integer that must be at least min.
func (r *fieldReader) reqInt(key string, min int) int {
	if _, ok := r.get(key); !ok {
		r.fail(key, "is missing")
		return 0
	}
	if p := r.optInt(key, min); p != nil {
		return *p
	}
	return 0
}

// tag reads the optional "tag", a string ("" means none, as Python treats
// any falsy tag).
func (r *fieldReader) tag() string {
	v, ok := r.get("tag")
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.fail("tag", "is %s, want a str", typeName(v))
	}
	return s
}

// target reads a pin (under key) and a tag; one of them is required.
func (r *fieldReader) target(key string) (*int, string) {
	pin := r.optInt(key, 0)
	tag := r.tag()
	if r.err == nil && pin == nil && tag == "" {
		r.fail(key, "is missing (give the pin, or a tag bound to it)")
	}
	return pin, tag
}

// reqInts reads a required array of integers in [min, max], at least
// minLen long.
func (r *fieldReader) reqInts(key string, min, max, minLen int) []int {
	v, ok := r.get(key)
	if !ok {
		r.fail(key, "is missing")
		return nil
	}
	if b, isBin := v.([]byte); isBin {
		out := make([]int, len(b))
		for i, x := range b {
			out[i] = int(x)
		}
		v = anySlice(out)
	}
	list, ok := v.([]any)
	if !ok {
		r.fail(key, "is %s, want an array of integers", typeName(v))
		return nil
	}
	if len(list) < minLen {
		r.fail(key, "has %d elements, want at least %d", len(list), minLen)
		return nil
	}
	out := make([]int, len(list))
	for i, e := range list {
		n, ok := toInt(e)
		if !ok {
			r.fail(key, "element %d is %s, want an integer", i, typeName(e))
			return nil
		}
		if n < min || n > max {
			r.fail(key, "element %d is %d, want %d to %d", i, n, min, max)
			return nil
		}
		out[i] = n
	}
	return out
}

func anySlice(ns []int) []any {
	out := make([]any, len(ns))
	for i, n := range ns {
		out[i] = n
	}
	return out
}

// reqBytes reads a required array of byte values (or a bin).
func (r *fieldReader) reqBytes(key string) []byte {
	if v, ok := r.get(key); ok {
		if b, isBin := v.([]byte); isBin {
			return b
		}
	}
	ns := r.reqInts(key, 0, 255, 0)
	if ns == nil {
		return nil
	}
	out := make([]byte, len(ns))
	for i, n := range ns {
		out[i] = byte(n)
	}
	return out
}

// number reads a required int or float.
func (r *fieldReader) number(key string) float64 {
	v, ok := r.get(key)
	if !ok {
		r.fail(key, "is missing")
		return 0
	}
	f, ok := toFloat(v)
	if !ok {
		r.fail(key, "is %s, want a number", typeName(v))
	}
	return f
}

// optNumber reads an optional int or float (0 when absent).
func (r *fieldReader) optNumber(key string) float64 {
	if _, ok := r.get(key); !ok {
		return 0
	}
	return r.number(key)
}

// optString reads an optional str.
func (r *fieldReader) optString(key string) string {
	v, ok := r.get(key)
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.fail(key, "is %s, want a str", typeName(v))
	}
	return s
}

// i2cValue reads an i2c_data "value": an array of ints (ESP, this package),
// a bin, or Arduino's comma-separated string of ints.
func (r *fieldReader) i2cValue(key string) []int {
	v, ok := r.get(key)
	if !ok {
		r.fail(key, "is missing")
		return nil
	}
	s, isStr := v.(string)
	if !isStr {
		return r.reqInts(key, math.MinInt, math.MaxInt, 0)
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			r.fail(key, "has %q, want comma-separated integers", f)
			return nil
		}
		out = append(out, n)
	}
	return out
}

// optPtr puts *p under key when p is not nil.
func optPtr(m map[string]any, key string, p *int) {
	if p != nil {
		m[key] = *p
	}
}

// optTag puts a non-empty tag.
func optTag(m map[string]any, tag string) {
	if tag != "" {
		m["tag"] = tag
	}
}
