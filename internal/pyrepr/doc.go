// Package pyrepr prints msgpack payloads as Python prints them: what
// Python Banyan's monitor writes for print(topic, payload), where payload
// is msgpack.unpackb(raw, raw=False) (Plain) or what msgpack-numpy's
// decoder and Python Banyan's numpy receive loop make of it (Numpy,
// monitor -m True). It is the one Python repr of this module: banyan
// monitor and banyan sub print through it.
//
// The payload is checked by banyan.Validate and then formatted in one walk
// over its bytes, without decoding it into Go values: every length is
// compared with the bytes left before it is used, containers cannot claim
// more elements than there are bytes, nesting stops at banyan.MaxNesting.
// A typical payload costs one allocation besides the output.
//
// # What is matched
//
// The output is byte for byte CPython 3's, checked against Debian 12's
// python3 (3.11), python3-msgpack 1.0 and python3-numpy 1.24 by
// TestMatchesPython on a corpus of a few hundred payloads, and
// TestPrintableMatchesPython on every code point:
//
//   - None, True, False; integers of every wire width (fixint, uint8 to
//     uint64, int8 to int64, also in non-minimal encodings).
//   - float: repr's shortest round-trip digits, positional for
//     1e-4 <= |x| < 1e16 (1.0, 9007199254740992.0, 0.0001) and exponent
//     form otherwise (1e+16, 1e-05, 1.5e-07, 5e-324), inf, -inf, nan,
//     -0.0. msgpack float32 values are widened to double, as Python does
//     (0.10000000149011612).
//   - str: single quotes unless the text holds ' and no ", \t \n \r \\
//     and the quote escaped; characters str.isprintable() refuses
//     (categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs but the ASCII space) as
//     \xNN, \uNNNN or \UNNNNNNNN; everything else as it is. A top-level
//     str is printed as it is, as print() does.
//   - bytes: b'...' with the same quote rule, printable ASCII as it is,
//     other bytes as \xNN.
//   - list (msgpack arrays; msgpack never gives tuples by default) and
//     dict in wire order. A key repeated in a map appears once, at its
//     first place, with the last value, as in the dict Python builds.
//     str and bytes keys are distinct ('a' and b'a').
//   - ext values: ExtType(code=5, data=b'...') and, for the timestamp
//     extension, Timestamp(seconds=..., nanoseconds=...).
//   - Numpy mode: numpy 1.24's repr of the arrays msgpack-numpy sends,
//     with the default print options: 0-d to n-d arrays of bool, int8 to
//     int64, uint8 to uint64, float16, float32, float64, complex64,
//     complex128, bytes (S) and unicode (U) dtypes, in either byte order;
//     no dtype= for int64, float64, complex128 and bool (except when
//     empty); numpy's float layouts (precision 8, the switch to exponent
//     form, padding, nan and inf); lines wrapped at 75 characters and the
//     dtype moved to its own line when it does not fit; arrays of more than
//     1000 elements summarised with "..." (3 items at each end of every
//     axis); empty arrays with their shape. numpy scalars ({nd: False})
//     print as numpy 1.24 does (7, 1.5, True, (1+2j)), Python complex
//     values ({complex: ...}) as complex. Python Banyan's key fix: when a
//     top-level dict has keys that are not str, it is replaced by those
//     keys decoded as UTF-8 (b'a' becomes 'a') and their values, and its
//     str keys are dropped.
//
// # Where Python's monitor raises
//
// A real Python Banyan monitor dies on some payloads: its receive loop
// does not catch the exception. Ours prints them, as Python would with
// unicode_errors='surrogateescape' and strict_map_key=False (the lenient
// decoding of testdata/pyprint.py, which the tests compare with):
//
//   - A str that is not valid UTF-8 (UnicodeDecodeError): each bad byte
//     shows as the lone surrogate surrogateescape gives it, '\udcff'; a
//     top-level one is printed as its raw bytes.
//   - A map key that is not a str or bin (ValueError): shown as Python
//     shows such keys, {1: 2}, {None: 0}; equal numbers are one key, as in
//     a dict (1, 1.0 and True; 0, -0.0 and False).
//   - In Numpy mode, a top-level value that is not a dict (the loop calls
//     .items()): printed with str(), so a top-level array shows as numpy's
//     str form ([1 2 3]); a top-level bytes key that is not UTF-8: decoded
//     with surrogateescape; other non-str keys: kept as they are.
//
// And where Python cannot print at all, even leniently:
//
//   - Ext values with a negative type other than -1 (msgpack 1.0 raises
//     ValueError: code must be 0~127): ExtType(code=-5, data=b'...'). A
//     type -1 value that is not a valid timestamp (ValueError): ExtType
//     with code -1.
//   - Nesting deeper than Python's recursion limit (about 1000 levels): repr raises
//     RecursionError; ours prints up to banyan.MaxNesting (1024) levels,
//     which is also Python's unpacking limit (deeper: ErrMalformed).
//   - A map key that is an array or a map (TypeError: unhashable type):
//     an error wrapping ErrUnhashableKey.
//   - Malformed msgpack (truncated, trailing bytes, reserved codes): an
//     error wrapping ErrMalformed; Python raises too.
//
// # Numpy mode: what is shown as the plain dict
//
// A map that msgpack_numpy.decode would turn into a numpy value, but that
// this package does not format as one, is printed as the dict it is on the
// wire (as a plain-mode receiver shows it: {b'nd': True, b'type': '<i4',
// ...}). That is the case for object arrays (kind O: Python unpickles the
// data and would run code; we never do), structured, datetime64,
// timedelta64, void and long-double dtypes, data longer than the dtype
// and shape need (numpy ignores the rest), an nd entry that is not a bool
// (Python takes any nd but True for a scalar), and maps that make Python
// raise (a dtype numpy refuses, data too short). The checks are
// ndarray.FromMap's.
//
// # Versions
//
// numpy 2 prints differently from the numpy 1.24 matched here: scalars
// as np.int32(7) and np.float32(1.5), and non-native byte orders as
// dtype='>i4' (1.24 prints dtype=int32). On platforms where numpy's
// default integer is 32 bits (32-bit Raspberry Pi OS, Windows), numpy
// omits dtype= for int32 and shows it for int64; we follow 64-bit Linux.
// Printability follows Go's Unicode tables (unicode.Version, 15.0 at the
// time of writing, as in Python 3.12): Python 3.11 (Unicode 14) escapes
// the characters assigned in Unicode 15, which we show as they are.
package pyrepr
