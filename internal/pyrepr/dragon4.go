package pyrepr

import (
	"math"

	"github.com/gobanyan/banyan/internal/pyfloat"
)

// The functions here reproduce numpy's Dragon4 float printing
// (format_float_positional and format_float_scientific with unique=True)
// for the float widths numpy arrays and scalars carry: 64, 32 and 16 bits.

// digitsFor returns the digits numpy's Dragon4 prints for |x| with
// unique=True: the shortest digits that identify x at its width, unless
// they need more than precision digits after the point (precision < 0:
// no limit), in which case x is rounded there, or fewer than minDigits, in
// which case x's exact digits are rounded at minDigits (not zero-padded).
// scientific counts digits after the first one instead of after the
// point.
func digitsFor(buf []byte, x float64, bits, precision, minDigits int, scientific bool) pyfloat.Decimal {
	d := pyfloat.Shortest(buf, x, bits)
	frac := len(d.Digits) - 1
	if !scientific {
		frac = len(d.Digits) - d.DP
		if d.IsZero() {
			frac = 0
		}
		frac = max(frac, 0)
	}
	switch {
	case precision >= 0 && frac > precision:
		return pyfloat.Rounded(buf[:0], x, precision, scientific)
	case minDigits > frac:
		return pyfloat.Rounded(buf[:0], x, minDigits, scientific)
	}
	return d
}

// appendSign writes numpy's sign: '-' for a set sign bit, '+' for the
// rest when plus.
func appendSign(dst []byte, neg, plus bool) []byte {
	switch {
	case neg:
		return append(dst, '-')
	case plus:
		return append(dst, '+')
	}
	return dst
}

// finishFrac applies numpy's trailing rules to a number just written
// with frac digits after its point: trimKeep pads zeros to precision;
// the other modes drop trailing zeros (and, for trimDotZeros, a bare
// point; trimLeaveOneZero leaves "1.0").
func finishFrac(dst []byte, frac, precision int, trim trimMode) ([]byte, int) {
	switch trim {
	case trimLeaveOneZero:
		if frac == 0 {
			dst = append(dst, '0')
			frac++
		}
	case trimKeep:
		for ; frac < precision; frac++ {
			dst = append(dst, '0')
		}
		return dst, frac
	}
	if frac > 0 {
		for frac > 0 && dst[len(dst)-1] == '0' {
			dst = dst[:len(dst)-1]
			frac--
		}
		if frac == 0 {
			switch trim {
			case trimDotZeros:
				dst = dst[:len(dst)-1]
			case trimLeaveOneZero:
				dst = append(dst, '0')
				frac++
			}
		}
	} else if trim == trimDotZeros {
		dst = dst[:len(dst)-1]
	}
	return dst, frac
}

// padLeftTo inserts spaces at dst[start:] so that the text from start
// before its point (written as width characters) is right-aligned in pad.
func padLeftTo(dst []byte, start, width, pad int) []byte {
	if pad <= width {
		return dst
	}
	n := pad - width
	dst = append(dst, make([]byte, n)...)
	copy(dst[start+n:], dst[start:len(dst)-n])
	for i := range n {
		dst[start+i] = ' '
	}
	return dst
}

// appendPositionalNP is numpy's dragon4_positional(x, precision,
// min_digits, unique=True, fractional=True, trim, sign, pad_left,
// pad_right) for a finite x.
func appendPositionalNP(dst []byte, x float64, bits, precision, minDigits int, trim trimMode, plus bool, padLeft, padRight int) []byte {
	var buf [64]byte
	d := digitsFor(buf[:0], math.Abs(x), bits, precision, minDigits, false)
	start := len(dst)
	dst = appendSign(dst, math.Signbit(x), plus)
	dst, frac := pyfloat.AppendPositional(dst, d)
	whole := len(dst) - start - frac - 1
	dst, frac = finishFrac(dst, frac, precision, trim)
	for ; frac < padRight; frac++ {
		dst = append(dst, ' ')
	}
	return padLeftTo(dst, start, whole, padLeft)
}

// appendScientificNP is numpy's dragon4_scientific(x, precision,
// min_digits, unique=True, trim, sign, pad_left, exp_digits) for a
// finite x.
func appendScientificNP(dst []byte, x float64, bits, precision, minDigits int, trim trimMode, plus bool, padLeft, expDigits int) []byte {
	var buf [64]byte
	d := digitsFor(buf[:0], math.Abs(x), bits, precision, minDigits, true)
	start := len(dst)
	dst = appendSign(dst, math.Signbit(x), plus)
	dst, frac := pyfloat.AppendMantissa(dst, d)
	whole := len(dst) - start - frac - 1
	dst, _ = finishFrac(dst, frac, precision, trim)
	e := d.Exp10()
	if d.IsZero() {
		e = 0
	}
	dst = pyfloat.AppendExponent(dst, e, max(expDigits, 2))
	return padLeftTo(dst, start, whole, padLeft)
}
