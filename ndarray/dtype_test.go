package ndarray

import (
	"encoding/binary"
	"errors"
	"testing"
)

func TestParseDType(t *testing.T) {
	good := []struct {
		s    string
		kind byte
		size int
	}{
		{"<f8", 'f', 8}, {">f4", 'f', 4}, {"<f2", 'f', 2}, {"<f16", 'f', 16},
		{"|u1", 'u', 1}, {">i4", 'i', 4}, {"<i8", 'i', 8}, {"|i1", 'i', 1},
		{"<c16", 'c', 16}, {">c8", 'c', 8}, {"|b1", 'b', 1},
		{"|S5", 'S', 5}, {"|S0", 'S', 0}, {"|a3", 'S', 3}, {"<U3", 'U', 12}, {">U1", 'U', 4},
		{"|V3", 'V', 3}, {"<M8[ns]", 'M', 8}, {"<m8[10s]", 'm', 8}, {"<M8", 'M', 8},
		{"=i4", 'i', 4}, {"f8", 'f', 8},
	}
	for _, g := range good {
		d, err := ParseDType(g.s)
		if err != nil {
			t.Errorf("ParseDType(%q): %v", g.s, err)
			continue
		}
		if d.Kind() != g.kind || d.ItemSize() != g.size || d.String() != g.s || d.IsStructured() {
			t.Errorf("ParseDType(%q) = kind %c size %d str %q", g.s, d.Kind(), d.ItemSize(), d.String())
		}
	}
	bad := []string{"", "<", "<f", "<f3", "<i3", "<b2", "<c4", "<M4", "<M8[", "<M8[n s]", "<f8x", "<x8", "<f99999999999", "<U9999999999"}
	for _, s := range bad {
		if _, err := ParseDType(s); !errors.Is(err, ErrDType) {
			t.Errorf("ParseDType(%q) err = %v, want ErrDType", s, err)
		}
	}
	for _, s := range []string{"|O", "|O8", "O"} {
		if _, err := ParseDType(s); !errors.Is(err, ErrObjectArray) {
			t.Errorf("ParseDType(%q) err = %v, want ErrObjectArray", s, err)
		}
	}
}

func TestByteOrder(t *testing.T) {
	if mustDType(t, "<i4").ByteOrder() != binary.LittleEndian || mustDType(t, ">i4").ByteOrder() != binary.BigEndian {
		t.Fatal("explicit byte orders wrong")
	}
	if mustDType(t, "|u1").ByteOrder() != binary.NativeEndian {
		t.Fatal("| is not native")
	}
}

func TestDTypeOf(t *testing.T) {
	type myFloat float64
	cases := map[string]DType{
		"|b1": DTypeOf[bool](), "|i1": DTypeOf[int8](), "<i2": DTypeOf[int16](), "<i4": DTypeOf[int32](),
		"<i8": DTypeOf[int64](), "|u1": DTypeOf[uint8](), "<u2": DTypeOf[uint16](), "<u4": DTypeOf[uint32](),
		"<u8": DTypeOf[uint64](), "<f4": DTypeOf[float32](), "<f8": DTypeOf[myFloat](),
		"<c8": DTypeOf[complex64](), "<c16": DTypeOf[complex128](),
	}
	for want, d := range cases {
		if d.String() != want {
			t.Errorf("got %q want %q", d, want)
		}
		p := mustDType(t, want)
		if !p.Equal(d) {
			t.Errorf("DTypeOf %q does not equal the parsed dtype", want)
		}
	}
}

func TestStructured(t *testing.T) {
	inner, err := Structured([]Field{{Name: "x", DType: mustDType(t, "<i2")}, {Name: "", DType: mustDType(t, "|V2")}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := Structured([]Field{
		{Name: "a", DType: mustDType(t, "|u1")},
		{Name: "p", DType: inner, Shape: []int{2, 3}},
		{Name: "b", Title: "B title", DType: mustDType(t, ">f8")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.ItemSize() != 1+4*6+8 || d.String() != "|V33" || d.Kind() != 'V' || !d.IsStructured() {
		t.Fatalf("structured = %v size %d", d, d.ItemSize())
	}
	if d.offsets[2] != 25 {
		t.Fatalf("offsets %v", d.offsets)
	}
	f := d.Fields()
	f[1].Shape[0] = 99
	if d.fields[1].Shape[0] != 2 {
		t.Fatal("Fields returned aliased shapes")
	}
	if _, err := Structured([]Field{{Name: "a", DType: inner}, {Name: "a", DType: inner}}); !errors.Is(err, ErrDType) {
		t.Fatalf("duplicate names: %v", err)
	}
	if _, err := Structured([]Field{{Name: "a"}}); !errors.Is(err, ErrDType) {
		t.Fatalf("zero dtype: %v", err)
	}
	if _, err := Structured([]Field{{Name: "a", DType: inner, Shape: []int{-1}}}); !errors.Is(err, ErrShape) {
		t.Fatalf("negative sub-shape: %v", err)
	}
	other, _ := Structured([]Field{{Name: "a", DType: mustDType(t, "|u1")}})
	if d.Equal(other) || !other.Equal(other) {
		t.Fatal("Equal is wrong")
	}
}
