package msgjson

import (
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
