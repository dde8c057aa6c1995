package msgjson

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// Writing JSON scalars as encoding/json writes them (with SetEscapeHTML
// false), so that AppendJSON's text is byte for byte that of
// json.Marshal on the values banyan.DecodeValue returns.

// hexDigits are encoding/json's, lower case.
const hexDigits = "0123456789abcdef"

// shortEscape returns the letter after the backslash for an ASCII byte
// that JSON writes as a backslash and a letter (in encoding/json's text
// and in Python's json.dumps'), or 0.
func shortEscape(b byte) byte {
	switch b {
	case '"', '\\':
		return b
	case '\b':
		return 'b'
	case '\f':
		return 'f'
	case '\n':
		return 'n'
	case '\r':
		return 'r'
	case '\t':
		return 't'
	}
	return 0
}

// appendString appends s as a JSON string: '"' and '\\' escaped, \b \f
// \n \r \t as such, other control characters as \u00XX, U+2028 and
// U+2029 as \u2028 and \u2029, each byte that is not part of valid UTF-8
// as \ufffd; everything else as it is.
func appendString(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			if e := shortEscape(b); e != 0 {
				dst = append(dst, '\\', e)
			} else {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendNumber appends a finite float64 as encoding/json writes it (the
// shortest text that reads back to it; exponent form below 1e-6 and from
// 1e21).
func appendNumber(dst []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9.
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}
