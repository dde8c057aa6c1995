package ndarray

import (
	"errors"
	"math"
	"testing"
)

func TestFormatComplexMatchesPythonRepr(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	negZero := math.Copysign(0, -1)
	// Right-hand sides printed by Python 3.11's repr(complex(...)).
	cases := []struct {
		c    complex128
		want string
	}{
		{complex(1, 2), "(1+2j)"},
		{complex(0, 1), "1j"},
		{complex(1, negZero), "(1-0j)"},
		{complex(1, -nan), "(1+nanj)"},
		{complex(nan, 0), "(nan+0j)"},
		{complex(0, negZero), "-0j"},
		{complex(negZero, negZero), "(-0-0j)"},
		{complex(1e16, 1e15), "(1e+16+1000000000000000j)"},
		{complex(1e-5, 1e-4), "(1e-05+0.0001j)"},
		{complex(0.1, 1.0/3), "(0.1+0.3333333333333333j)"},
		{complex(5e-324, 1.7976931348623157e308), "(5e-324+1.7976931348623157e+308j)"},
		{complex(-inf, inf), "(-inf+infj)"},
		{complex(123456789012345680, 0), "(1.2345678901234568e+17+0j)"},
		{complex(-1.5, -2.25), "(-1.5-2.25j)"},
		{complex(0, -3), "-3j"},
	}
	for _, c := range cases {
		if got := FormatComplex(c.c); got != c.want {
			t.Errorf("FormatComplex(%v) = %q, want %q", c.c, got, c.want)
		}
		back, err := ParseComplex(c.want)
		if err != nil {
			t.Errorf("ParseComplex(%q): %v", c.want, err)
			continue
		}
		if !sameComplex(back, c.c) {
			t.Errorf("ParseComplex(%q) = %v, want %v", c.want, back, c.c)
		}
	}
}

// sameComplex compares bitwise except that all NaNs are equal.
func sameComplex(a, b complex128) bool {
	same := func(x, y float64) bool {
		return math.IsNaN(x) && math.IsNaN(y) || math.Float64bits(x) == math.Float64bits(y)
	}
	return same(real(a), real(b)) && same(imag(a), imag(b))
}

func TestParseComplexPythonSyntax(t *testing.T) {
	// Accepted by Python's complex().
	good := map[string]complex128{
		"1j": 1i, "(1+2j)": 1 + 2i, " ( 1+2j ) ": 1 + 2i, "j": 1i, "-j": -1i, "1+j": 1 + 1i,
		"1e5J": 1e5i, "1_0j": 10i, "+1.5": 1.5, "3": 3, "(1e400+0j)": complex(math.Inf(1), 0),
		"1e-5-2E+3j": complex(1e-5, -2e3), "infinityj": complex(0, math.Inf(1)),
		"-inf-infj": complex(math.Inf(-1), math.Inf(-1)),
	}
	for s, want := range good {
		got, err := ParseComplex(s)
		if err != nil || !sameComplex(got, want) {
			t.Errorf("ParseComplex(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	// Rejected by Python's complex().
	for _, s := range []string{"", "()", "1 + 2j", "0x10", "1__0j", "_1j", "1+2", "(1+2j", "jj", "1e", "abc"} {
		if _, err := ParseComplex(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseComplex(%q) err = %v, want ErrMalformed", s, err)
		}
	}
}
