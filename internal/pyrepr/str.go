package pyrepr

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// quoteFor returns the quote Python's repr uses for s: a single quote,
// unless s holds a single quote and no double quote.
func quoteFor(s []byte) byte {
	if bytes.IndexByte(s, '\'') >= 0 && bytes.IndexByte(s, '"') < 0 {
		return '"'
	}
	return '\''
}

// appendStr appends repr() of the Python str whose UTF-8 bytes are s, as
// CPython writes it: \t \n \r \\ and the quote escaped, other characters
// that str.isprintable() refuses as \xNN, \uNNNN or \UNNNNNNNN, the rest
// as they are. Bytes that are not valid UTF-8 appear as the lone
// surrogates (\udc80 to \udcff) that Python's surrogateescape decoding
// gives them.
func appendStr(dst, s []byte) []byte {
	q := quoteFor(s)
	dst = append(dst, q)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = appendASCII(dst, c, q)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, '\\', 'u', 'd', 'c', hexDigits[c>>4], hexDigits[c&0xf])
		case isPrintable(r):
			dst = append(dst, s[i:i+size]...)
		default:
			dst = appendEscape(dst, r)
		}
		i += size
	}
	return append(dst, q)
}

// appendASCII appends one ASCII character of a str repr quoted with q.
func appendASCII(dst []byte, c, q byte) []byte {
	switch {
	case c == q || c == '\\':
		return append(dst, '\\', c)
	case c == '\t':
		return append(dst, '\\', 't')
	case c == '\n':
		return append(dst, '\\', 'n')
	case c == '\r':
		return append(dst, '\\', 'r')
	case c < 0x20 || c == 0x7f:
		return append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
	}
	return append(dst, c)
}

// appendEscape writes a non-printable character as Python's repr does.
func appendEscape(dst []byte, r rune) []byte {
	switch {
	case r <= 0xff:
		return append(dst, '\\', 'x', hexDigits[r>>4], hexDigits[r&0xf])
	case r <= 0xffff:
		return append(dst, '\\', 'u', hexDigits[r>>12], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
	}
	dst = append(dst, '\\', 'U')
	for shift := 28; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[r>>uint(shift)&0xf])
	}
	return dst
}

// isPrintable is Python's str.isprintable() for one character: false for
// the categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs except the ASCII space.
// That is exactly unicode.IsPrint (letters, marks, numbers, punctuation,
// symbols and U+0020), here with the tables of Go's Unicode version
// (unicode.Version).
func isPrintable(r rune) bool { return unicode.IsPrint(r) }

// appendBytes appends repr() of a Python bytes value: b'...' with the
// quote rule of str, \t \n \r \\ and the quote escaped, 0x20 to 0x7e as
// they are, every other byte as \xNN.
func appendBytes(dst, b []byte) []byte {
	q := quoteFor(b)
	dst = append(dst, 'b', q)
	for _, c := range b {
		switch {
		case c == q || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c < 0x20 || c >= 0x7f:
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, q)
}

// AppendBytes appends repr(b) of a Python bytes value: b'\x00\xff',
// b"it's".
func AppendBytes(dst, b []byte) []byte { return appendBytes(dst, b) }
