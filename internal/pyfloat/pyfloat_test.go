package pyfloat

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// The cases are what CPython 3 and numpy print for them.
func TestAppend(t *testing.T) {
	for f, want := range map[float64]string{
		1: "1.0", 0.1: "0.1", 1e-5: "1e-05", 1e16: "1e+16", 1.5e-7: "1.5e-07",
		9007199254740992: "9007199254740992.0", 5e-324: "5e-324", 0.0001: "0.0001",
		-2.5: "-2.5", 1e22: "1e+22", 123456789012345.6: "123456789012345.6",
		math.Inf(1): "inf", math.Inf(-1): "-inf", math.NaN(): "nan", -math.NaN(): "nan",
		math.Copysign(0, -1): "-0.0", 0: "0.0",
		9999999999999998: "9999999999999998.0", 1e6: "1000000.0", math.MaxFloat64: "1.7976931348623157e+308",
		1.0 / 3: "0.3333333333333333", 123456789012345680: "1.2345678901234568e+17", 1e300: "1e+300",
	} {
		if got := string(Append(nil, f)); got != want {
			t.Errorf("Append(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestAppendScalar(t *testing.T) {
	for _, c := range []struct {
		f    float64
		bits int
		want string
	}{
		{float64(float32(0.1)), 32, "0.1"},
		{float64(float32(1e-5)), 32, "1e-05"},
		{float64(float32(0.1)), 64, "0.10000000149011612"},
		{0.0999755859375, 16, "0.1"}, // float16(0.1)
		{65504, 16, "65500.0"},
		{5.960464477539063e-08, 16, "6e-08"},
	} {
		if got := string(AppendScalar(nil, c.f, c.bits)); got != c.want {
			t.Errorf("AppendScalar(%v, %d) = %s, want %s", c.f, c.bits, got, c.want)
		}
	}
}

func TestAppendComplex(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	negZero := math.Copysign(0, -1)
	for _, c := range []struct {
		re, im float64
		want   string
	}{
		{1, 2, "(1+2j)"}, {0, 1, "1j"}, {0, -1, "-1j"}, {negZero, negZero, "(-0-0j)"},
		{negZero, 0, "(-0+0j)"}, {nan, inf, "(nan+infj)"}, {1, -nan, "(1+nanj)"},
		{1e16, 1e15, "(1e+16+1000000000000000j)"}, {0.5, -1.5e-7, "(0.5-1.5e-07j)"},
	} {
		if got := string(AppendComplex(nil, c.re, c.im, 64)); got != c.want {
			t.Errorf("AppendComplex(%v, %v) = %s, want %s", c.re, c.im, got, c.want)
		}
	}
}

// Every finite float reads back as itself.
func TestAppendRoundTrips(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		s := Append(nil, f)
		if g, err := strconv.ParseFloat(string(s), 64); err != nil || g != f {
			t.Fatalf("Append(%v) = %s, reads back as %v, %v", f, s, g, err)
		}
	}
}

func BenchmarkAppend(b *testing.B) {
	buf := make([]byte, 0, 32)
	for b.Loop() {
		buf = Append(buf[:0], 0.1234567)
	}
}
