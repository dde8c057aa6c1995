package ndarray

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"slices"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// Element is the set of Go types that map one-to-one onto numpy numeric
// dtypes: bool ("|b1"), signed and unsigned integers ("i1".."i8",
// "u1".."u8"; int and uint take the platform size), float32/float64 ("f4",
// "f8") and complex64/complex128 ("c8", "c16"). Types whose underlying type
// is one of these are accepted too.
type Element interface {
	~bool | ~int | ~int8 | ~int16 | ~int32 | ~int64 |
		~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr |
		~float32 | ~float64 | ~complex64 | ~complex128
}

// Array is an n-dimensional numpy array as carried by msgpack-numpy: a
// dtype, a shape in row-major (C) order and the raw element bytes in the
// dtype's byte order.
//
// msgpack-numpy always sends C-ordered bytes: a C-contiguous array's buffer
// as is, anything else (Fortran-ordered, transposed or sliced arrays)
// through ndarray.tobytes(), which copies in C order. A Fortran-ordered
// array from Python therefore arrives here as C-ordered bytes plus its
// shape, and element [i][j] of a 2-D array of shape [r, c] is element
// i*c+j of the flat data.
//
// The zero Array is empty and encodes as msgpack nil. Arrays are built by New,
// Zeros, FromSlice or FromStrings, or decoded from msgpack.
type Array struct {
	dtype DType
	shape []int
	data  []byte
}

// New returns an array of the given dtype and shape over data, which the
// array takes over without copying. len(data) must equal the dtype's item
// size times the product of shape; an empty shape means a 0-d array holding
// one element. A dtype of item size zero allows at most 2**20 elements.
func New(dtype DType, shape []int, data []byte) (*Array, error) {
	if dtype.IsZero() {
		return nil, fmt.Errorf("%w: zero dtype", ErrDType)
	}
	want, err := dataSize(dtype, shape)
	if err != nil {
		return nil, err
	}
	if len(data) != want {
		return nil, fmt.Errorf("%w: dtype %s shape %v needs %d bytes, got %d", ErrShape, dtype, shape, want, len(data))
	}
	if data == nil {
		data = []byte{}
	}
	return &Array{dtype: dtype, shape: slices.Clone(shape), data: data}, nil
}

// Zeros returns a zero-filled array of the given dtype and shape.
func Zeros(dtype DType, shape ...int) (*Array, error) {
	n, err := dataSize(dtype, shape)
	if err != nil {
		return nil, err
	}
	return New(dtype, shape, make([]byte, n))
}

// maxZeroSizeElements bounds the element count of an array whose item
// size is zero ("|S0", "|V0", a structured dtype without fields): no data
// length bounds it, and Len, Strings and Field do work and allocate in
// proportion to it.
const maxZeroSizeElements = 1 << 20

// dataSize returns itemsize * prod(shape), checking for overflow.
func dataSize(dtype DType, shape []int) (int, error) {
	count, err := elementCount(shape)
	if err != nil {
		return 0, err
	}
	if dtype.size == 0 && count > maxZeroSizeElements {
		return 0, fmt.Errorf("%w: %d elements of %s, which has item size 0 (at most %d)", ErrShape, count, dtype, maxZeroSizeElements)
	}
	hi, lo := bits.Mul64(uint64(count), uint64(dtype.size))
	if hi != 0 || lo > math.MaxInt {
		return 0, fmt.Errorf("%w: shape %v of %s is too large", ErrShape, shape, dtype)
	}
	return int(lo), nil
}

// FromSlice returns an array holding a copy of s with the dtype DTypeOf[T]
// (little-endian). Without shape the array is 1-D; otherwise the product of
// shape must equal len(s). Use Reshape() for a 0-d array.
func FromSlice[T Element](s []T, shape ...int) (*Array, error) {
	if shape == nil {
		shape = []int{len(s)}
	}
	dt := DTypeOf[T]()
	n, err := dataSize(dt, shape)
	if err != nil {
		return nil, err
	}
	if n != len(s)*dt.size {
		return nil, fmt.Errorf("%w: %d elements do not fill shape %v", ErrShape, len(s), shape)
	}
	data := make([]byte, n)
	copy(data, asBytes(s))
	if !hostLittleEndian() {
		swapInPlace(data, componentSize(dt))
	}
	return New(dt, shape, data)
}

// FromStrings returns a numpy unicode array ("<U<n>", UCS-4 little-endian)
// holding s, where n is the length in code points of the longest string (at
// least 1, as numpy does). Without shape the array is 1-D.
func FromStrings(s []string, shape ...int) (*Array, error) {
	if shape == nil {
		shape = []int{len(s)}
	}
	width := 1
	for _, v := range s {
		width = max(width, utf8.RuneCountInString(v))
	}
	dt, err := ParseDType("<U" + strconv.Itoa(width))
	if err != nil {
		return nil, err
	}
	count, err := elementCount(shape)
	if err != nil {
		return nil, err
	}
	if count != len(s) {
		return nil, fmt.Errorf("%w: %d strings do not fill shape %v", ErrShape, len(s), shape)
	}
	data := make([]byte, len(s)*dt.size)
	for i, v := range s {
		b := data[i*dt.size:]
		for _, r := range v {
			binary.LittleEndian.PutUint32(b, uint32(r))
			b = b[4:]
		}
	}
	return New(dt, shape, data)
}

// ToSlice returns a copy of the array's elements, in C order, as a []T. The
// dtype's kind and item size must match T (for example "<f8" or ">f8" for
// float64, "|b1" for bool); big-endian data is converted. A bool array
// yields true for every non-zero byte.
func ToSlice[T Element](a *Array) ([]T, error) {
	if err := checkElement[T](a); err != nil {
		return nil, err
	}
	out := make([]T, a.Len())
	dst := asBytes(out)
	copy(dst, a.data)
	if a.dtype.size > 1 && a.dtype.littleEndian() != hostLittleEndian() {
		swapInPlace(dst, componentSize(a.dtype))
	}
	if a.dtype.kind == 'b' {
		for i, c := range dst {
			if c != 0 {
				dst[i] = 1
			}
		}
	}
	return out, nil
}

// View returns the array's elements as a []T that aliases the array's data,
// without copying: writes through either are visible in both. It fails with
// ErrNotViewable when the dtype's byte order is not the host's, when the
// data is not aligned for T, or for a bool array holding bytes other than 0
// and 1; ToSlice works in all those cases.
func View[T Element](a *Array) ([]T, error) {
	if err := checkElement[T](a); err != nil {
		return nil, err
	}
	n := a.Len()
	if n == 0 {
		return []T{}, nil
	}
	if a.dtype.size > 1 && a.dtype.littleEndian() != hostLittleEndian() {
		return nil, fmt.Errorf("%w: %s is not in host byte order", ErrNotViewable, a.dtype)
	}
	p := unsafe.Pointer(unsafe.SliceData(a.data))
	if uintptr(p)%uintptr(reflect.TypeFor[T]().Align()) != 0 {
		return nil, fmt.Errorf("%w: data is not aligned", ErrNotViewable)
	}
	if a.dtype.kind == 'b' {
		for _, c := range a.data {
			if c > 1 {
				return nil, fmt.Errorf("%w: bool byte %d is neither 0 nor 1", ErrNotViewable, c)
			}
		}
	}
	return unsafe.Slice((*T)(p), n), nil
}

// checkElement reports whether a's dtype holds exactly T's kind and size.
func checkElement[T Element](a *Array) error {
	want := DTypeOf[T]()
	if a == nil || a.dtype.kind != want.kind || a.dtype.size != want.size {
		var have DType
		if a != nil {
			have = a.dtype
		}
		return fmt.Errorf("%w: %s array as []%s", ErrTypeMismatch, have, reflect.TypeFor[T]())
	}
	return nil
}

// asBytes returns the memory of s as bytes.
func asBytes[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}

// componentSize is the width of the units whose bytes must be swapped to
// change byte order: half the item size for complex numbers.
func componentSize(d DType) int {
	if d.kind == 'c' {
		return d.size / 2
	}
	return d.size
}

// swapInPlace reverses the bytes of every w-byte unit of b.
func swapInPlace(b []byte, w int) {
	switch w {
	case 2:
		for i := 0; i+1 < len(b); i += 2 {
			b[i], b[i+1] = b[i+1], b[i]
		}
	case 4:
		for i := 0; i+3 < len(b); i += 4 {
			binary.LittleEndian.PutUint32(b[i:], binary.BigEndian.Uint32(b[i:]))
		}
	case 8:
		for i := 0; i+7 < len(b); i += 8 {
			binary.LittleEndian.PutUint64(b[i:], binary.BigEndian.Uint64(b[i:]))
		}
	default:
		for i := 0; i+w <= len(b); i += w {
			slices.Reverse(b[i : i+w])
		}
	}
}

// DType returns the array's dtype.
func (a *Array) DType() DType { return a.dtype }

// Shape returns a copy of the array's shape (empty for a 0-d array).
func (a *Array) Shape() []int { return slices.Clone(a.shape) }

// NDim returns the number of dimensions.
func (a *Array) NDim() int { return len(a.shape) }

// Len returns the number of elements: the product of the shape (1 for a
// 0-d array, 0 for the zero Array).
func (a *Array) Len() int {
	if a.dtype.IsZero() {
		return 0
	}
	n := 1
	for _, s := range a.shape {
		n *= s
	}
	return n
}

// Data returns the raw element bytes in C order and the dtype's byte order.
// The slice aliases the array.
func (a *Array) Data() []byte { return a.data }

// IsZero reports whether a is nil or the zero Array.
func (a *Array) IsZero() bool { return a == nil || a.dtype.IsZero() }

// Reshape returns an array sharing a's data with a new shape holding the
// same number of elements. Reshape() with no dimensions gives a 0-d array.
func (a *Array) Reshape(shape ...int) (*Array, error) {
	if shape == nil {
		shape = []int{}
	}
	return New(a.dtype, shape, a.data)
}

// Equal reports whether a and b have equal dtypes, shapes and bytes.
func (a *Array) Equal(b *Array) bool {
	return a.dtype.Equal(b.dtype) && slices.Equal(a.shape, b.shape) && bytes.Equal(a.data, b.data)
}

// String describes the array's dtype and shape, not its data.
func (a *Array) String() string {
	if a == nil {
		return "ndarray.Array(nil)"
	}
	return fmt.Sprintf("ndarray.Array(%s %v)", a.dtype, a.shape)
}

// Field returns a copy of one named field of a structured array. Its shape
// is the array's shape followed by the field's subarray shape, and its dtype
// the field's (possibly itself structured).
func (a *Array) Field(name string) (*Array, error) {
	i := a.dtype.field(name)
	if i < 0 {
		return nil, fmt.Errorf("%w: %s has no field %q", ErrDType, a.dtype, name)
	}
	f := a.dtype.fields[i]
	sub, err := dataSize(f.DType, f.Shape)
	if err != nil {
		return nil, err
	}
	n := a.Len()
	data := make([]byte, 0, n*sub)
	for r := range n {
		off := r*a.dtype.size + a.dtype.offsets[i]
		data = append(data, a.data[off:off+sub]...)
	}
	return New(f.DType, append(slices.Clone(a.shape), f.Shape...), data)
}

// uintAt reads the unsigned integer of width len(b) in the given order.
func uintAt(b []byte, little bool) uint64 { return UintAt(b, orderOf(little)) }

func orderOf(little bool) binary.ByteOrder {
	if little {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

// UintAt reads one element of width len(b) (1, 2, 4 or 8 bytes) stored in
// the given order (a DType's ByteOrder) as an unsigned integer: the value
// of kinds 'u' and 'b', and the bits of the others.
func UintAt(b []byte, order binary.ByteOrder) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(order.Uint16(b))
	case 4:
		return uint64(order.Uint32(b))
	default:
		return order.Uint64(b)
	}
}

// IntAt reads one element of kind 'i' of width len(b) (1, 2, 4 or 8
// bytes) stored in the given order.
func IntAt(b []byte, order binary.ByteOrder) int64 {
	return signExtend(UintAt(b, order), len(b))
}

// signExtend interprets the low size bytes of u as a two's complement value.
func signExtend(u uint64, size int) int64 {
	shift := 64 - 8*uint(size)
	return int64(u<<shift) >> shift
}

// floatAt reads a numpy float of width len(b) (2, 4 or 8 bytes).
func floatAt(b []byte, little bool) float64 { return FloatAt(b, orderOf(little)) }

// FloatAt reads one element of kind 'f' of width len(b) (2, 4 or 8 bytes:
// float16, float32, float64) stored in the given order, widened to
// float64; a complex element is two of them.
func FloatAt(b []byte, order binary.ByteOrder) float64 {
	u := UintAt(b, order)
	switch len(b) {
	case 2:
		return HalfToFloat64(uint16(u))
	case 4:
		return float64(math.Float32frombits(uint32(u)))
	default:
		return math.Float64frombits(u)
	}
}

// each calls fn with the bytes of every element, in C order.
func (a *Array) each(fn func(i int, b []byte) error) error {
	s := a.dtype.size
	for i := range a.Len() {
		if err := fn(i, a.data[i*s:(i+1)*s]); err != nil {
			return err
		}
	}
	return nil
}

// Float64s converts every element to float64: bool (0 or 1), integer and
// float dtypes of any byte order, including half precision ("<f2").
// Integers beyond 2**53 lose precision. Complex, long double, string,
// datetime and structured dtypes are refused with ErrTypeMismatch.
func (a *Array) Float64s() ([]float64, error) {
	d := a.dtype
	if !(d.kind == 'b' || d.kind == 'i' || d.kind == 'u' || d.kind == 'f' && d.size <= 8) {
		return nil, fmt.Errorf("%w: %s array as []float64", ErrTypeMismatch, d)
	}
	out := make([]float64, a.Len())
	le := d.littleEndian()
	err := a.each(func(i int, b []byte) error {
		switch d.kind {
		case 'f':
			out[i] = floatAt(b, le)
		case 'i':
			out[i] = float64(signExtend(uintAt(b, le), d.size))
		case 'b':
			if b[0] != 0 {
				out[i] = 1
			}
		default:
			out[i] = float64(uintAt(b, le))
		}
		return nil
	})
	return out, err
}

// Int64s converts every element of a bool or integer array to int64.
// Unsigned values above math.MaxInt64 fail with ErrTypeMismatch.
func (a *Array) Int64s() ([]int64, error) {
	d := a.dtype
	if d.kind != 'b' && d.kind != 'i' && d.kind != 'u' {
		return nil, fmt.Errorf("%w: %s array as []int64", ErrTypeMismatch, d)
	}
	out := make([]int64, a.Len())
	le := d.littleEndian()
	err := a.each(func(i int, b []byte) error {
		u := uintAt(b, le)
		switch {
		case d.kind == 'i':
			out[i] = signExtend(u, d.size)
		case d.kind == 'b':
			if u != 0 {
				out[i] = 1
			}
		case u > math.MaxInt64:
			return fmt.Errorf("%w: element %d (%d) overflows int64", ErrTypeMismatch, i, u)
		default:
			out[i] = int64(u)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Uint64s converts every element of a bool or integer array to uint64.
// Negative values fail with ErrTypeMismatch.
func (a *Array) Uint64s() ([]uint64, error) {
	d := a.dtype
	if d.kind != 'b' && d.kind != 'i' && d.kind != 'u' {
		return nil, fmt.Errorf("%w: %s array as []uint64", ErrTypeMismatch, d)
	}
	out := make([]uint64, a.Len())
	le := d.littleEndian()
	err := a.each(func(i int, b []byte) error {
		u := uintAt(b, le)
		switch {
		case d.kind == 'b':
			if u != 0 {
				out[i] = 1
			}
		case d.kind == 'i' && signExtend(u, d.size) < 0:
			return fmt.Errorf("%w: element %d (%d) is negative", ErrTypeMismatch, i, signExtend(u, d.size))
		default:
			out[i] = u
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Complex128s converts every element of a bool, integer, float or complex
// ("c8", "c16") array to complex128.
func (a *Array) Complex128s() ([]complex128, error) {
	d := a.dtype
	if d.kind != 'c' {
		f, err := a.Float64s()
		if err != nil {
			return nil, fmt.Errorf("%w: %s array as []complex128", ErrTypeMismatch, d)
		}
		out := make([]complex128, len(f))
		for i, v := range f {
			out[i] = complex(v, 0)
		}
		return out, nil
	}
	if d.size != 8 && d.size != 16 {
		return nil, fmt.Errorf("%w: %s array as []complex128", ErrTypeMismatch, d)
	}
	out := make([]complex128, a.Len())
	le := d.littleEndian()
	h := d.size / 2
	err := a.each(func(i int, b []byte) error {
		out[i] = complex(floatAt(b[:h], le), floatAt(b[h:], le))
		return nil
	})
	return out, err
}

// Strings converts a bytes ("|S<n>") or unicode ("<U<n>", UCS-4) array to
// strings, dropping trailing NULs as numpy does. Code points that are not
// valid Unicode scalar values become U+FFFD.
func (a *Array) Strings() ([]string, error) {
	d := a.dtype
	if d.kind != 'S' && d.kind != 'U' {
		return nil, fmt.Errorf("%w: %s array as []string", ErrTypeMismatch, d)
	}
	out := make([]string, a.Len())
	le := d.littleEndian()
	err := a.each(func(i int, b []byte) error {
		if d.kind == 'S' {
			out[i] = string(bytes.TrimRight(b, "\x00"))
			return nil
		}
		runes := make([]rune, 0, len(b)/4)
		for j := 0; j+4 <= len(b); j += 4 {
			c := uint32(uintAt(b[j:j+4], le))
			if c > utf8.MaxRune {
				c = utf8.RuneError
			}
			runes = append(runes, rune(c))
		}
		for len(runes) > 0 && runes[len(runes)-1] == 0 {
			runes = runes[:len(runes)-1]
		}
		out[i] = string(runes)
		return nil
	})
	return out, err
}

// HalfToFloat64 converts an IEEE 754 binary16 value (numpy's float16) to
// float64, exactly (a NaN becomes the positive quiet NaN).
func HalfToFloat64(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * math.Ldexp(1+frac/1024, exp-15)
}
