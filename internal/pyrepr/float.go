package pyrepr

// trim modes, as numpy's Dragon4 names them.
type trimMode uint8

const (
	trimKeep         trimMode = iota // 'k': keep trailing zeros and the point
	trimZerosKeepDot                 // '.': drop trailing zeros, keep the point
	trimLeaveOneZero                 // '0': drop trailing zeros but one: 1.0
	trimDotZeros                     // '-': drop trailing zeros and the point
)
