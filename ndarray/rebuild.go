package ndarray

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// FromMap recognises one generically decoded msgpack-numpy map (keys that
// were bin or str on the wire, as strings) the way Python's
// msgpack_numpy.decode does, and returns its Go value:
//
//   - {nd: true, type, kind, shape, data}: *Array
//   - {nd: false, type, data}: Scalar
//   - {complex: ..., data: "(1+2j)"}: complex128
//
// matched reports whether m has one of those forms. A matched map that is
// invalid, or an object array (kind "O"), yields m itself, matched true and
// an error (wrapping ErrObjectArray, ErrDType, ErrShape or ErrMalformed).
// Maps that are not numpy values, including maps missing a required key
// (Python's KeyError fallback) or whose nd is not a bool, yield m, false, nil.
//
// The returned array aliases m's data bytes.
func FromMap(m map[string]any) (v any, matched bool, err error) {
	w := newWire(m)
	switch w.form() {
	case formArray:
		a, err := w.array()
		if err != nil {
			return m, true, err
		}
		return a, true, nil
	case formScalar:
		s, err := w.scalar()
		if err != nil {
			return m, true, err
		}
		return s, true, nil
	case formComplex:
		c, err := w.complex()
		if err != nil {
			return m, true, err
		}
		return c, true, nil
	case formObject:
		return m, true, fmt.Errorf("%w (kind %q)", ErrObjectArray, "O")
	}
	return m, false, nil
}

// Rebuild walks a generically decoded msgpack value (maps as
// map[string]any or map[any]any, []any, and scalars) and replaces every
// msgpack-numpy map, at any depth, by its Go value as FromMap does: *Array,
// Scalar or complex128. Maps and slices are rewritten in place, and the
// (possibly replaced) root is returned.
//
// Problems do not stop the walk. A map that cannot be rebuilt (an object
// array, whose pickled data is never unpickled, or an invalid array) is left
// in place as the map it was, the rest of the value is still rebuilt, and
// the returned error joins one error per such map, each naming its location
// (for example `$["frames"][2]`) and wrapping ErrObjectArray, ErrDType,
// ErrShape or ErrMalformed. Callers can therefore use the value and report
// the error, or test it with errors.Is(err, ErrObjectArray).
//
// Because keys are strings by then, a map with str keys "nd", "type", ...
// is rebuilt too, although Python would only recognise bin keys.
func Rebuild(v any) (any, error) {
	r := rebuilder{}
	out := r.walk(v)
	return out, errors.Join(r.errs...)
}

// rebuilder carries the walk's location (for error messages) and errors.
type rebuilder struct {
	path []any // string keys and int indexes from the root
	errs []error
}

func (r *rebuilder) walk(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if out, matched, err := FromMap(t); matched {
			r.fail(err)
			return out
		}
		for k, e := range t {
			r.path = append(r.path, k)
			t[k] = r.walk(e)
			r.path = r.path[:len(r.path)-1]
		}
	case map[any]any:
		if sm, ok := stringKeyed(t); ok {
			if out, matched, err := FromMap(sm); matched {
				r.fail(err)
				if err != nil {
					return t
				}
				return out
			}
		}
		for k, e := range t {
			r.path = append(r.path, k)
			t[k] = r.walk(e)
			r.path = r.path[:len(r.path)-1]
		}
	case []any:
		for i, e := range t {
			r.path = append(r.path, i)
			t[i] = r.walk(e)
			r.path = r.path[:len(r.path)-1]
		}
	}
	return v
}

// fail records err (if any) at the current location.
func (r *rebuilder) fail(err error) {
	if err == nil {
		return
	}
	var b strings.Builder
	b.WriteString("$")
	for _, p := range r.path {
		switch k := p.(type) {
		case string:
			b.WriteString("[" + strconv.Quote(k) + "]")
		case int:
			b.WriteString("[" + strconv.Itoa(k) + "]")
		default:
			fmt.Fprintf(&b, "[%v]", k)
		}
	}
	r.errs = append(r.errs, fmt.Errorf("at %s: %w", b.String(), err))
}

// stringKeyed returns the entries of m with string keys when every key is
// a string.
func stringKeyed(m map[any]any) (map[string]any, bool) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		s, ok := k.(string)
		if !ok {
			return nil, false
		}
		out[s] = v
	}
	return out, true
}
