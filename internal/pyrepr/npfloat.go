package pyrepr

import (
	"bytes"
	"math"
)

// floatFormat is numpy's FloatingFormat with the default print options
// (precision 8, floatmode 'maxprec', suppress False, sign '-'; for the
// imaginary parts of complex arrays sign '+'): one layout for every
// element shown, chosen from all of them.
type floatFormat struct {
	bits      int
	plus      bool
	exp       bool
	precision int
	minDigits int
	trim      trimMode
	padLeft   int
	padRight  int
	expSize   int
}

// numpyPrecision is numpy's default print precision.
const numpyPrecision = 8

// newFloatFormat chooses the layout for the values shown (vals, of the
// given width), as FloatingFormat.fillFormat does.
func newFloatFormat(vals []float64, bits int, plus bool) floatFormat {
	f := floatFormat{bits: bits, plus: plus, precision: numpyPrecision, minDigits: -1, trim: trimZerosKeepDot, expSize: -1}
	var maxV, minV float64
	nonZero, finite, nonFinite, negInf := false, 0, false, false
	for _, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			nonFinite = true
			negInf = negInf || math.IsInf(v, -1)
			continue
		}
		finite++
		if v == 0 {
			continue
		}
		a := math.Abs(v)
		if !nonZero || a > maxV {
			maxV = a
		}
		if !nonZero || a < minV {
			minV = a
		}
		nonZero = true
	}
	if nonZero && (maxV >= 1e8 || minV < 1e-4 || ratio(maxV, minV, bits) > 1000) {
		f.exp = true
	}
	var buf [64]byte
	switch {
	case finite == 0:
		f.padLeft, f.padRight = 0, 0
	case f.exp:
		expLen, fracLen, intLen := 0, 0, 0
		for _, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			s := appendScientificNP(buf[:0], v, bits, f.precision, -1, trimZerosKeepDot, plus, 0, -1)
			e := bytes.IndexByte(s, 'e')
			dot := bytes.IndexByte(s, '.')
			expLen = max(expLen, len(s)-e-1)
			fracLen = max(fracLen, e-dot-1)
			intLen = max(intLen, dot)
		}
		f.expSize = expLen - 1
		f.trim = trimKeep
		f.precision, f.minDigits = fracLen, fracLen
		f.padLeft = intLen
		f.padRight = f.expSize + 2 + f.precision
	default:
		fracLen, intLen := 0, 0
		for _, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			s := appendPositionalNP(buf[:0], v, bits, f.precision, -1, trimZerosKeepDot, plus, 0, 0)
			dot := bytes.IndexByte(s, '.')
			fracLen = max(fracLen, len(s)-dot-1)
			intLen = max(intLen, dot)
		}
		f.padLeft, f.padRight = intLen, fracLen
		f.minDigits = 0
	}
	if nonFinite {
		inf := 3
		if plus || negInf {
			inf++
		}
		offset := f.padRight + 1
		f.padLeft = max(f.padLeft, 3-offset, inf-offset)
	}
	return f
}

// ratio is max/min computed in the array's float type, as numpy does
// (float16 through float32, rounded back to half precision).
func ratio(maxV, minV float64, bits int) float64 {
	switch bits {
	case 32:
		return float64(float32(maxV) / float32(minV))
	case 16:
		return roundHalf(float64(float32(maxV) / float32(minV)))
	}
	return maxV / minV
}

// append formats one element.
func (f *floatFormat) append(dst []byte, x float64) []byte {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		var ret []byte
		var rb [4]byte
		switch {
		case math.IsNaN(x):
			ret = appendSign(rb[:0], false, f.plus)
			ret = append(ret, "nan"...)
		default:
			ret = appendSign(rb[:0], x < 0, f.plus)
			ret = append(ret, "inf"...)
		}
		for range f.padLeft + f.padRight + 1 - len(ret) {
			dst = append(dst, ' ')
		}
		return append(dst, ret...)
	}
	if f.exp {
		return appendScientificNP(dst, x, f.bits, f.precision, f.minDigits, f.trim, f.plus, f.padLeft, f.expSize)
	}
	return appendPositionalNP(dst, x, f.bits, f.precision, f.minDigits, f.trim, f.plus, f.padLeft, f.padRight)
}

// roundHalf rounds v to the nearest half-precision value (ties to even),
// overflowing to infinity.
func roundHalf(v float64) float64 {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v) || a == 0:
		return v
	case a >= 65520: // halfway between 65504 and 2**16 rounds up, to inf
		return math.Copysign(math.Inf(1), v)
	}
	_, e := math.Frexp(a) // a = m × 2**e, 0.5 <= m < 1
	q := max(e-11, -24)   // 11 significant bits; subnormals step 2**-24
	return math.Copysign(math.Ldexp(math.RoundToEven(math.Ldexp(a, -q)), q), v)
}
