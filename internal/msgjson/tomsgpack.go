package msgjson

import (
	"bytes"
	"math"
	"unicode/utf8"
)

// AppendMsgpack appends to dst the msgpack encoding of the one JSON value
// in src (see the package documentation for the rules) and returns the
// extended buffer. On error it returns dst unchanged in length (the bytes
// beyond it, up to its capacity, may have been written) and an error
// wrapping ErrSyntax, ErrUTF8, ErrRange, ErrDepth or ErrTooLarge.
//
// Options.MaxDepth and Options.MaxSize apply, and two readings beyond
// JSON: with Bin BinObject an object whose only key is "$bin" is bin (its
// value must be a padded standard base64 string, else ErrSyntax); with
// NonFinite NonFiniteLiteral the tokens NaN, Infinity and -Infinity are
// float64, as Python's json.loads reads them. The output is at most
// 2.25 times as long as src, plus 3 bytes (a float such as 1e1 takes 9);
// while converting, dst needs up to 5 more bytes per level of nesting.
// With that much room in dst nothing is allocated (apart from numbers
// longer than 32 bytes).
func AppendMsgpack(dst, src []byte, o Options) ([]byte, error) {
	maxDepth, maxSize := o.limits()
	if len(src) > maxSize {
		return dst, errAt(ErrTooLarge, 0, "input of %d bytes, more than %d", len(src), maxSize)
	}
	c := toMsgpack{src: src, dst: dst, maxDepth: maxDepth, minPad: math.MaxInt,
		binObject: o.Bin == BinObject, literals: o.NonFinite == NonFiniteLiteral}
	if err := c.run(); err != nil {
		return dst, err
	}
	return c.compact(), nil
}

// toMsgpack is the state of one AppendMsgpack.
type toMsgpack struct {
	src      []byte
	pos      int // next byte of src
	dst      []byte
	maxDepth int

	binObject bool // {"$bin": "<base64>"} is bin
	literals  bool // NaN, Infinity and -Infinity are floats

	// Padding left by container headers shorter than five bytes: how
	// many containers left some, the first byte of the first one, and
	// how much the last one left (enough when there is only one).
	padded, minPad, lastPad int
}

// openContainer is an array or object being written.
type openContainer struct {
	at  int  // offset in dst of its five reserved header bytes
	n   int  // elements so far (key/value pairs for an object)
	obj bool // an object
}

// run converts the whole input.
func (c *toMsgpack) run() error {
	src := c.src
	// The open containers, innermost last. The stack stays out of c,
	// whose contents escape (c.dst grows), so that for nesting up to 32
	// levels it needs no allocation.
	var buf [32]openContainer
	stack := buf[:0]
value:
	for {
		i := skipSpace(src, c.pos)
		if i >= len(src) {
			return errAt(ErrSyntax, i, "unexpected end of input, expecting a value")
		}
		switch b := src[i]; b {
		case '{', '[':
			if b == '{' && c.binObject {
				if ok, err := c.binObj(i); err != nil {
					return err
				} else if ok {
					break
				}
			}
			if len(stack) >= c.maxDepth {
				return errAt(ErrDepth, i, "arrays and objects nested deeper than %d", c.maxDepth)
			}
			obj := b == '{'
			j := skipSpace(src, i+1)
			if j < len(src) && src[j] == b+2 { // '{'+2 == '}', '['+2 == ']'
				if obj {
					c.dst = append(c.dst, codeFixMap)
				} else {
					c.dst = append(c.dst, codeFixArr)
				}
				c.pos = j + 1
				break
			}
			stack = append(stack, openContainer{at: len(c.dst), n: 1, obj: obj})
			c.dst = append(c.dst, 0, 0, 0, 0, 0)
			c.pos = j
			if obj {
				if err := c.key(); err != nil {
					return err
				}
			}
			continue value
		case '"':
			c.pos = i
			if err := c.str(); err != nil {
				return err
			}
		case 't':
			if err := c.literal(i, "true", codeTrue); err != nil {
				return err
			}
		case 'f':
			if err := c.literal(i, "false", codeFalse); err != nil {
				return err
			}
		case 'n':
			if err := c.literal(i, "null", codeNil); err != nil {
				return err
			}
		case 'N', 'I':
			if !c.literals {
				return errAt(ErrSyntax, i, "invalid character %q, expecting a value", b)
			}
			if err := c.nonFinite(i); err != nil {
				return err
			}
		default:
			if b == '-' && c.literals && i+1 < len(src) && src[i+1] == 'I' {
				if err := c.nonFinite(i); err != nil {
					return err
				}
				break
			}
			if b != '-' && (b < '0' || b > '9') {
				return errAt(ErrSyntax, i, "invalid character %q, expecting a value", b)
			}
			c.pos = i
			if err := c.number(); err != nil {
				return err
			}
		}

		// After a value: a separator, the end of containers, or the end.
		for {
			i := skipSpace(src, c.pos)
			if len(stack) == 0 {
				if i != len(src) {
					return errAt(ErrSyntax, i, "data after the JSON value")
				}
				return nil
			}
			top := &stack[len(stack)-1]
			if i >= len(src) {
				return errAt(ErrSyntax, i, "unexpected end of input in %s", top.what())
			}
			switch b := src[i]; {
			case b == ',':
				top.n++
				c.pos = i + 1
				if top.obj {
					if err := c.key(); err != nil {
						return err
					}
				}
				continue value
			case b == '}' && top.obj, b == ']' && !top.obj:
				if err := c.close(*top, i); err != nil {
					return err
				}
				stack = stack[:len(stack)-1]
				c.pos = i + 1
			default:
				return errAt(ErrSyntax, i, "invalid character %q after a value in %s", b, top.what())
			}
		}
	}
}

// what names the container for errors.
func (o *openContainer) what() string {
	if o.obj {
		return "an object"
	}
	return "an array"
}

// key reads an object key and the colon after it.
func (c *toMsgpack) key() error {
	i := skipSpace(c.src, c.pos)
	if i >= len(c.src) || c.src[i] != '"' {
		return errAt(ErrSyntax, i, "expecting a string for an object key")
	}
	c.pos = i
	if err := c.str(); err != nil {
		return err
	}
	i = skipSpace(c.src, c.pos)
	if i >= len(c.src) || c.src[i] != ':' {
		return errAt(ErrSyntax, i, "expecting ':' after an object key")
	}
	c.pos = i + 1
	return nil
}

// close writes the header of container o, whose closing bracket is at
// src[i].
func (c *toMsgpack) close(o openContainer, i int) error {
	if uint64(o.n) > math.MaxUint32 {
		return errAt(ErrTooLarge, i, "%s of %d elements", o.what(), o.n)
	}
	if pad := putContainerHeader(c.dst[o.at:o.at+5], o.n, o.obj); pad > 0 {
		c.padded++
		c.minPad = min(c.minPad, o.at)
		c.lastPad = pad
	}
	return nil
}

// literal writes code for the literal word at src[i].
func (c *toMsgpack) literal(i int, word string, code byte) error {
	if !bytes.HasPrefix(c.src[i:], []byte(word)) {
		return errAt(ErrSyntax, i, "invalid literal, expecting %q", word)
	}
	c.dst = append(c.dst, code)
	c.pos = i + len(word)
	return nil
}

// skipSpace returns the offset of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(src []byte, i int) int {
	for i < len(src) {
		switch src[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// compact removes the padding of the container headers from the output
// and returns it. Padding bytes (codePad, which msgpack never uses) sit
// only where a value starts, so one walk over the values, which needs no
// stack, finds them all; with one padded container a single copy does.
func (c *toMsgpack) compact() []byte {
	switch c.padded {
	case 0:
		return c.dst
	case 1:
		at := c.minPad
		n := copy(c.dst[at:], c.dst[at+c.lastPad:])
		return c.dst[:at+n]
	}
	b := c.dst
	r, w, run := c.minPad, c.minPad, c.minPad // read, write, start of the bytes to keep
	for r < len(b) {
		if b[r] == codePad {
			w += copy(b[w:], b[run:r])
			for r++; b[r] == codePad; r++ {
			}
			run = r
			continue
		}
		r += tokenLen(b, r)
	}
	w += copy(b[w:], b[run:])
	return b[:w]
}

// tokenLen returns the length of the msgpack item at b[i] that AppendMsgpack
// wrote: a whole scalar or string, or just the header of an array or map.
func tokenLen(b []byte, i int) int {
	switch code := b[i]; {
	case code < 0xa0 || code >= 0xe0: // fixint, fixmap, fixarray, negative fixint
		return 1
	case code < 0xc0: // fixstr
		return 1 + int(code&0x1f)
	case code == codeStr8:
		return 2 + int(b[i+1])
	case code == codeStr16:
		return 3 + (int(b[i+1])<<8 | int(b[i+2]))
	case code == codeStr32:
		return 5 + int(uint32(b[i+1])<<24|uint32(b[i+2])<<16|uint32(b[i+3])<<8|uint32(b[i+4]))
	case code == codeUint8, code == codeInt8:
		return 2
	case code == codeUint16, code == codeInt16, code == codeArray16, code == codeMap16:
		return 3
	case code == codeUint32, code == codeInt32, code == codeArray32, code == codeMap32:
		return 5
	case code == codeUint64, code == codeInt64, code == codeFloat64:
		return 9
	}
	return 1 // nil, false, true
}

// str writes the JSON string at src[c.pos] (its opening quote) as a
// msgpack str.
func (c *toMsgpack) str() error {
	src := c.src
	start := c.pos + 1
	i := start
	esc, high := false, false
	for {
		if i >= len(src) {
			return errAt(ErrSyntax, c.pos, "unterminated string")
		}
		b := src[i]
		if b >= 0x20 && b < 0x80 && b != '"' && b != '\\' {
			i++
			continue
		}
		if b == '"' {
			break
		}
		switch {
		case b == '\\':
			esc = true
			i += 2 // the escape is checked when decoded
		case b < 0x20:
			return errAt(ErrSyntax, i, "control character 0x%02x in a string", b)
		default:
			high = true
			i++
		}
	}
	raw := src[start:i]
	c.pos = i + 1
	if uint64(len(raw)) > math.MaxUint32 {
		return errAt(ErrTooLarge, start-1, "string of %d bytes", len(raw))
	}
	if esc {
		return c.escaped(start, raw, high)
	}
	if high && !utf8.Valid(raw) {
		return errAt(ErrUTF8, start+invalidAt(raw), "bytes that are not UTF-8 in a string")
	}
	h := strHeaderLen(len(raw))
	n := len(c.dst)
	c.dst = append(c.dst, 0, 0, 0, 0, 0)[:n+h]
	putStrHeader(c.dst[n:], len(raw))
	c.dst = append(c.dst, raw...)
	return nil
}

// escaped writes a JSON string with escapes, raw (at src[start]) being
// its bytes between the quotes. The decoded string is no longer than raw,
// so a header sized for len(raw) leaves room; if the decoded string needs
// a shorter one, the string moves down.
func (c *toMsgpack) escaped(start int, raw []byte, high bool) error {
	h := strHeaderLen(len(raw))
	at := len(c.dst)
	c.dst = append(c.dst, 0, 0, 0, 0, 0)[:at+h]
	for k := 0; k < len(raw); {
		j := bytes.IndexByte(raw[k:], '\\')
		if j < 0 {
			j = len(raw) - k
		}
		run := raw[k : k+j]
		if high && !utf8.Valid(run) {
			return errAt(ErrUTF8, start+k+invalidAt(run), "bytes that are not UTF-8 in a string")
		}
		c.dst = append(c.dst, run...)
		k += j
		if k == len(raw) {
			break
		}
		// raw[k] is a backslash; the scan in str saw the byte after it.
		switch e := raw[k+1]; e {
		case '"', '\\', '/':
			c.dst = append(c.dst, e)
		case 'b':
			c.dst = append(c.dst, '\b')
		case 'f':
			c.dst = append(c.dst, '\f')
		case 'n':
			c.dst = append(c.dst, '\n')
		case 'r':
			c.dst = append(c.dst, '\r')
		case 't':
			c.dst = append(c.dst, '\t')
		case 'u':
			r, ok := hex4(raw[k+2:])
			if !ok {
				return errAt(ErrSyntax, start+k, `invalid \u escape`)
			}
			k += 6
			if r >= 0xd800 && r < 0xe000 {
				lo, ok := rune(0), false
				if r < 0xdc00 && len(raw)-k >= 6 && raw[k] == '\\' && raw[k+1] == 'u' {
					lo, ok = hex4(raw[k+2:])
					ok = ok && lo >= 0xdc00 && lo < 0xe000
				}
				if !ok {
					return errAt(ErrUTF8, start+k-6, `\u escape of a lone surrogate`)
				}
				r = 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
				k += 6
			}
			c.dst = utf8.AppendRune(c.dst, r)
			continue
		default:
			return errAt(ErrSyntax, start+k, "invalid escape %q in a string", raw[k:k+2])
		}
		k += 2
	}
	n := len(c.dst) - at - h
	if nh := strHeaderLen(n); nh < h {
		copy(c.dst[at+nh:], c.dst[at+h:])
		c.dst = c.dst[:at+nh+n]
		h = nh
	}
	putStrHeader(c.dst[at:at+h], n)
	return nil
}

// hex4 reads the four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, x := range b[:4] {
		switch {
		case x >= '0' && x <= '9':
			x -= '0'
		case x >= 'a' && x <= 'f':
			x -= 'a' - 10
		case x >= 'A' && x <= 'F':
			x -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(x)
	}
	return r, true
}

// invalidAt returns the offset of the first byte of b that is not part of
// valid UTF-8 (len(b) if there is none).
func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}
