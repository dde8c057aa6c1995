package ndarray

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// unhex decodes a hex dump with optional spaces.
func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustDType(t *testing.T, s string) DType {
	t.Helper()
	d, err := ParseDType(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Byte dumps produced by Debian's msgpack_numpy 0.4.8 (msgpack 1.0.3,
// numpy 1.24) with m.packb(...).
const (
	// {'a': np.array([1.5, 2.0])} (also in the reference, section 2.7)
	pyDictF8 = "81 a1 61 85 c4 02 6e 64 c3 c4 04 74 79 70 65 a3 3c 66 38 c4 04 6b 69 6e 64 c4 00 c4 05 73 68 61 70 65 91 02 c4 04 64 61 74 61 c4 10 00 00 00 00 00 00 f8 3f 00 00 00 00 00 00 00 40"
	// np.int32(7)
	pyScalarI4 = "83 c4 02 6e 64 c2 c4 04 74 79 70 65 a3 3c 69 34 c4 04 64 61 74 61 c4 04 07 00 00 00"
	// 1+2j
	pyComplex = "82 c4 07 63 6f 6d 70 6c 65 78 c3 c4 04 64 61 74 61 a6 28 31 2b 32 6a 29"
	// np.array(3.0)
	py0D = "85 c4 02 6e 64 c3 c4 04 74 79 70 65 a3 3c 66 38 c4 04 6b 69 6e 64 c4 00 c4 05 73 68 61 70 65 90 c4 04 64 61 74 61 c4 08 00 00 00 00 00 00 08 40"
	// np.zeros((0, 3))
	pyEmpty = "85 c4 02 6e 64 c3 c4 04 74 79 70 65 a3 3c 66 38 c4 04 6b 69 6e 64 c4 00 c4 05 73 68 61 70 65 92 00 03 c4 04 64 61 74 61 c4 00"
	// np.array([(1, 2.0, [1, 2])], dtype=[('a','<i4'), ('b','>f8'), ('c','u1',(2,))])
	pyStruct = "85 c4 02 6e 64 c3 c4 04 74 79 70 65 93 92 a1 61 a3 3c 69 34 92 a1 62 a3 3e 66 38 93 a1 63 a3 7c 75 31 91 02 c4 04 6b 69 6e 64 c4 01 56 c4 05 73 68 61 70 65 91 01 c4 04 64 61 74 61 c4 0e 01 00 00 00 40 00 00 00 00 00 00 00 01 02"
	// np.zeros(2, dtype=[('p', [('x','<i2'), ('y','<i2')]), ('q','S3')])
	pyNested = "85 c4 02 6e 64 c3 c4 04 74 79 70 65 92 92 a1 70 92 92 a1 78 a3 3c 69 32 92 a1 79 a3 3c 69 32 92 a1 71 a3 7c 53 33 c4 04 6b 69 6e 64 c4 01 56 c4 05 73 68 61 70 65 91 02 c4 04 64 61 74 61 c4 0e 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	// np.zeros(2, dtype='V3')
	pyVoid = "85 c4 02 6e 64 c3 c4 04 74 79 70 65 91 92 a0 a3 7c 56 33 c4 04 6b 69 6e 64 c4 01 56 c4 05 73 68 61 70 65 91 02 c4 04 64 61 74 61 c4 06 00 00 00 00 00 00"
	// np.array([1, 'a'], dtype=object), pickle shortened to 4 bytes
	pyObject = "85 c4 02 6e 64 c3 c4 04 74 79 70 65 91 92 a0 a2 7c 4f c4 04 6b 69 6e 64 c4 01 4f c4 05 73 68 61 70 65 91 02 c4 04 64 61 74 61 c4 04 80 02 63 2e"
)

func TestEncodeExactBytes(t *testing.T) {
	f8, err := FromSlice([]float64{1.5, 2.0})
	if err != nil {
		t.Fatal(err)
	}
	zero0d, err := FromSlice([]float64{3})
	if err != nil {
		t.Fatal(err)
	}
	zero0d, err = zero0d.Reshape()
	if err != nil {
		t.Fatal(err)
	}
	empty, err := Zeros(DTypeOf[float64](), 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	st, err := Structured([]Field{
		{Name: "a", DType: mustDType(t, "<i4")},
		{Name: "b", DType: mustDType(t, ">f8")},
		{Name: "c", DType: mustDType(t, "|u1"), Shape: []int{2}},
	})
	if err != nil {
		t.Fatal(err)
	}
	stArr, err := New(st, []int{1}, []byte{1, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	inner, err := Structured([]Field{{Name: "x", DType: mustDType(t, "<i2")}, {Name: "y", DType: mustDType(t, "<i2")}})
	if err != nil {
		t.Fatal(err)
	}
	nested, err := Structured([]Field{{Name: "p", DType: inner}, {Name: "q", DType: mustDType(t, "|S3")}})
	if err != nil {
		t.Fatal(err)
	}
	nestedArr, err := Zeros(nested, 2)
	if err != nil {
		t.Fatal(err)
	}
	voidArr, err := Zeros(mustDType(t, "|V3"), 2)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		v    any
		want string
	}{
		{"dict with <f8 array", map[string]any{"a": f8}, pyDictF8},
		{"np.int32 scalar", ScalarOf(int32(7)), pyScalarI4},
		{"python complex", Complex(1 + 2i), pyComplex},
		{"0-d array", zero0d, py0D},
		{"empty (0,3)", empty, pyEmpty},
		{"structured", stArr, pyStruct},
		{"nested structured", nestedArr, pyNested},
		{"plain void", voidArr, pyVoid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := msgpack.Marshal(c.v)
			if err != nil {
				t.Fatal(err)
			}
			if want := unhex(t, c.want); !bytes.Equal(got, want) {
				t.Errorf("bytes differ\n got % x\nwant % x", got, want)
			}
		})
	}
}

func TestEncodeKeysAreBin(t *testing.T) {
	a, err := FromSlice([]uint8{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	b, err := msgpack.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	// Decode the raw structure: every key must be bin ([]byte) and never str.
	dec := msgpack.NewDecoder(bytes.NewReader(b))
	n, err := dec.DecodeMapLen()
	if err != nil || n != 5 {
		t.Fatalf("map len %d, %v", n, err)
	}
	wantKeys := []string{"nd", "type", "kind", "shape", "data"}
	for i := range n {
		c, _ := dec.PeekCode()
		if c != 0xc4 {
			t.Fatalf("key %d has code %#x, want bin8 0xc4", i, c)
		}
		k, _ := dec.DecodeString()
		if k != wantKeys[i] {
			t.Fatalf("key %d = %q, want %q", i, k, wantKeys[i])
		}
		c, _ = dec.PeekCode()
		switch k {
		case "type":
			if c != 0xa3 {
				t.Errorf("type has code %#x, want fixstr", c)
			}
		case "kind", "data":
			if c != 0xc4 {
				t.Errorf("%s has code %#x, want bin8", k, c)
			}
		}
		if err := dec.Skip(); err != nil {
			t.Fatal(err)
		}
	}
}

type msg struct {
	Name  string  `msgpack:"name"`
	Img   Array   `msgpack:"img"`
	Ptr   *Array  `msgpack:"ptr"`
	Count Scalar  `msgpack:"count"`
	Z     Complex `msgpack:"z"`
	Nil   *Array  `msgpack:"nil"`
}

func TestStructFieldsRoundTrip(t *testing.T) {
	img, err := FromSlice([]int16{-1, 2, -3, 4, 5, 6}, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	ptr, err := FromSlice([]complex64{1 + 1i, -2.5})
	if err != nil {
		t.Fatal(err)
	}
	in := msg{Name: "x", Img: *img, Ptr: ptr, Count: ScalarOf(uint16(9)), Z: Complex(complex(-1, 0.5))}
	// By value (the Array field is not addressable) and by pointer.
	for _, v := range []any{in, &in} {
		b, err := msgpack.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var out msg
		if err := msgpack.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		if !out.Img.Equal(img) || !out.Ptr.Equal(ptr) || !out.Count.Equal(in.Count) || out.Z != in.Z || out.Nil != nil || out.Name != "x" {
			t.Fatalf("round trip changed the message: %+v", out)
		}
		vals, err := ToSlice[int16](&out.Img)
		if err != nil || vals[2] != -3 {
			t.Fatalf("img values %v, %v", vals, err)
		}
		cv, err := out.Count.Value()
		if err != nil || cv != uint16(9) {
			t.Fatalf("count %v (%T), %v", cv, cv, err)
		}
	}
	// A zero Array field encodes as nil and decodes back to zero.
	b, err := msgpack.Marshal(msg{})
	if err != nil {
		t.Fatal(err)
	}
	var out msg
	if err := msgpack.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !out.Img.IsZero() || out.Ptr != nil || !out.Count.IsZero() {
		t.Fatalf("zero message decoded as %+v", out)
	}
}

func TestDecodePythonBytes(t *testing.T) {
	var m map[string]Array
	if err := msgpack.Unmarshal(unhex(t, pyDictF8), &m); err != nil {
		t.Fatal(err)
	}
	a := m["a"]
	vals, err := ToSlice[float64](&a)
	if err != nil || len(vals) != 2 || vals[0] != 1.5 || vals[1] != 2 {
		t.Fatalf("values %v, %v", vals, err)
	}

	var s Scalar
	if err := msgpack.Unmarshal(unhex(t, pyScalarI4), &s); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Value(); err != nil || v != int32(7) {
		t.Fatalf("scalar %v (%T), %v", v, v, err)
	}

	var c Complex
	if err := msgpack.Unmarshal(unhex(t, pyComplex), &c); err != nil || c != 1+2i {
		t.Fatalf("complex %v, %v", c, err)
	}

	var st Array
	if err := msgpack.Unmarshal(unhex(t, pyStruct), &st); err != nil {
		t.Fatal(err)
	}
	if st.DType().String() != "|V14" || len(st.DType().Fields()) != 3 {
		t.Fatalf("structured dtype %v %v", st.DType(), st.DType().Fields())
	}
	b, err := st.Field("b")
	if err != nil {
		t.Fatal(err)
	}
	if f, err := b.Float64s(); err != nil || f[0] != 2 {
		t.Fatalf("field b = %v, %v", f, err)
	}
	cf, err := st.Field("c")
	if err != nil {
		t.Fatal(err)
	}
	if got := cf.Shape(); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("field c shape %v", got)
	}
	if cb, _ := ToSlice[uint8](cf); cb[0] != 1 || cb[1] != 2 {
		t.Fatalf("field c = %v", cb)
	}

	// Python's bytes survive a Go decode/encode cycle unchanged.
	for _, h := range []string{py0D, pyEmpty, pyStruct, pyNested, pyVoid} {
		var a Array
		if err := msgpack.Unmarshal(unhex(t, h), &a); err != nil {
			t.Fatal(err)
		}
		got, err := msgpack.Marshal(&a)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, unhex(t, h)) {
			t.Errorf("re-encoding changed bytes\n got % x\nwant %s", got, h)
		}
	}
}

func TestDecodeStrKeysAccepted(t *testing.T) {
	// A sender that used str keys: a typed Go decode still accepts it.
	b, err := msgpack.Marshal(map[string]any{"nd": true, "type": "<u2", "kind": "", "shape": []int{2}, "data": []byte{1, 0, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	var a Array
	if err := msgpack.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if v, _ := ToSlice[uint16](&a); v[0] != 1 || v[1] != 256 {
		t.Fatalf("values %v", v)
	}
}

func TestDecodeRefusesObjectArray(t *testing.T) {
	var a Array
	err := msgpack.Unmarshal(unhex(t, pyObject), &a)
	if !errors.Is(err, ErrObjectArray) {
		t.Fatalf("object array: err = %v, want ErrObjectArray", err)
	}
	// Object field inside a structured dtype: raw pointers, refused too.
	b, _ := msgpack.Marshal(map[string]any{"nd": true, "type": []any{[]any{"a", "|O"}, []any{"b", "<i4"}}, "kind": []byte("V"), "shape": []int{1}, "data": make([]byte, 12)})
	if err := msgpack.Unmarshal(b, &a); !errors.Is(err, ErrObjectArray) {
		t.Fatalf("object field: err = %v, want ErrObjectArray", err)
	}
	if _, err := ParseDType("|O"); !errors.Is(err, ErrObjectArray) {
		t.Fatalf("ParseDType(|O) err = %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	enc := func(m map[string]any) []byte {
		b, err := msgpack.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	arr := func(typ any, shape any, data any) []byte {
		return enc(map[string]any{"nd": true, "type": typ, "kind": []byte{}, "shape": shape, "data": data})
	}
	cases := []struct {
		name string
		in   []byte
		into any
		want error
	}{
		{"short data", arr("<f8", []int{2}, make([]byte, 15)), &Array{}, ErrShape},
		{"long data", arr("<f8", []int{2}, make([]byte, 17)), &Array{}, ErrShape},
		{"negative dim", arr("<f8", []int{-1}, []byte{}), &Array{}, ErrShape},
		{"bad dtype", arr("<f7", []int{1}, make([]byte, 7)), &Array{}, ErrDType},
		{"unknown kind", arr("<q8", []int{1}, make([]byte, 8)), &Array{}, ErrDType},
		{"shape not a list", arr("<f8", 2, make([]byte, 16)), &Array{}, ErrMalformed},
		{"data not bin", arr("<f8", []int{1}, 5), &Array{}, ErrMalformed},
		{"scalar into Array", unhex(t, pyScalarI4), &Array{}, ErrNotArray},
		{"complex into Array", unhex(t, pyComplex), &Array{}, ErrNotArray},
		{"plain map into Array", enc(map[string]any{"x": 1}), &Array{}, ErrNotArray},
		{"array into Scalar", unhex(t, py0D), &Scalar{}, ErrNotArray},
		{"array into Complex", unhex(t, py0D), new(Complex), ErrNotArray},
		{"scalar too short", enc(map[string]any{"nd": false, "type": "<i4", "data": []byte{1}}), &Scalar{}, ErrShape},
		{"complex garbage", enc(map[string]any{"complex": true, "data": "(1+2)"}), new(Complex), ErrMalformed},
		{"not a map", []byte{0x01}, &Array{}, ErrNotArray},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := msgpack.Unmarshal(c.in, c.into)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestDecodeForgedLengthIsRejectedBeforeReading(t *testing.T) {
	// A bin32 header claiming 2 GiB of data for a 2-element array, with no
	// data following: refused from the header alone.
	head := unhex(t, "85 c4 02 6e 64 c3 c4 04 74 79 70 65 a3 3c 66 38 c4 04 6b 69 6e 64 c4 00 c4 05 73 68 61 70 65 91 02 c4 04 64 61 74 61 c6 80 00 00 00")
	var a Array
	if err := msgpack.Unmarshal(head, &a); !errors.Is(err, ErrShape) {
		t.Fatalf("err = %v, want ErrShape", err)
	}
	// Data before type and shape: read as it arrives, so a truncated input
	// fails instead of allocating the claimed size.
	early := unhex(t, "82 c4 04 64 61 74 61 c6 80 00 00 00 01 02")
	if err := msgpack.Unmarshal(early, &a); err == nil {
		t.Fatal("truncated data decoded without error")
	}
}

func TestDecodeDataBeforeShape(t *testing.T) {
	// Key order does not matter.
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	_ = enc.EncodeMapLen(4)
	for _, kv := range []struct {
		k string
		v any
	}{{"data", []byte{1, 2, 3, 4}}, {"shape", []int{2, 2}}, {"nd", true}, {"type", "|i1"}} {
		_ = encodeKey(enc, kv.k)
		_ = enc.Encode(kv.v)
	}
	var a Array
	if err := msgpack.Unmarshal(buf.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	if v, _ := a.Int64s(); len(v) != 4 || v[3] != 4 || a.NDim() != 2 {
		t.Fatalf("values %v shape %v", v, a.Shape())
	}
}
