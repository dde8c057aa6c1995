package pyrepr

import (
	"strconv"
	"unicode/utf8"

	"github.com/gobanyan/banyan/internal/pyfloat"
	"github.com/gobanyan/banyan/ndarray"
)

// numpy's default print options (np.get_printoptions()).
const (
	npLineWidth = 75
	npThreshold = 1000 // more elements than this are summarised
	npEdgeItems = 3    // shown at each end of a summarised axis
)

// arrayFormat holds one array being formatted as numpy's array2string
// does.
type arrayFormat struct {
	t       elemType
	data    []byte
	shape   []int
	strides []int // in elements, C order
	summary bool
	sep     string
	zeroD   bool
	// element layouts, chosen from the elements shown
	intWidth int
	re, im   floatFormat
	word     []byte
}

// AppendArray appends numpy 1.24's repr() of a, as np.array_repr prints
// it with the default print options (array([1, 2, 3], dtype=int16)). ok
// is false, and nothing is appended, for dtypes this package does not
// format (structured, datetime64, timedelta64, void, long double).
func AppendArray(dst []byte, a *ndarray.Array) (out []byte, ok bool) {
	return appendArray(dst, a, false)
}

// appendArray appends numpy 1.24's repr() of a (with str, its str()), as
// np.array_repr and np.array_str print it with the default print options.
// ok is false, and nothing is appended, for dtypes this package does not
// format.
func appendArray(dst []byte, a *ndarray.Array, str bool) ([]byte, bool) {
	t, ok := elemTypeOf(a.DType())
	if !ok {
		return dst, false
	}
	f := &arrayFormat{t: t, data: a.Data(), shape: a.Shape(), sep: ", "}
	size := a.Len()
	f.zeroD = len(f.shape) == 0
	f.strides = make([]int, len(f.shape))
	stride := 1
	for i := len(f.shape) - 1; i >= 0; i-- {
		f.strides[i] = stride
		stride *= f.shape[i]
	}
	f.summary = size > npThreshold
	if size > 0 && !f.prepare() {
		return dst, false
	}
	if str {
		switch {
		case f.zeroD:
			return appendScalarElem(dst, t, f.data, true), true
		case size == 0:
			return append(dst, "[]"...), true
		}
		f.sep = " "
		return f.rec(dst, 0, 0, 1, npLineWidth), true
	}
	start := len(dst)
	skipDType := t.implied && size > 0
	dst = append(dst, "array("...)
	switch {
	case size > 0:
		dst = f.rec(dst, 0, 0, 1+len("array("), npLineWidth-1)
	case len(f.shape) == 1:
		dst = append(dst, "[]"...)
	default:
		dst = append(dst, "[], shape="...)
		dst = appendShape(dst, f.shape)
	}
	if skipDType {
		return append(dst, ')'), true
	}
	dst = append(dst, ',')
	last := lastLineLen(dst[start:])
	dtype := len("dtype=") + len(t.name) + len(")")
	if last+dtype+1 > npLineWidth {
		dst = append(dst, '\n')
		dst = appendSpaces(dst, len("array("))
	} else {
		dst = append(dst, ' ')
	}
	dst = append(dst, "dtype="...)
	dst = append(dst, t.name...)
	return append(dst, ')'), true
}

// appendShape writes a shape as a Python tuple: (2, 0), (0,).
func appendShape(dst []byte, shape []int) []byte {
	dst = append(dst, '(')
	for i, s := range shape {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = strconv.AppendInt(dst, int64(s), 10)
	}
	if len(shape) == 1 {
		dst = append(dst, ',')
	}
	return append(dst, ')')
}

// lastLineLen counts the characters after the last newline.
func lastLineLen(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '\n' {
			return utf8.RuneCount(b[i+1:])
		}
	}
	return utf8.RuneCount(b)
}

func appendSpaces(dst []byte, n int) []byte {
	for range n {
		dst = append(dst, ' ')
	}
	return dst
}

// shown calls fn with the flat index of every element shown: all of
// them, or for a summarised array the first and last npEdgeItems along
// each axis longer than twice that.
func (f *arrayFormat) shown(fn func(k int)) {
	var rec func(axis, off int)
	rec = func(axis, off int) {
		if axis == len(f.shape) {
			fn(off)
			return
		}
		n, s := f.shape[axis], f.strides[axis]
		if f.summary && n > 2*npEdgeItems {
			for i := range npEdgeItems {
				rec(axis+1, off+i*s)
			}
			for i := n - npEdgeItems; i < n; i++ {
				rec(axis+1, off+i*s)
			}
			return
		}
		for i := range n {
			rec(axis+1, off+i*s)
		}
	}
	rec(0, 0)
}

// elem returns the bytes of element k.
func (f *arrayFormat) elem(k int) []byte { return f.data[k*f.t.size : (k+1)*f.t.size] }

// prepare chooses the element layout from the elements shown, as numpy's
// IntegerFormat, FloatingFormat and ComplexFloatingFormat do; it reports
// false for U arrays holding values that are not code points.
func (f *arrayFormat) prepare() bool {
	t := f.t
	switch t.kind {
	case 'i', 'u':
		var minI, maxI int64
		var minU, maxU uint64
		first := true
		f.shown(func(k int) {
			if t.kind == 'u' {
				v := t.uintAt(f.elem(k))
				if first || v < minU {
					minU = v
				}
				if first || v > maxU {
					maxU = v
				}
			} else {
				v := t.intAt(f.elem(k))
				if first || v < minI {
					minI = v
				}
				if first || v > maxI {
					maxI = v
				}
			}
			first = false
		})
		var b [24]byte
		if t.kind == 'u' {
			f.intWidth = max(len(strconv.AppendUint(b[:0], maxU, 10)), len(strconv.AppendUint(b[:0], minU, 10)))
		} else {
			f.intWidth = max(len(strconv.AppendInt(b[:0], maxI, 10)), len(strconv.AppendInt(b[:0], minI, 10)))
		}
	case 'f', 'c':
		var re, im []float64
		half := t.size
		if t.kind == 'c' {
			half /= 2
		}
		f.shown(func(k int) {
			e := f.elem(k)
			re = append(re, t.floatAt(e, half))
			if t.kind == 'c' {
				im = append(im, t.floatAt(e[half:], half))
			}
		})
		f.re = newFloatFormat(re, t.floatBits(), false)
		if t.kind == 'c' {
			f.im = newFloatFormat(im, t.floatBits(), true)
		}
	case 'U':
		ok := true
		f.shown(func(k int) { ok = ok && t.codePoints(f.elem(k), nil) })
		return ok
	}
	return true
}

// appendElem formats element k as the array's format function does.
func (f *arrayFormat) appendElem(dst []byte, k int) []byte {
	t, e := f.t, f.elem(k)
	switch t.kind {
	case 'b':
		switch {
		case e[0] == 0:
			return append(dst, "False"...)
		case f.zeroD:
			return append(dst, "True"...)
		}
		return append(dst, " True"...)
	case 'i', 'u':
		var b [24]byte
		var s []byte
		if t.kind == 'u' {
			s = strconv.AppendUint(b[:0], t.uintAt(e), 10)
		} else {
			s = strconv.AppendInt(b[:0], t.intAt(e), 10)
		}
		dst = appendSpaces(dst, f.intWidth-len(s))
		return append(dst, s...)
	case 'f':
		return f.re.append(dst, t.floatAt(e, t.size))
	case 'c':
		half := t.size / 2
		dst = f.re.append(dst, t.floatAt(e, half))
		start := len(dst)
		dst = f.im.append(dst, t.floatAt(e[half:], half))
		// The 'j' goes before the imaginary part's trailing spaces.
		end := len(dst)
		for end > start && dst[end-1] == ' ' {
			end--
		}
		spaces := len(dst) - end
		dst = append(dst[:end], 'j')
		return appendSpaces(dst, spaces)
	case 'S':
		return appendBytes(dst, stripNULs(e))
	}
	return t.appendUnicode(dst, e, false)
}

// rec is numpy's _formatArray recursion: the subarray at flat offset off
// along axis, with hanging the width of the indent of its wrapped lines
// and width the line width left for it.
func (f *arrayFormat) rec(dst []byte, off, axis, hanging, width int) []byte {
	if axis == len(f.shape) {
		return f.appendElem(dst, off)
	}
	n, stride := f.shape[axis], f.strides[axis]
	summary := f.summary && 2*npEdgeItems < n
	// items lists the indexes shown; -1 stands for the "..." summary.
	next := func(i int) int { // the index after i, or n at the end
		if summary && i == npEdgeItems-1 {
			return -1
		}
		if i == -1 {
			return n - npEdgeItems
		}
		return i + 1
	}
	dst = append(dst, '[')
	sepTrim := trimSpaceRight(f.sep)
	if axis == len(f.shape)-1 {
		elemWidth := width - max(len(sepTrim), len("]"))
		lineLen := hanging // numpy's line starts with the hanging indent
		for i := 0; i != n; {
			f.word = f.word[:0]
			if i == -1 {
				f.word = append(f.word, "..."...)
			} else {
				f.word = f.appendElem(f.word, off+i*stride)
			}
			wl := utf8.RuneCount(f.word)
			if lineLen+wl > elemWidth && lineLen > hanging {
				for dst[len(dst)-1] == ' ' {
					dst = dst[:len(dst)-1]
				}
				dst = append(dst, '\n')
				dst = appendSpaces(dst, hanging)
				lineLen = hanging
			}
			dst = append(dst, f.word...)
			lineLen += wl
			if i = next(i); i != n {
				dst = append(dst, f.sep...)
				lineLen += len(f.sep)
			}
		}
		return append(dst, ']')
	}
	newlines := len(f.shape) - axis - 1
	for i := 0; i != n; {
		if i == -1 {
			dst = append(dst, "..."...)
		} else {
			dst = f.rec(dst, off+i*stride, axis+1, hanging+1, width-1)
		}
		if i = next(i); i != n {
			dst = append(dst, sepTrim...)
			for range newlines {
				dst = append(dst, '\n')
			}
			dst = appendSpaces(dst, hanging)
		}
	}
	return append(dst, ']')
}

func trimSpaceRight(s string) string {
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}

// appendScalarElem formats one element as numpy 1.24 prints the numpy
// scalar holding it: repr(), or with str the str() (which differs for
// unicode only).
func appendScalarElem(dst []byte, t elemType, e []byte, str bool) []byte {
	switch t.kind {
	case 'b':
		if e[0] != 0 {
			return append(dst, "True"...)
		}
		return append(dst, "False"...)
	case 'i':
		return strconv.AppendInt(dst, t.intAt(e), 10)
	case 'u':
		return strconv.AppendUint(dst, t.uintAt(e), 10)
	case 'f':
		return pyfloat.AppendScalar(dst, t.floatAt(e, t.size), 8*t.size)
	case 'c':
		half := t.size / 2
		return pyfloat.AppendComplex(dst, t.floatAt(e, half), t.floatAt(e[half:], half), 8*half)
	case 'S':
		return appendBytes(dst, stripNULs(e))
	}
	return t.appendUnicode(dst, e, str)
}

// appendNPScalar appends numpy 1.24's repr() (or str()) of a numpy scalar
// as msgpack-numpy decodes it; ok is false for dtypes this package does
// not format.
func appendNPScalar(dst []byte, s ndarray.Scalar, str bool) ([]byte, bool) {
	t, ok := elemTypeOf(s.DType())
	if !ok || t.kind == 'U' && !t.codePoints(s.Data(), nil) {
		return dst, false
	}
	return appendScalarElem(dst, t, s.Data(), str), true
}
