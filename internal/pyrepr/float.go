package pyrepr

import (
	"math"
	"strconv"
)

// AppendFloat appends repr(f) as CPython prints a float: the shortest
// digits that read back as f, in positional notation when 1e-4 <= |f| <
// 1e16 (with ".0" when the value is integral: 1.0, 9007199254740992.0),
// otherwise in exponent notation with a sign and at least two exponent
// digits (1e+16, 1e-05, 1.5e-07, 5e-324); inf, -inf, nan (never -nan)
// and -0.0.
func AppendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	var buf [32]byte
	d := shortest(buf[:0], f, 64)
	return appendPyStyle(dst, d, trimLeaveOneZero)
}

// decimal is a finite float as decimal digits: neg, then the digits
// d[0] d[1] ... (no leading zero unless the value is zero, no trailing
// zeros), the value being 0.d[0]d[1]... × 10^dp.
type decimal struct {
	neg    bool
	digits []byte
	dp     int
}

// shortest returns the shortest digits that identify f among floats of
// the given width (64, 32, or 16 for numpy's half precision), written into
// buf. Zero has the single digit "0".
func shortest(buf []byte, f float64, bits int) decimal {
	if bits == 16 {
		return shortestHalf(buf, f)
	}
	// strconv's 'e' form: [-]d[.ddd]e±dd.
	b := strconv.AppendFloat(buf, f, 'e', -1, bits)
	return parseE(b)
}

// rounded returns f correctly rounded (ties to even, from its exact
// binary value) to prec digits after the point, in positional form
// (fixed) or after the first digit (scientific).
func rounded(buf []byte, f float64, prec int, scientific bool) decimal {
	if scientific {
		return parseE(strconv.AppendFloat(buf, f, 'e', prec, 64))
	}
	return parseF(strconv.AppendFloat(buf, f, 'f', prec, 64))
}

// parseE reads strconv's [-]d[.ddd]e±dd form.
func parseE(b []byte) decimal {
	var d decimal
	if b[0] == '-' {
		d.neg = true
		b = b[1:]
	}
	e := 0
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == 'e' {
			e = atoiSigned(b[i+1:])
			b = b[:i]
			break
		}
	}
	// Remove the point: d.ddd -> dddd, in place.
	if len(b) > 1 && b[1] == '.' {
		copy(b[1:], b[2:])
		b = b[:len(b)-1]
	}
	d.digits, d.dp = trimZeros(b), e+1
	return d
}

// parseF reads strconv's [-]ddd.ddd form.
func parseF(b []byte) decimal {
	var d decimal
	if b[0] == '-' {
		d.neg = true
		b = b[1:]
	}
	point := len(b)
	for i, c := range b {
		if c == '.' {
			point = i
			copy(b[i:], b[i+1:])
			b = b[:len(b)-1]
			break
		}
	}
	// Drop leading zeros, moving the point.
	lead := 0
	for lead < len(b)-1 && b[lead] == '0' {
		lead++
	}
	b = b[lead:]
	d.digits, d.dp = trimZeros(b), point-lead
	if len(d.digits) == 1 && d.digits[0] == '0' {
		d.dp = 1
	}
	return d
}

// trimZeros drops trailing zeros, keeping at least one digit.
func trimZeros(b []byte) []byte {
	for len(b) > 1 && b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	return b
}

// isZero reports whether d is zero.
func (d decimal) isZero() bool { return len(d.digits) == 1 && d.digits[0] == '0' }

// exp10 is the decimal exponent of the first digit (d.ddd × 10^exp10).
func (d decimal) exp10() int { return d.dp - 1 }

// trim modes, as numpy's Dragon4 names them.
type trimMode uint8

const (
	trimKeep         trimMode = iota // 'k': keep trailing zeros and the point
	trimZerosKeepDot                 // '.': drop trailing zeros, keep the point
	trimLeaveOneZero                 // '0': drop trailing zeros but one: 1.0
	trimDotZeros                     // '-': drop trailing zeros and the point
)

// appendPyStyle lays out d as Python's repr(float) and numpy's scalar
// repr do: positional for -4 <= exponent < 16 with posTrim (LeaveOneZero
// gives 1.0), otherwise scientific with the point dropped when no digits
// follow it (1e+16).
func appendPyStyle(dst []byte, d decimal, posTrim trimMode) []byte {
	if d.neg {
		dst = append(dst, '-')
	}
	if e := d.exp10(); !d.isZero() && (e < -4 || e >= 16) {
		return appendScientific(dst, d, 0, trimDotZeros, 2)
	}
	return appendPositional(dst, d, 0, posTrim)
}

// appendPositional writes d (sign excluded) in positional notation with
// at least minFrac digits after the point (zeros appended), then trimmed.
func appendPositional(dst []byte, d decimal, minFrac int, trim trimMode) []byte {
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
	frac := 0
	dst = append(dst, '.')
	for i := dp; i < len(digits); i++ {
		if i < 0 {
			dst = append(dst, '0')
		} else {
			dst = append(dst, digits[i])
		}
		frac++
	}
	for ; frac < minFrac; frac++ {
		dst = append(dst, '0')
	}
	return trimFrac(dst, frac, trim)
}

// trimFrac applies a trim mode to a number just written, with frac
// digits after its point.
func trimFrac(dst []byte, frac int, trim trimMode) []byte {
	if trim == trimKeep {
		return dst
	}
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
		}
	}
	return dst
}

// appendScientific writes d (sign excluded) as d.ddde±XX with at least
// minFrac digits after the point and at least expDigits exponent digits.
func appendScientific(dst []byte, d decimal, minFrac int, trim trimMode, expDigits int) []byte {
	dst = append(dst, d.digits[0], '.')
	frac := 0
	for _, c := range d.digits[1:] {
		dst = append(dst, c)
		frac++
	}
	for ; frac < minFrac; frac++ {
		dst = append(dst, '0')
	}
	dst = trimFrac(dst, frac, trim)
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
	for i := len(es); i < expDigits; i++ {
		dst = append(dst, '0')
	}
	return append(dst, es...)
}

// atoiSigned reads strconv's exponent: a sign and decimal digits.
func atoiSigned(b []byte) int {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	if neg {
		return -n
	}
	return n
}
