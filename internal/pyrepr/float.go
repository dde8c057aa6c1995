package pyrepr

import "github.com/gobanyan/banyan/internal/pyfloat"

// AppendFloat appends repr(f) as CPython prints a float: the shortest
// digits that read back as f, in positional notation when 1e-4 <= |f| <
// 1e16 (with ".0" when the value is integral: 1.0, 9007199254740992.0),
// otherwise in exponent notation with a sign and at least two exponent
// digits (1e+16, 1e-05, 1.5e-07, 5e-324); inf, -inf, nan (never -nan)
// and -0.0. It is pyfloat.Append.
func AppendFloat(dst []byte, f float64) []byte { return pyfloat.Append(dst, f) }

// trim modes, as numpy's Dragon4 names them.
type trimMode uint8

const (
	trimKeep         trimMode = iota // 'k': keep trailing zeros and the point
	trimZerosKeepDot                 // '.': drop trailing zeros, keep the point
	trimLeaveOneZero                 // '0': drop trailing zeros but one: 1.0
	trimDotZeros                     // '-': drop trailing zeros and the point
)
