package msgjson

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Writing JSON scalars as Python's json.dumps writes them with its
// defaults (Style PythonDumps).

// appendPyString appends s as json.dumps does with ensure_ascii=True:
// printable ASCII as it is, the usual short escapes, everything else as
// \uXXXX (UTF-16 surrogate pairs above U+FFFF). A byte that is not part of
// valid UTF-8 (only bin keys hold them) is written as \ufffd.
func appendPyString(dst, s []byte) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch e := shortEscape(c); {
			case e != 0:
				dst = append(dst, '\\', e)
			case c < 0x20 || c == 0x7f:
				dst = appendU(dst, rune(c))
			default:
				dst = append(dst, c)
			}
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		i += size
		if r > 0xffff {
			r1, r2 := utf16.EncodeRune(r)
			dst = appendU(appendU(dst, r1), r2)
		} else {
			dst = appendU(dst, r)
		}
	}
	return append(dst, '"')
}

// appendU appends the escape \uXXXX of r (at most U+FFFF).
func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// appendPyFloat appends a finite f as Python's repr (and so json.dumps)
// writes it: the shortest digits that read back to it, in fixed notation
// when the decimal exponent is in [-4, 16), else in exponent notation with
// at least two exponent digits; an integral value in fixed notation keeps
// ".0".
func appendPyFloat(dst []byte, f float64) []byte {
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // [-]d[.ddd]e±XX
	if e[0] == '-' {
		dst = append(dst, '-')
		e = e[1:]
	}
	at := len(e) - 1
	for e[at] != 'e' {
		at--
	}
	mant, exps := e[:at], e[at+1:]
	exp := 0
	for _, d := range exps[1:] {
		exp = exp*10 + int(d-'0')
	}
	if exps[0] == '-' {
		exp = -exp
	}
	var digitBuf [24]byte
	digits := append(digitBuf[:0], mant[0])
	if len(mant) > 1 {
		digits = append(digits, mant[2:]...) // after the '.'
	}
	if exp < -4 || exp >= 16 {
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	point := exp + 1 // digits before the decimal point
	switch {
	case point <= 0:
		dst = append(dst, '0', '.')
		for range -point {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	case point < len(digits):
		dst = append(dst, digits[:point]...)
		dst = append(dst, '.')
		return append(dst, digits[point:]...)
	}
	dst = append(dst, digits...)
	for range point - len(digits) {
		dst = append(dst, '0')
	}
	return append(dst, '.', '0')
}
