package pyfloat

import (
	"math"
	"strconv"
)

// shortestHalf returns the shortest digits that identify the half
// precision value f (already widened), closest to it, as numpy's Dragon4
// does: candidates of 1 to 5 significant digits are tried, each the
// nearest and its two neighbours, against the interval of reals that
// round to f.
func shortestHalf(buf []byte, f float64) Decimal {
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return parseE(strconv.AppendFloat(buf, f, 'e', -1, 64))
	}
	a := math.Abs(f)
	lo, hi := halfNeighbours(a)
	even := halfEven(a)
	within := func(v float64) bool {
		lowMid, highMid := (lo+a)/2, (a+hi)/2
		if even {
			return v >= lowMid && v <= highMid
		}
		return v > lowMid && v < highMid
	}
	for p := 1; p <= 5; p++ {
		near := parseE(strconv.AppendFloat(buf[:0], a, 'e', p-1, 64))
		m, _ := strconv.ParseInt(string(near.Digits), 10, 64)
		for len(near.Digits) < p {
			m *= 10
			near.Digits = append(near.Digits, '0')
		}
		scale := near.Exp10() - (p - 1) // value = m × 10**scale
		best, bestDist, found := int64(0), 0.0, false
		for _, c := range []int64{m - 1, m, m + 1} {
			if c <= 0 {
				continue
			}
			v, _ := strconv.ParseFloat(strconv.FormatInt(c, 10)+"e"+strconv.Itoa(scale), 64)
			if !within(v) {
				continue
			}
			dist := math.Abs(v - a)
			if !found || dist < bestDist || dist == bestDist && c%2 == 0 {
				best, bestDist, found = c, dist, true
			}
		}
		if found {
			digits := strconv.AppendInt(buf[:0], best, 10)
			dp := scale + len(digits)
			return Decimal{Digits: trimZeros(digits), DP: dp}
		}
	}
	return parseE(strconv.AppendFloat(buf[:0], a, 'e', 4, 64))
}

// halfNeighbours returns the half-precision values next to a (> 0,
// finite): below and above (above the largest finite half, the next
// step as if the exponent went on).
func halfNeighbours(a float64) (lo, hi float64) {
	_, e := math.Frexp(a)
	step := math.Ldexp(1, max(e-11, -24))
	lo = a - step
	if _, e2 := math.Frexp(lo); e2 < e && e-11 > -24 {
		lo = a - step/2 // a is a power of two: the step below is half
	}
	return lo, a + step
}

// halfEven reports whether the half value a (> 0) has an even significand.
func halfEven(a float64) bool {
	_, e := math.Frexp(a)
	q := max(e-11, -24)
	return int64(math.Ldexp(a, -q))%2 == 0
}
