package ndarray

import (
	"errors"
	"math"
	"slices"
	"testing"
	"unsafe"
)

// roundTrip checks FromSlice then ToSlice and View for one element type.
func roundTrip[T Element](t *testing.T, in []T, wantDType string) {
	t.Helper()
	a, err := FromSlice(in)
	if err != nil {
		t.Fatal(err)
	}
	if a.DType().String() != wantDType || a.Len() != len(in) || len(a.Data()) != len(in)*a.DType().ItemSize() {
		t.Fatalf("%T: dtype %s len %d bytes %d", in, a.DType(), a.Len(), len(a.Data()))
	}
	out, err := ToSlice[T](a)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(in, out) {
		t.Fatalf("%T: ToSlice = %v, want %v", in, out, in)
	}
	v, err := View[T](a)
	if err != nil {
		t.Fatalf("%T: View: %v", in, err)
	}
	if !slices.Equal(in, v) {
		t.Fatalf("%T: View = %v, want %v", in, v, in)
	}
}

func TestFromSliceToSliceAllTypes(t *testing.T) {
	roundTrip(t, []bool{true, false, true}, "|b1")
	roundTrip(t, []int8{math.MinInt8, -1, math.MaxInt8}, "|i1")
	roundTrip(t, []int16{math.MinInt16, -1, math.MaxInt16}, "<i2")
	roundTrip(t, []int32{math.MinInt32, -1, math.MaxInt32}, "<i4")
	roundTrip(t, []int64{math.MinInt64, -1, math.MaxInt64}, "<i8")
	roundTrip(t, []uint8{0, 1, math.MaxUint8}, "|u1")
	roundTrip(t, []uint16{0, 1, math.MaxUint16}, "<u2")
	roundTrip(t, []uint32{0, 1, math.MaxUint32}, "<u4")
	roundTrip(t, []uint64{0, 1, math.MaxUint64}, "<u8")
	roundTrip(t, []float32{-1.5, float32(math.Inf(1)), math.SmallestNonzeroFloat32}, "<f4")
	roundTrip(t, []float64{-1.5, math.Inf(-1), math.MaxFloat64}, "<f8")
	roundTrip(t, []complex64{1 + 2i, -3.5i}, "<c8")
	roundTrip(t, []complex128{1 + 2i, complex(math.Inf(1), -0.25)}, "<c16")
	roundTrip(t, []int{}, DTypeOf[int]().String())
}

func TestLittleEndianBytes(t *testing.T) {
	a, err := FromSlice([]int32{0x01020304, -2})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{4, 3, 2, 1, 0xfe, 0xff, 0xff, 0xff}
	if !slices.Equal(a.Data(), want) {
		t.Fatalf("data % x, want % x", a.Data(), want)
	}
	c, _ := FromSlice([]complex64{complex(1, 2)})
	if !slices.Equal(c.Data(), []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40}) {
		t.Fatalf("complex64 data % x", c.Data())
	}
}

func TestBigEndian(t *testing.T) {
	a, err := New(mustDType(t, ">i4"), []int{2}, []byte{0, 0, 1, 2, 0xff, 0xff, 0xff, 0xfe})
	if err != nil {
		t.Fatal(err)
	}
	v, err := ToSlice[int32](a)
	if err != nil || v[0] != 258 || v[1] != -2 {
		t.Fatalf("ToSlice = %v, %v", v, err)
	}
	if f, _ := a.Float64s(); f[0] != 258 || f[1] != -2 {
		t.Fatalf("Float64s = %v", f)
	}
	if _, err := View[int32](a); hostLittleEndian() && !errors.Is(err, ErrNotViewable) {
		t.Fatalf("View of big-endian data: %v", err)
	}
	c, err := New(mustDType(t, ">c16"), []int{1}, []byte{0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	if z, _ := ToSlice[complex128](c); z[0] != complex(1, -2) {
		t.Fatalf("big-endian complex = %v", z)
	}
	if z, _ := c.Complex128s(); z[0] != complex(1, -2) {
		t.Fatalf("Complex128s = %v", z)
	}
	h, err := New(mustDType(t, ">f2"), []int{3}, []byte{0x3c, 0x00, 0xc0, 0x00, 0x7c, 0x00})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := h.Float64s(); f[0] != 1 || f[1] != -2 || !math.IsInf(f[2], 1) {
		t.Fatalf("half floats = %v", f)
	}
}

func TestViewAliases(t *testing.T) {
	a, _ := FromSlice([]float64{1, 2, 3})
	v, err := View[float64](a)
	if err != nil {
		t.Fatal(err)
	}
	v[1] = 42
	if f, _ := a.Float64s(); f[1] != 42 {
		t.Fatalf("View does not alias: %v", f)
	}
	b, _ := New(DTypeOf[bool](), []int{2}, []byte{1, 7})
	if _, err := View[bool](b); !errors.Is(err, ErrNotViewable) {
		t.Fatalf("bool view of byte 7: %v", err)
	}
	if s, _ := ToSlice[bool](b); !s[1] {
		t.Fatalf("ToSlice bool = %v", s)
	}
	buf := make([]byte, 32)
	off := 1
	if uintptr(unsafe.Pointer(&buf[off]))%8 == 0 {
		off = 2
	}
	odd, _ := New(DTypeOf[float64](), []int{1}, buf[off:off+8])
	if _, err := View[float64](odd); !errors.Is(err, ErrNotViewable) {
		t.Fatalf("misaligned view: %v", err)
	}
}

func TestTypeMismatch(t *testing.T) {
	a, _ := FromSlice([]float64{1})
	if _, err := ToSlice[float32](a); !errors.Is(err, ErrTypeMismatch) {
		t.Fatalf("float32 of <f8: %v", err)
	}
	if _, err := ToSlice[int64](a); !errors.Is(err, ErrTypeMismatch) {
		t.Fatalf("int64 of <f8: %v", err)
	}
	if _, err := a.Int64s(); !errors.Is(err, ErrTypeMismatch) {
		t.Fatalf("Int64s of <f8: %v", err)
	}
	if _, err := a.Strings(); !errors.Is(err, ErrTypeMismatch) {
		t.Fatalf("Strings of <f8: %v", err)
	}
	u, _ := FromSlice([]uint64{math.MaxUint64})
	if _, err := u.Int64s(); !errors.Is(err, ErrTypeMismatch) {
		t.Fatalf("Int64s overflow: %v", err)
	}
	i, _ := FromSlice([]int8{-1})
	if _, err := i.Uint64s(); !errors.Is(err, ErrTypeMismatch) {
		t.Fatalf("Uint64s of -1: %v", err)
	}
	if v, _ := i.Int64s(); v[0] != -1 {
		t.Fatalf("Int64s = %v", v)
	}
	ld, _ := Zeros(mustDType(t, "<f16"), 1)
	if _, err := ld.Float64s(); !errors.Is(err, ErrTypeMismatch) {
		t.Fatalf("Float64s of long double: %v", err)
	}
	var nilArr *Array
	if _, err := ToSlice[int8](nilArr); !errors.Is(err, ErrTypeMismatch) {
		t.Fatalf("nil array: %v", err)
	}
}

func TestShapeValidation(t *testing.T) {
	dt := DTypeOf[int32]()
	if _, err := New(dt, []int{2, 3}, make([]byte, 23)); !errors.Is(err, ErrShape) {
		t.Fatalf("short data: %v", err)
	}
	if _, err := New(dt, []int{2, -3}, nil); !errors.Is(err, ErrShape) {
		t.Fatalf("negative dim: %v", err)
	}
	if _, err := New(dt, []int{math.MaxInt / 2, 3}, nil); !errors.Is(err, ErrShape) {
		t.Fatalf("overflow: %v", err)
	}
	if _, err := New(DType{}, nil, nil); !errors.Is(err, ErrDType) {
		t.Fatalf("zero dtype: %v", err)
	}
	if _, err := FromSlice([]int32{1, 2, 3}, 2, 2); !errors.Is(err, ErrShape) {
		t.Fatalf("FromSlice mismatch: %v", err)
	}
	a, err := FromSlice([]int32{1, 2, 3, 4, 5, 6}, 1, 2, 3, 1)
	if err != nil || a.NDim() != 4 || a.Len() != 6 {
		t.Fatalf("4-D: %v %v", a, err)
	}
	shape := a.Shape()
	shape[0] = 7
	if a.Shape()[0] != 1 {
		t.Fatal("Shape returned an alias")
	}
	r, err := a.Reshape(6)
	if err != nil || r.NDim() != 1 {
		t.Fatalf("reshape: %v %v", r, err)
	}
	if _, err := a.Reshape(4); !errors.Is(err, ErrShape) {
		t.Fatalf("bad reshape: %v", err)
	}
	s, _ := FromSlice([]float64{5})
	z, err := s.Reshape()
	if err != nil || z.NDim() != 0 || z.Len() != 1 {
		t.Fatalf("0-d: %v %v", z, err)
	}
	e, err := Zeros(dt, 0)
	if err != nil || e.Len() != 0 || e.Data() == nil {
		t.Fatalf("empty: %v %v", e, err)
	}
}

func TestStrings(t *testing.T) {
	u, err := FromStrings([]string{"ab", "", "héé"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if u.DType().String() != "<U3" {
		t.Fatalf("dtype %s", u.DType())
	}
	if s, _ := u.Strings(); !slices.Equal(s, []string{"ab", "", "héé"}) {
		t.Fatalf("Strings = %q", s)
	}
	be, _ := New(mustDType(t, ">U2"), []int{1}, []byte{0, 0, 0, 'h', 0, 1, 0xf6, 0x00})
	if s, _ := be.Strings(); s[0] != "h\U0001f600" {
		t.Fatalf("big-endian U = %q", s)
	}
	b, _ := New(mustDType(t, "|S3"), []int{2}, []byte("ab\x00xyz"))
	if s, _ := b.Strings(); !slices.Equal(s, []string{"ab", "xyz"}) {
		t.Fatalf("S = %q", s)
	}
	if e, err := FromStrings(nil); err != nil || e.DType().String() != "<U1" || e.Len() != 0 {
		t.Fatalf("empty strings: %v %v", e, err)
	}
}

func TestFieldOfStructured(t *testing.T) {
	inner, _ := Structured([]Field{{Name: "x", DType: mustDType(t, "<i2")}, {Name: "y", DType: mustDType(t, ">i2")}})
	d, err := Structured([]Field{{Name: "id", DType: mustDType(t, "|u1")}, {Name: "pt", DType: inner, Shape: []int{2}}})
	if err != nil {
		t.Fatal(err)
	}
	// Two records: id, then two (x, y) points.
	data := []byte{
		7, 1, 0, 0, 2, 3, 0, 0, 4,
		8, 5, 0, 0, 6, 7, 0, 0, 8,
	}
	a, err := New(d, []int{2}, data)
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := a.Field("id")
	if v, _ := ids.Int64s(); !slices.Equal(v, []int64{7, 8}) {
		t.Fatalf("id = %v", v)
	}
	pt, err := a.Field("pt")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pt.Shape(), []int{2, 2}) || !pt.DType().IsStructured() {
		t.Fatalf("pt shape %v dtype %v", pt.Shape(), pt.DType())
	}
	y, _ := pt.Field("y")
	if v, _ := y.Int64s(); !slices.Equal(v, []int64{2, 4, 6, 8}) {
		t.Fatalf("pt.y = %v", v)
	}
	if _, err := a.Field("nope"); !errors.Is(err, ErrDType) {
		t.Fatalf("missing field: %v", err)
	}
}

func TestScalarValues(t *testing.T) {
	cases := []struct {
		s    Scalar
		want any
	}{
		{ScalarOf(true), true}, {ScalarOf(int8(-3)), int8(-3)}, {ScalarOf(int16(-3)), int16(-3)},
		{ScalarOf(int32(-3)), int32(-3)}, {ScalarOf(int64(-3)), int64(-3)}, {ScalarOf(uint8(3)), uint8(3)},
		{ScalarOf(uint16(3)), uint16(3)}, {ScalarOf(uint32(3)), uint32(3)}, {ScalarOf(uint64(3)), uint64(3)},
		{ScalarOf(float32(1.5)), float32(1.5)}, {ScalarOf(2.5), 2.5},
		{ScalarOf(complex64(1 + 2i)), complex64(1 + 2i)}, {ScalarOf(1 + 2i), 1 + 2i},
	}
	for _, c := range cases {
		v, err := c.s.Value()
		if err != nil || v != c.want {
			t.Errorf("%s: Value = %v (%T), %v; want %v (%T)", c.s.DType(), v, v, err, c.want, c.want)
		}
	}
	half, err := NewScalar(mustDType(t, "<f2"), []byte{0x00, 0x3c})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := half.Value(); v != float32(1) {
		t.Fatalf("half = %v", v)
	}
	if f, _ := ScalarOf(int16(-4)).Float64(); f != -4 {
		t.Fatalf("Float64 = %v", f)
	}
	if _, err := NewScalar(DTypeOf[int32](), []byte{1}); !errors.Is(err, ErrShape) {
		t.Fatalf("short scalar: %v", err)
	}
	if s := ScalarOf(int32(7)).String(); s != "7 (<i4)" {
		t.Fatalf("String = %q", s)
	}
}
