// Package pyfloat writes floats as Python prints them: repr(float),
// repr(complex), and numpy's scalar repr of float16/32/64 and complex
// values. It is the one copy of that logic: package pyrepr (Python repr,
// numpy arrays), msgjson (Style PythonDumps) and ndarray (FormatComplex)
// call it. It imports nothing of this module, so every package can.
package pyfloat

import (
	"math"
	"strconv"
)

// Append appends repr(f) as CPython prints a float: the shortest digits
// that read back as f, in positional notation when 1e-4 <= |f| < 1e16
// (with ".0" when the value is integral: 1.0, 9007199254740992.0),
// otherwise in exponent notation with a sign and at least two exponent
// digits (1e+16, 1e-05, 1.5e-07, 5e-324); inf, -inf, nan (never -nan)
// and -0.0. json.dumps writes finite floats the same way.
func Append(dst []byte, f float64) []byte {
	return AppendScalar(dst, f, 64)
}

// AppendScalar appends the repr of a numpy float scalar of the given
// width (64, 32 or 16 bits; f already widened): Append's layout with the
// shortest digits that identify f at that width (np.float32(0.1) is
// 0.1). With bits 64 it is repr(float).
func AppendScalar(dst []byte, f float64, bits int) []byte {
	return appendFloat(dst, f, bits, false, false)
}

// AppendComplex appends repr(complex(re, im)) as Python prints it, and
// numpy's repr of a complex scalar whose parts are floats of the given
// width (64, 32 or 16 bits): "1j" when the real part is +0, otherwise
// "(re+imj)", integral parts without ".0": (1+2j), (-0-0j), (nan+infj),
// (1e+16+1000000000000000j).
func AppendComplex(dst []byte, re, im float64, bits int) []byte {
	if re == 0 && !math.Signbit(re) {
		dst = appendFloat(dst, im, bits, true, false)
		return append(dst, 'j')
	}
	dst = append(dst, '(')
	dst = appendFloat(dst, re, bits, true, false)
	dst = appendFloat(dst, im, bits, true, true)
	return append(dst, 'j', ')')
}

// appendFloat lays x out as Python's repr: positional for 1e-4 <= |x| <
// 1e16 and zero, scientific otherwise; with noDotZero (the parts of a
// complex repr) integral values lose their ".0". plus puts '+' before
// non-negative values and nan.
func appendFloat(dst []byte, x float64, bits int, noDotZero, plus bool) []byte {
	switch {
	case math.IsNaN(x):
		if plus {
			dst = append(dst, '+')
		}
		return append(dst, "nan"...)
	case math.Signbit(x):
		dst = append(dst, '-')
	case plus:
		dst = append(dst, '+')
	}
	if math.IsInf(x, 0) {
		return append(dst, "inf"...)
	}
	var buf [32]byte
	d := Shortest(buf[:0], math.Abs(x), bits)
	if e := d.Exp10(); !d.IsZero() && (e < -4 || e >= 16) {
		dst, frac := AppendMantissa(dst, d)
		if frac == 0 {
			dst = dst[:len(dst)-1] // 1e+16, not 1.e+16
		}
		return AppendExponent(dst, e, 2)
	}
	dst, frac := AppendPositional(dst, d)
	if frac == 0 {
		if noDotZero {
			return dst[:len(dst)-1]
		}
		dst = append(dst, '0')
	}
	return dst
}

// Decimal is a finite float as decimal digits: Neg, then the digits
// Digits[0] Digits[1] ... (no leading zero unless the value is zero, no
// trailing zeros), the value being 0.Digits × 10^DP.
type Decimal struct {
	Neg    bool
	Digits []byte
	DP     int
}

// IsZero reports whether d is zero.
func (d Decimal) IsZero() bool { return len(d.Digits) == 1 && d.Digits[0] == '0' }

// Exp10 is the decimal exponent of the first digit (d.ddd × 10^Exp10).
func (d Decimal) Exp10() int { return d.DP - 1 }

// Shortest returns the shortest digits that identify f among floats of
// the given width (64, 32, or 16 for numpy's half precision), written into
// buf. Zero has the single digit "0".
func Shortest(buf []byte, f float64, bits int) Decimal {
	if bits == 16 {
		return shortestHalf(buf, f)
	}
	// strconv's 'e' form: [-]d[.ddd]e±dd.
	return parseE(strconv.AppendFloat(buf, f, 'e', -1, bits))
}

// Rounded returns f correctly rounded (ties to even, from its exact
// binary value) to prec digits after the point, in positional form
// (fixed) or after the first digit (scientific).
func Rounded(buf []byte, f float64, prec int, scientific bool) Decimal {
	if scientific {
		return parseE(strconv.AppendFloat(buf, f, 'e', prec, 64))
	}
	return parseF(strconv.AppendFloat(buf, f, 'f', prec, 64))
}

// AppendPositional writes d (sign excluded) in positional notation, its
// digits only: "123.", "0.00123", "1.5", "0.", and returns how many digits
// follow the point.
func AppendPositional(dst []byte, d Decimal) ([]byte, int) {
	digits, dp := d.Digits, d.DP
	if d.IsZero() {
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
	dst = append(dst, '.')
	frac := 0
	for i := dp; i < len(digits); i++ {
		if i < 0 {
			dst = append(dst, '0')
		} else {
			dst = append(dst, digits[i])
		}
		frac++
	}
	return dst, frac
}

// AppendMantissa writes d's digits (sign excluded) as a scientific
// mantissa, "d." then the other digits, and returns how many follow the
// point.
func AppendMantissa(dst []byte, d Decimal) ([]byte, int) {
	dst = append(dst, d.Digits[0], '.')
	return append(dst, d.Digits[1:]...), len(d.Digits) - 1
}

// AppendExponent writes the exponent e as "e+05", "e-300": a sign and at
// least minDigits digits.
func AppendExponent(dst []byte, e, minDigits int) []byte {
	dst = append(dst, 'e')
	if e < 0 {
		dst = append(dst, '-')
		e = -e
	} else {
		dst = append(dst, '+')
	}
	var eb [8]byte
	es := strconv.AppendInt(eb[:0], int64(e), 10)
	for i := len(es); i < minDigits; i++ {
		dst = append(dst, '0')
	}
	return append(dst, es...)
}

// parseE reads strconv's [-]d[.ddd]e±dd form.
func parseE(b []byte) Decimal {
	var d Decimal
	if b[0] == '-' {
		d.Neg = true
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
	d.Digits, d.DP = trimZeros(b), e+1
	return d
}

// parseF reads strconv's [-]ddd.ddd form.
func parseF(b []byte) Decimal {
	var d Decimal
	if b[0] == '-' {
		d.Neg = true
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
	d.Digits, d.DP = trimZeros(b), point-lead
	if d.IsZero() {
		d.DP = 1
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
