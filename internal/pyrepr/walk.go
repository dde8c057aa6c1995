package pyrepr

import (
	"fmt"
	"strconv"

	"github.com/gobanyan/banyan/internal/pyfloat"
)

// walker formats one payload straight from its bytes into out.
type walker struct {
	p     []byte
	out   []byte
	numpy bool // msgpack-numpy decoding (Numpy mode)
	str   bool // str() of the top-level value instead of repr()
	// entries holds the entries of the maps being formatted, innermost
	// last.
	entries []entry
	// scratch and idx are reused by map post-processing.
	scratch []byte
	idx     []int32
}

// entry locates one map entry in the payload (key, value start, value end)
// and in the output (key text and its end, value text and its end; oval
// is -1 for a value not formatted yet).
type entry struct {
	key, val, end           int
	okey, okend, oval, oend int
}

// value formats the value at p[i] and returns the offset after it. depth
// counts the arrays and maps around it.
func (w *walker) value(i, depth int) (int, error) {
	h, err := readHead(w.p, i)
	if err != nil {
		return 0, err
	}
	switch h.kind {
	case kArray:
		return w.array(i, h, depth)
	case kMap:
		if depth >= maxDepth {
			return 0, tooDeep(i)
		}
		return w.mapValue(h, depth)
	case kStr:
		if depth == 0 && w.str {
			// print() shows a str as it is.
			w.out = append(w.out, w.p[h.body:h.end()]...)
			return h.end(), nil
		}
	}
	w.out = appendScalar(w.out, w.p, h)
	return h.end(), nil
}

// appendScalar formats a value that is not an array or a map.
func appendScalar(dst, p []byte, h head) []byte {
	switch h.kind {
	case kNil:
		return append(dst, "None"...)
	case kBool:
		if h.b {
			return append(dst, "True"...)
		}
		return append(dst, "False"...)
	case kInt:
		if h.unsigned {
			return strconv.AppendUint(dst, h.u, 10)
		}
		return strconv.AppendInt(dst, h.i, 10)
	case kFloat:
		return pyfloat.Append(dst, h.f)
	case kStr:
		return appendStr(dst, p[h.body:h.end()])
	case kBin:
		return appendBytes(dst, p[h.body:h.end()])
	case kExt:
		return appendExt(dst, h.ext, p[h.body:h.end()])
	}
	panic(fmt.Sprintf("pyrepr: appendScalar of kind %d", h.kind)) // unreachable: containers are handled by the walker
}

// array formats a msgpack array: a Python list.
func (w *walker) array(i int, h head, depth int) (int, error) {
	if depth >= maxDepth {
		return 0, tooDeep(i)
	}
	w.out = append(w.out, '[')
	pos := h.body
	var err error
	for k := range h.n {
		if k > 0 {
			w.out = append(w.out, ", "...)
		}
		if pos, err = w.value(pos, depth+1); err != nil {
			return 0, err
		}
	}
	w.out = append(w.out, ']')
	return pos, nil
}

// mapValue formats a msgpack map (header h) as the dict Python
// builds from it: entries in wire order, a repeated key shown once, at its
// first place, with the last value given for it. In Numpy mode a map that
// msgpack_numpy.decode takes for a numpy value is shown as that value, and
// at the top level Python Banyan's key fix applies (see finishMap).
func (w *walker) mapValue(h head, depth int) (int, error) {
	outStart := len(w.out)
	base := len(w.entries)
	w.out = append(w.out, '{')
	pos := h.body
	candidate := false // a bin key nd or complex: msgpack_numpy.decode looks at this map
	for k := range h.n {
		if k > 0 {
			w.out = append(w.out, ", "...)
		}
		kh, err := readHead(w.p, pos)
		if err != nil {
			return 0, err
		}
		field := -1
		if w.numpy && kh.kind == kBin {
			field = fieldIndex(w.p[kh.body:kh.end()])
			candidate = candidate || field == fND || field == fComplex
		}
		e := entry{key: pos, okey: len(w.out)}
		if pos, err = w.key(pos, kh); err != nil {
			return 0, err
		}
		e.okend = len(w.out)
		w.out = append(w.out, ": "...)
		e.val, e.oval = pos, len(w.out)
		if vh, ok := w.arrayBytes(pos, candidate && field == fData); ok {
			// The array's bytes: formatted only if the map stays a dict.
			pos, e.oval = vh.end(), -1
		} else if pos, err = w.value(pos, depth+1); err != nil {
			return 0, err
		}
		e.end, e.oend = pos, len(w.out)
		w.entries = append(w.entries, e)
	}
	w.out = append(w.out, '}')
	es := w.entries[base:]
	if !candidate || !w.numpyInstead(outStart, es, depth) {
		w.finishMap(es, w.numpy && depth == 0)
	}
	w.entries = w.entries[:base]
	return pos, nil
}

// arrayBytes reports whether, in a map that may be a numpy value (when
// data), the value at p[i] is a str or bin: an array's data, which is
// formatted only if the map stays a dict.
func (w *walker) arrayBytes(i int, data bool) (head, bool) {
	if !data {
		return head{}, false
	}
	h, err := readHead(w.p, i)
	return h, err == nil && (h.kind == kBin || h.kind == kStr)
}

// key formats a map key. str and bin keys are what Python accepts
// (strict_map_key); other scalars are shown as Python would with
// strict_map_key=False. Arrays and maps cannot be dict keys.
func (w *walker) key(i int, h head) (int, error) {
	if h.kind == kArray || h.kind == kMap {
		return 0, errUnhashable(i)
	}
	w.out = appendScalar(w.out, w.p, h)
	return h.end(), nil
}
