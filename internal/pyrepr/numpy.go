package pyrepr

import (
	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/pyfloat"
	"github.com/gobanyan/banyan/ndarray"
)

// The fields of a msgpack-numpy map, by index.
const (
	fND = iota
	fType
	fKind
	fShape
	fData
	fComplex
	nFields
)

// fieldIndex maps a bin key to its field, or -1.
func fieldIndex(k []byte) int {
	switch string(k) { // no allocation: the compiler switches on the bytes
	case "nd":
		return fND
	case "type":
		return fType
	case "kind":
		return fKind
	case "shape":
		return fShape
	case "data":
		return fData
	case "complex":
		return fComplex
	}
	return -1
}

// numpyInstead replaces the map just formatted from out[outStart:] by
// the numpy value msgpack_numpy.decode makes of it (an array, a numpy
// scalar or a complex), and reports whether it did. It does not when
// decode leaves the map a dict (a missing key: Python's KeyError
// fallback), when the map does not give a valid value (Python would
// raise, or unpickle an object array), or for dtypes this package does
// not format.
func (w *walker) numpyInstead(outStart int, es []entry, depth int) bool {
	m := make(map[string]any, nFields)
	for _, e := range es {
		kh, _ := readHead(w.p, e.key)
		if kh.kind != kBin {
			continue
		}
		i := fieldIndex(w.p[kh.body:kh.end()])
		if i < 0 {
			continue
		}
		raw := w.p[e.val:e.end]
		if vh, _ := readHead(w.p, e.val); i == fData && vh.kind == kBin {
			m[fieldName(i)] = w.p[vh.body:vh.end()] // aliases the payload
			continue
		}
		v, err := banyan.DecodeValue(raw)
		if err != nil {
			return false // an ext value or bad UTF-8 in it: no numpy value
		}
		m[fieldName(i)] = v // the last of a repeated key wins, as in the dict
	}
	v, matched, err := ndarray.FromMap(m)
	if !matched || err != nil {
		return false
	}
	out, ok := appendNumpy(w.out[:outStart], v, depth == 0 && w.str)
	if ok {
		w.out = out
	}
	return ok
}

// appendNumpy formats what numpyValue returned; done is false when the
// dtype is not one this package formats.
func appendNumpy(dst []byte, v any, str bool) ([]byte, bool) {
	switch v := v.(type) {
	case *ndarray.Array:
		return appendArray(dst, v, str)
	case ndarray.Scalar:
		return appendNPScalar(dst, v, str)
	case complex128:
		return pyfloat.AppendComplex(dst, real(v), imag(v), 64), true
	}
	return dst, false
}

// fieldName is the key of field i.
func fieldName(i int) string {
	return [nFields]string{"nd", "type", "kind", "shape", "data", "complex"}[i]
}
