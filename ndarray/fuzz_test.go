package ndarray

import (
	"bytes"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// FuzzDecode decodes arbitrary bytes as msgpack-numpy values (Array,
// Scalar, Complex): no input may panic, and what decodes re-encodes to
// bytes that decode to the same value and re-encode identically. The
// accessors of a decoded array never panic either.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{pyDictF8[9:], pyScalarI4, pyComplex, py0D, pyEmpty, pyStruct, pyNested, pyVoid, pyObject} {
		b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, p := range hostileInputs() {
		f.Add(p)
	}
	f.Add(arrayMap("<f-8", 1, []byte{2}, make([]byte, 16)))
	f.Add(arrayMap("<i16", 1, []byte{1}, make([]byte, 16)))
	f.Add(arrayMap(">c16", 1, []byte{1}, make([]byte, 16)))
	f.Add(arrayMap("<U2", 2, []byte{1, 1}, []byte{'h', 0, 0, 0, 'i', 0, 0, 0}))
	f.Add(arrayMap("|a0", 2, append(be64(0xd3, 7003312942825373696), 0), nil)) // int64 dimension: TestDimensionBoundAnyIntType
	f.Fuzz(func(t *testing.T, data []byte) {
		var a Array
		if err := msgpack.Unmarshal(data, &a); err == nil && !a.IsZero() {
			exercise(&a)
			enc, err := msgpack.Marshal(&a)
			if err != nil {
				t.Fatalf("Marshal(%v): %v", &a, err)
			}
			var b Array
			if err := msgpack.Unmarshal(enc, &b); err != nil {
				t.Fatalf("re-decoding %v: %v", &a, err)
			}
			if b.DType().String() != a.DType().String() || !slices.Equal(b.Shape(), a.Shape()) || !bytes.Equal(b.Data(), a.Data()) {
				t.Fatalf("round trip changed %v into %v", &a, &b)
			}
			if enc2, err := msgpack.Marshal(&b); err != nil || !bytes.Equal(enc, enc2) {
				t.Fatalf("re-encoding is not stable: %v", err)
			}
		}
		var s Scalar
		if err := msgpack.Unmarshal(data, &s); err == nil && !s.IsZero() {
			_, _ = s.Value()
			_ = s.String()
			enc, err := msgpack.Marshal(s)
			if err != nil {
				t.Fatalf("Marshal(%v): %v", s, err)
			}
			var s2 Scalar
			if err := msgpack.Unmarshal(enc, &s2); err != nil || !s2.Equal(s) {
				t.Fatalf("scalar round trip: %v", err)
			}
		}
		var c Complex
		if err := msgpack.Unmarshal(data, &c); err == nil {
			enc, err := msgpack.Marshal(c)
			if err != nil {
				t.Fatalf("Marshal(%v): %v", c, err)
			}
			var c2 Complex
			if err := msgpack.Unmarshal(enc, &c2); err != nil || c2.String() != c.String() {
				t.Fatalf("complex round trip %v -> %v: %v", c, c2, err)
			}
		}
	})
}

// exercise calls every accessor that reads the elements; errors are fine.
func exercise(a *Array) {
	_, _ = a.Float64s()
	_, _ = a.Int64s()
	_, _ = a.Uint64s()
	_, _ = a.Complex128s()
	_, _ = a.Strings()
	_, _ = ToSlice[float64](a)
	_, _ = View[uint8](a)
	_ = a.Len()
	_ = a.String()
	for _, f := range a.DType().Fields() {
		if g, err := a.Field(f.Name); err == nil {
			exercise(g)
		}
	}
}
