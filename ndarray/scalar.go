package ndarray

import (
	"fmt"
	"math"
)

// Scalar is a numpy scalar such as np.int32(7) or np.float32(1.5), which
// msgpack-numpy sends as {nd: False, type, data}. Note that np.float64 is a
// Python float and travels as a plain msgpack float64, never as a Scalar;
// np.complex128 does travel as a Scalar ("<c16").
//
// The zero Scalar is invalid and encodes as msgpack nil.
type Scalar struct {
	dtype DType
	data  []byte
}

// NewScalar returns a scalar of the given dtype over data, which must be
// exactly one item long. The scalar takes data over without copying.
func NewScalar(dtype DType, data []byte) (Scalar, error) {
	if dtype.IsZero() {
		return Scalar{}, fmt.Errorf("%w: zero dtype", ErrDType)
	}
	if len(data) != dtype.size {
		return Scalar{}, fmt.Errorf("%w: scalar of %s needs %d bytes, got %d", ErrShape, dtype, dtype.size, len(data))
	}
	return Scalar{dtype: dtype, data: data}, nil
}

// ScalarOf returns the numpy scalar holding v, with dtype DTypeOf[T].
// (np.float64 values are better sent as plain Go float64.)
func ScalarOf[T Element](v T) Scalar {
	a, err := FromSlice([]T{v})
	if err != nil {
		panic("ndarray: ScalarOf: " + err.Error()) // unreachable: one element always fills [1]
	}
	return Scalar{dtype: a.dtype, data: a.data}
}

// DType returns the scalar's dtype.
func (s Scalar) DType() DType { return s.dtype }

// Data returns the scalar's raw bytes in its dtype's byte order (aliased).
func (s Scalar) Data() []byte { return s.data }

// IsZero reports whether s is the zero Scalar.
func (s Scalar) IsZero() bool { return s.dtype.IsZero() }

// Array returns the scalar as a 0-d array sharing its bytes.
func (s Scalar) Array() *Array {
	return &Array{dtype: s.dtype, shape: []int{}, data: s.data}
}

// Equal reports whether s and o have equal dtypes and bytes.
func (s Scalar) Equal(o Scalar) bool { return s.Array().Equal(o.Array()) }

// String returns the scalar's value and dtype, for example "7 (<i4)".
func (s Scalar) String() string {
	if v, err := s.Value(); err == nil {
		return fmt.Sprintf("%v (%s)", v, s.dtype)
	}
	return fmt.Sprintf("% x (%s)", s.data, s.dtype)
}

// Value returns the scalar as the matching Go value: bool, int8, int16,
// int32, int64, uint8, uint16, uint32, uint64, float32 (also for half
// precision "f2"), float64, complex64 or complex128. Other dtypes (long
// double, strings, datetimes, structured) fail with ErrTypeMismatch; use
// Data for those.
func (s Scalar) Value() (any, error) {
	d := s.dtype
	if d.IsZero() {
		return nil, fmt.Errorf("%w: zero scalar", ErrTypeMismatch)
	}
	le := d.littleEndian()
	b := s.data
	switch {
	case d.kind == 'b':
		return b[0] != 0, nil
	case d.kind == 'i':
		v := signExtend(uintAt(b, le), d.size)
		switch d.size {
		case 1:
			return int8(v), nil
		case 2:
			return int16(v), nil
		case 4:
			return int32(v), nil
		}
		return v, nil
	case d.kind == 'u':
		v := uintAt(b, le)
		switch d.size {
		case 1:
			return uint8(v), nil
		case 2:
			return uint16(v), nil
		case 4:
			return uint32(v), nil
		}
		return v, nil
	case d.kind == 'f' && d.size <= 4:
		return float32(floatAt(b, le)), nil
	case d.kind == 'f' && d.size == 8:
		return floatAt(b, le), nil
	case d.kind == 'c' && d.size == 8:
		return complex(float32(floatAt(b[:4], le)), float32(floatAt(b[4:], le))), nil
	case d.kind == 'c' && d.size == 16:
		return complex(floatAt(b[:8], le), floatAt(b[8:], le)), nil
	}
	return nil, fmt.Errorf("%w: no Go value for a %s scalar", ErrTypeMismatch, d)
}

// Float64 returns a bool, integer or float scalar as float64.
func (s Scalar) Float64() (float64, error) {
	f, err := s.Array().Float64s()
	if err != nil {
		return math.NaN(), err
	}
	return f[0], nil
}

// Complex is a Python complex number. msgpack-numpy sends Python complex
// values as {complex: True, data: "(1+2j)"} (data is repr(value)); Complex
// encodes and decodes that form. Wrap a complex128 in Complex to publish it,
// because the msgpack library cannot encode complex numbers by itself.
type Complex complex128

// String returns Python's repr of c.
func (c Complex) String() string { return FormatComplex(complex128(c)) }
