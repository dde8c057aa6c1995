package pyrepr

import (
	"math"
	"strconv"
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
func digitsFor(buf []byte, x float64, bits, precision, minDigits int, scientific bool) decimal {
	d := shortest(buf, x, bits)
	frac := len(d.digits) - 1
	if !scientific {
		frac = len(d.digits) - d.dp
		if d.isZero() {
			frac = 0
		}
		frac = max(frac, 0)
	}
	switch {
	case precision >= 0 && frac > precision:
		return rounded(buf[:0], x, precision, scientific)
	case minDigits > frac:
		return rounded(buf[:0], x, minDigits, scientific)
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
	digits, dp := d.digits, d.dp
	if d.isZero() {
		dp = 1
	}
	if dp <= 0 {
		dst = append(dst, '0')
	} else {
		for i := range dp {
			if i < len(digits) {
				dst = append(dst, digits[i])
			} else {
				dst = append(dst, '0')
			}
		}
	}
	whole := len(dst) - start
	dst = append(dst, '.')
	frac := 0
	if !d.isZero() {
		for i := dp; i < len(digits); i++ {
			if i < 0 {
				dst = append(dst, '0')
			} else {
				dst = append(dst, digits[i])
			}
			frac++
		}
	}
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
	dst = append(dst, d.digits[0])
	whole := len(dst) - start
	dst = append(dst, '.')
	frac := 0
	for _, c := range d.digits[1:] {
		dst = append(dst, c)
		frac++
	}
	dst, _ = finishFrac(dst, frac, precision, trim)
	e := d.exp10()
	if d.isZero() {
		e = 0
	}
	dst = append(dst, 'e')
	if e < 0 {
		dst = append(dst, '-')
		e = -e
	} else {
		dst = append(dst, '+')
	}
	var eb [8]byte
	es := strconv.AppendInt(eb[:0], int64(e), 10)
	for i := len(es); i < max(expDigits, 2); i++ {
		dst = append(dst, '0')
	}
	dst = append(dst, es...)
	return padLeftTo(dst, start, whole, padLeft)
}

// appendScalarFloat formats a numpy float scalar (or a Python float, with
// bits 64) as its repr: positional with at least one fractional digit
// for 1e-4 <= |x| < 1e16 and zero, scientific otherwise; with dotZeros
// (the parts of a complex repr) integral values lose their ".0". plus
// puts '+' before non-negative values and nan.
func appendScalarFloat(dst []byte, x float64, bits int, dotZeros, plus bool) []byte {
	switch {
	case math.IsNaN(x):
		if plus {
			dst = append(dst, '+')
		}
		return append(dst, "nan"...)
	case math.IsInf(x, 0):
		dst = appendSign(dst, x < 0, plus)
		return append(dst, "inf"...)
	}
	var buf [32]byte
	d := shortest(buf[:0], math.Abs(x), bits)
	d.neg = math.Signbit(x)
	if plus && !d.neg {
		dst = append(dst, '+')
	}
	pos := trimLeaveOneZero
	if dotZeros {
		pos = trimDotZeros
	}
	return appendPyStyle(dst, d, pos)
}

// appendComplex formats a complex number as Python's repr(complex) and
// numpy's complex scalar repr do: "1j" when the real part is +0,
// otherwise "(re+imj)" with integral parts shown without ".0".
func appendComplex(dst []byte, re, im float64, bits int) []byte {
	if re == 0 && !math.Signbit(re) {
		dst = appendScalarFloat(dst, im, bits, true, false)
		return append(dst, 'j')
	}
	dst = append(dst, '(')
	dst = appendScalarFloat(dst, re, bits, true, false)
	dst = appendScalarFloat(dst, im, bits, true, true)
	return append(dst, 'j', ')')
}
