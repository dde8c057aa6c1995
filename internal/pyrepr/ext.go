package pyrepr

import "strconv"

// appendExt formats a msgpack ext value as Python's msgpack 1.0 unpacks
// it: the timestamp extension (type -1) as msgpack.Timestamp, any other
// as msgpack.ExtType. A type -1 value that is not a valid timestamp (a
// length other than 4, 8 or 12, or nanoseconds of 10**9 or more) makes
// Python raise ValueError; it is shown as an ExtType.
func appendExt(dst []byte, code int8, data []byte) []byte {
	if sec, ns, ok := timestamp(code, data); ok {
		dst = append(dst, "Timestamp(seconds="...)
		dst = strconv.AppendInt(dst, sec, 10)
		dst = append(dst, ", nanoseconds="...)
		dst = strconv.AppendUint(dst, uint64(ns), 10)
		return append(dst, ')')
	}
	dst = append(dst, "ExtType(code="...)
	dst = strconv.AppendInt(dst, int64(code), 10)
	dst = append(dst, ", data="...)
	dst = appendBytes(dst, data)
	return append(dst, ')')
}
