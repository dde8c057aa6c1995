package msgjson

import (
	"errors"
	"math"
	"strconv"
)

// number writes the JSON number at src[c.pos]: an integer when it has no
// fraction and no exponent (as json.loads gives an int), else a float64.
func (c *toMsgpack) number() error {
	src := c.src
	start := c.pos
	i := start
	neg := src[i] == '-'
	if neg {
		i++
	}
	intStart := i
	switch {
	case i < len(src) && src[i] == '0':
		i++
	case i < len(src) && src[i] >= '1' && src[i] <= '9':
		i = skipDigits(src, i+1)
	default:
		return errAt(ErrSyntax, start, "invalid number: no digit after '-'")
	}
	intEnd := i
	fracStart, fracEnd := i, i
	isFloat := false
	if i < len(src) && src[i] == '.' {
		fracStart = i + 1
		i = skipDigits(src, fracStart)
		if i == fracStart {
			return errAt(ErrSyntax, start, "invalid number: no digit after '.'")
		}
		fracEnd = i
		isFloat = true
	}
	exp := 0
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		expNeg := false
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			expNeg = src[i] == '-'
			i++
		}
		digits := i
		for ; i < len(src) && src[i] >= '0' && src[i] <= '9'; i++ {
			if exp < 1e9 { // saturate: beyond this the value is 0 or Inf anyway
				exp = exp*10 + int(src[i]-'0')
			}
		}
		if i == digits {
			return errAt(ErrSyntax, start, "invalid number: no digit in the exponent")
		}
		if expNeg {
			exp = -exp
		}
		isFloat = true
	}
	c.pos = i
	if !isFloat {
		return c.integer(start, src[intStart:intEnd], neg)
	}

	// The decimal exponent of the first significant digit tells values
	// that are surely out of the float64 range (strconv.ParseFloat would
	// allocate an error for each) from the rest.
	lead, zero := 0, true
	if src[intStart] != '0' {
		lead, zero = intEnd-intStart-1, false
	} else {
		for k := fracStart; k < fracEnd; k++ {
			if src[k] != '0' {
				lead, zero = fracStart-k-1, false
				break
			}
		}
	}
	var f float64
	switch e := exp + lead; {
	case zero:
		f = 0
	case e > 308: // at least 1e309
		f = math.Inf(1)
	case e < -330: // below 1e-330, which rounds to 0
		f = 0
	default:
		var err error
		f, err = strconv.ParseFloat(string(src[start:i]), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) { // ±Inf on overflow, as Python's float()
			return errAt(ErrSyntax, start, "invalid number: %v", err)
		}
		c.dst = appendFloat(c.dst, f)
		return nil
	}
	if neg {
		f = -f
	}
	c.dst = appendFloat(c.dst, f)
	return nil
}

// integer writes the integer whose decimal digits are digits.
func (c *toMsgpack) integer(start int, digits []byte, neg bool) error {
	var u uint64
	for _, d := range digits {
		x := uint64(d - '0')
		if u > (math.MaxUint64-x)/10 {
			return errAt(ErrRange, start, "integer %.40s does not fit in 64 bits", c.src[start:c.pos])
		}
		u = u*10 + x
	}
	switch {
	case !neg || u == 0:
		c.dst = appendUint(c.dst, u)
	case u <= 1<<63:
		c.dst = appendNeg(c.dst, u)
	default:
		return errAt(ErrRange, start, "integer %.40s does not fit in 64 bits", c.src[start:c.pos])
	}
	return nil
}

// skipDigits returns the offset of the first byte at or after i that is
// not a decimal digit.
func skipDigits(src []byte, i int) int {
	for i < len(src) && src[i] >= '0' && src[i] <= '9' {
		i++
	}
	return i
}
