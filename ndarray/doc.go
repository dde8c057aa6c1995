// Package ndarray carries numpy arrays in Banyan messages exactly as Python
// components in numpy mode (msgpack_numpy) send and expect them.
//
// # Wire format
//
// msgpack-numpy (checked against Debian's python3-msgpack-numpy 0.4.8 with
// msgpack 1.0) replaces values msgpack cannot pack by maps whose keys are
// msgpack bin, never str:
//
//	ndarray          {nd: True,  type: "<f8", kind: b"",  shape: [2, 3], data: <bin>}
//	structured array {nd: True,  type: [["a", "<i4"], ["b", "<f8", [2]]], kind: b"V", shape, data}
//	numpy scalar     {nd: False, type: "<i4", data: <bin>}
//	Python complex   {complex: True, data: "(1+2j)"}
//
// type is a str (numpy's array-protocol string, dtype.str) or, for kind V,
// numpy's descr; kind and data are bin; shape is an array of ints. A Python
// receiver recognises these maps only when the keys are bin, so a Go
// encoder that wrote str keys would hand Python users plain dicts. Array,
// Scalar and Complex implement msgpack.CustomEncoder and
// msgpack.CustomDecoder (github.com/vmihailenco/msgpack/v5) and write these
// exact bytes, so a struct field or map value of type Array, *Array, Scalar
// or Complex round-trips through msgpack.Marshal and msgpack.Unmarshal.
//
// Some Python values never become maps: np.float64 is a Python float and
// travels as a msgpack float64, np.str_ and np.bytes_ as str and bin. On the
// other hand np.complex128 is a numpy scalar ({nd: False, type: "<c16"}),
// while a Python complex is sent as its repr.
//
// # Data layout
//
// The data is the raw element memory in the dtype's byte order ('<'
// little-endian, '>' big-endian, '|' not applicable), in row-major (C)
// order. msgpack-numpy sends a C-contiguous array's buffer as is and
// anything else through tobytes(), which copies in C order: a Fortran-ordered
// or transposed array from Python arrives as C-ordered bytes plus its shape,
// never in Fortran order. FromSlice produces little-endian dtypes; ToSlice and
// the conversion helpers (Float64s, Int64s, Uint64s, Complex128s, Strings)
// read either byte order; View aliases the bytes without copying when the
// byte order is the host's.
//
// # Object arrays are refused
//
// An object array (kind O) is sent with its data pickled, and Python's
// decoder calls pickle.loads on it, which runs arbitrary code. A structured
// dtype with an object field is worse: msgpack-numpy sends raw pointers.
// This package never produces either and never unpickles: decoding one
// fails with an error wrapping ErrObjectArray. Rebuild, used on whole
// generically decoded messages, leaves such a map as it was, rebuilds the
// rest of the message, and reports the object array in its error.
//
// # Generic messages
//
// A message decoded into map[string]any (bin and str keys both become
// strings) still holds numpy values as maps. Rebuild replaces them, at any
// depth, by *Array, Scalar and complex128 values. Unlike Python Banyan's
// numpy receive loop, nothing is done to top-level keys: a payload mixing
// str and bin keys keeps all of them.
//
// Differences from Python's decoder: the data length must equal the item
// size times the number of elements (numpy accepts longer buffers), nd must
// be a bool, and long-double ("<f16") and datetime ("<M8[ns]") arrays are
// carried as bytes without Go conversions.
package ndarray
