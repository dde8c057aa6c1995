package msgjson

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"math"
)

// Reading the forms beyond JSON that Options allow in AppendMsgpack:
// {"$bin": "<base64>"} and Python's NaN and Infinity tokens.

// binObj writes bin for the object at src[i] ('{') if it is
// {"$bin": "<base64>"} and reports whether it was. An object of that one
// key whose value is not padded standard base64 is ErrSyntax.
func (c *toMsgpack) binObj(i int) (bool, error) {
	src := c.src
	j := skipSpace(src, i+1)
	if !bytes.HasPrefix(src[j:], []byte(`"$bin"`)) {
		return false, nil
	}
	j = skipSpace(src, j+len(`"$bin"`))
	if j >= len(src) || src[j] != ':' {
		return false, nil // the syntax error is reported by the object reader
	}
	j = skipSpace(src, j+1)
	if j >= len(src) || src[j] != '"' {
		return false, nil
	}
	start := j + 1
	end := bytes.IndexByte(src[start:], '"')
	if end < 0 {
		return false, nil
	}
	end += start
	k := skipSpace(src, end+1)
	if k >= len(src) || src[k] != '}' {
		return false, nil // more keys: an ordinary object
	}
	b64 := src[start:end]
	n := len(b64) / 4 * 3
	if len(b64)%4 != 0 {
		return false, errAt(ErrSyntax, start, `"$bin" is not padded base64`)
	}
	if n > 0 && b64[len(b64)-1] == '=' {
		n--
		if b64[len(b64)-2] == '=' {
			n--
		}
	}
	at := len(c.dst)
	c.dst = appendBinHeader(c.dst, n)
	out, err := base64.StdEncoding.AppendDecode(c.dst, b64)
	if err != nil || len(out)-len(c.dst) != n {
		c.dst = c.dst[:at]
		return false, errAt(ErrSyntax, start, `"$bin" is not padded base64`)
	}
	c.dst = out
	c.pos = k + 1
	return true, nil
}

// appendBinHeader appends the header of a bin of n bytes.
func appendBinHeader(dst []byte, n int) []byte {
	switch {
	case n <= math.MaxUint8:
		return append(dst, 0xc4, byte(n))
	case n <= math.MaxUint16:
		return append(dst, 0xc5, byte(n>>8), byte(n))
	}
	return binary.BigEndian.AppendUint32(append(dst, 0xc6), uint32(n))
}

// nonFinite writes the float of the token NaN, Infinity or -Infinity at
// src[i]. NaN is the one Python's float('nan') packs, 0x7ff8000000000000.
func (c *toMsgpack) nonFinite(i int) error {
	for _, t := range [...]struct {
		word string
		f    float64
	}{{"NaN", math.Float64frombits(0x7ff8000000000000)}, {"Infinity", math.Inf(1)}, {"-Infinity", math.Inf(-1)}} {
		if bytes.HasPrefix(c.src[i:], []byte(t.word)) {
			c.dst = appendFloat(c.dst, t.f)
			c.pos = i + len(t.word)
			return nil
		}
	}
	return errAt(ErrSyntax, i, "invalid literal, expecting NaN, Infinity or -Infinity")
}
