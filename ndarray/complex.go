package ndarray

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gobanyan/banyan/internal/pyfloat"
)

// FormatComplex formats c exactly as Python's repr(complex) does, which is
// what msgpack-numpy sends for a Python complex: "(1+2j)", "1j" when the
// real part is +0, "(-0-0j)", "(nan+infj)", "(1e+16+1000000000000000j)".
// It is pyfloat.AppendComplex.
func FormatComplex(c complex128) string {
	var buf [64]byte
	return string(pyfloat.AppendComplex(buf[:0], real(c), imag(c), 64))
}

// errComplexSyntax is wrapped by ParseComplex errors.
var errComplexSyntax = errors.New("malformed complex string")

// ParseComplex parses a complex number written in Python's complex()
// syntax: "(1+2j)", "1j", "-j", "1e5J", "(-inf+nanj)", "3", with optional
// surrounding whitespace and parentheses and underscores between digits.
// Errors wrap ErrMalformed.
func ParseComplex(s string) (complex128, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		t = strings.TrimSpace(t[1 : len(t)-1])
	}
	bad := func() (complex128, error) {
		return 0, fmt.Errorf("%w: %w %q", ErrMalformed, errComplexSyntax, s)
	}
	if t == "" {
		return bad()
	}
	last := t[len(t)-1]
	if last != 'j' && last != 'J' {
		re, ok := pyFloat(t)
		if !ok {
			return bad()
		}
		return complex(re, 0), nil
	}
	body := t[:len(t)-1]
	split := -1
	for i := len(body) - 1; i > 0; i-- {
		if (body[i] == '+' || body[i] == '-') && body[i-1] != 'e' && body[i-1] != 'E' {
			split = i
			break
		}
	}
	var re float64
	imStr := body
	if split > 0 {
		var ok bool
		if re, ok = pyFloat(body[:split]); !ok {
			return bad()
		}
		imStr = body[split:]
	}
	var im float64
	switch imStr {
	case "", "+":
		im = 1
	case "-":
		im = -1
	default:
		var ok bool
		if im, ok = pyFloat(imStr); !ok {
			return bad()
		}
	}
	return complex(re, im), nil
}

// pyFloat parses a Python float literal as float() accepts it (decimal
// digits with optional underscores between digits, exponent, inf, infinity,
// nan, with a sign). Out-of-range values become ±Inf or 0 as in Python.
func pyFloat(s string) (float64, bool) {
	if s == "" || strings.ContainsAny(s, "xXpP \t") {
		return 0, false
	}
	if strings.Contains(s, "_") {
		for i := 0; i < len(s); i++ {
			if s[i] == '_' && (i == 0 || i == len(s)-1 || !isDigit(s[i-1]) || !isDigit(s[i+1])) {
				return 0, false
			}
		}
		s = strings.ReplaceAll(s, "_", "")
	}
	if u := strings.TrimLeft(s, "+-"); len(s)-len(u) == 1 && strings.EqualFold(u, "nan") {
		s = u // Go's ParseFloat rejects a signed NaN; Python accepts it
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
