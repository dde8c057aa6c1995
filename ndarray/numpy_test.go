package ndarray

import (
	"bytes"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/gobanyan/banyan/internal/testpeer"
)

// Files exchanged with testdata/numpy_peer.py (outer containers are plain
// msgpack; "packed" entries are msgpack-numpy bytes).

type pyField struct {
	DType  string `msgpack:"dtype"`
	Shape  []int  `msgpack:"shape"`
	Values []any  `msgpack:"values"`
}

type pyCase struct {
	Name   string             `msgpack:"name"`
	Form   string             `msgpack:"form"`
	Packed []byte             `msgpack:"packed"`
	DType  string             `msgpack:"dtype"`
	Shape  []int              `msgpack:"shape"`
	Values []any              `msgpack:"values"`
	Fields map[string]pyField `msgpack:"fields"`
}

type pyFile struct {
	Cases       []pyCase `msgpack:"cases"`
	Message     []byte   `msgpack:"message"`
	Object      []byte   `msgpack:"object"`
	ObjectField []byte   `msgpack:"object_field"`
}

type goCase struct {
	Name   string `msgpack:"name"`
	Form   string `msgpack:"form"`
	Packed []byte `msgpack:"packed"`
	DType  string `msgpack:"dtype,omitempty"`
	Shape  []int  `msgpack:"shape"`
	Raw    []byte `msgpack:"raw"`
	Values []any  `msgpack:"values"`
	Descr  any    `msgpack:"descr,omitempty"`
}

type goFile struct {
	Echo    []goCase `msgpack:"echo"`
	Made    []goCase `msgpack:"made"`
	Message []byte   `msgpack:"message"`
}

func runPeer(t *testing.T, py string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), py, append([]string{filepath.Join("testdata", "numpy_peer.py")}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("numpy_peer.py %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestNumpyPeer runs both directions against real numpy and msgpack_numpy:
// Python's arrays, scalars and complex numbers are decoded and checked in
// Go and encoded back; Go-built values are checked by Python.
func TestNumpyPeer(t *testing.T) {
	py := testpeer.Python(t, "numpy", "msgpack", "msgpack_numpy")
	dir := t.TempDir()
	genPath := filepath.Join(dir, "from_python.msgpack")
	runPeer(t, py, "gen", genPath)
	raw, err := os.ReadFile(genPath)
	if err != nil {
		t.Fatal(err)
	}
	var in pyFile
	if err := msgpack.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	if len(in.Cases) < 60 {
		t.Fatalf("only %d cases from Python", len(in.Cases))
	}

	var out goFile
	for _, c := range in.Cases {
		t.Run("py/"+c.Name, func(t *testing.T) {
			echo := checkPythonCase(t, c)
			out.Echo = append(out.Echo, goCase{Name: c.Name, Packed: echo})
		})
	}
	t.Run("py/message", func(t *testing.T) { checkPythonMessage(t, in.Message) })
	t.Run("py/object", func(t *testing.T) { checkPythonObject(t, in.Object, in.ObjectField) })

	out.Made = madeInGo(t)
	out.Message = goMessage(t)
	b, err := msgpack.Marshal(&out)
	if err != nil {
		t.Fatal(err)
	}
	goPath := filepath.Join(dir, "from_go.msgpack")
	if err := os.WriteFile(goPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Log(runPeer(t, py, "check", goPath))
}

// checkPythonCase decodes one Python value, checks it against Python's
// description, and returns Go's re-encoding (which must be byte-identical).
func checkPythonCase(t *testing.T, c pyCase) []byte {
	t.Helper()
	var v any
	switch c.Form {
	case "array":
		var a Array
		if err := msgpack.Unmarshal(c.Packed, &a); err != nil {
			t.Fatal(err)
		}
		checkArray(t, &a, c.DType, c.Shape, c.Values)
		for name, f := range c.Fields {
			fa, err := a.Field(name)
			if err != nil {
				t.Fatal(err)
			}
			checkArray(t, fa, f.DType, f.Shape, f.Values)
		}
		if c.Fields != nil && len(c.Fields) == 0 {
			t.Fatal("structured case without fields")
		}
		v = &a
	case "scalar":
		var s Scalar
		if err := msgpack.Unmarshal(c.Packed, &s); err != nil {
			t.Fatal(err)
		}
		checkArray(t, s.Array(), c.DType, c.Shape, c.Values)
		val, err := s.Value()
		if err != nil {
			t.Fatal(err)
		}
		if f, err := s.Float64(); err == nil && (s.DType().Kind() == 'f' || s.DType().Kind() == 'i') {
			if !sameFloat(f, asFloat(t, c.Values[0])) {
				t.Fatalf("Float64 = %v, want %v", f, c.Values[0])
			}
		}
		t.Logf("%s -> %v (%T)", c.Name, val, val)
		v = s
	case "complex":
		var z Complex
		if err := msgpack.Unmarshal(c.Packed, &z); err != nil {
			t.Fatal(err)
		}
		want := complex(asFloat(t, c.Values[0]), asFloat(t, c.Values[1]))
		if !sameComplex(complex128(z), want) {
			t.Fatalf("complex = %v, want %v", z, want)
		}
		v = z
	default:
		t.Fatalf("unknown form %q", c.Form)
	}
	b, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, c.Packed) {
		n := min(len(b), len(c.Packed), 200)
		t.Fatalf("Go re-encoding differs from msgpack_numpy\n got % x\nwant % x", b[:n], c.Packed[:n])
	}
	// The generic path rebuilds the same value.
	var g any
	if err := msgpack.Unmarshal(c.Packed, &g); err != nil {
		t.Fatal(err)
	}
	r, err := Rebuild(g)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := msgpack.Marshal(r)
	if err != nil {
		if _, isComplex := r.(complex128); !isComplex {
			t.Fatal(err)
		}
		rb, err = msgpack.Marshal(Complex(r.(complex128)))
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(rb, c.Packed) {
		t.Fatalf("Rebuild result (%T) re-encodes differently", r)
	}
	return b
}

func checkArray(t *testing.T, a *Array, dtype string, shape []int, values []any) {
	t.Helper()
	if a.DType().String() != dtype {
		t.Fatalf("dtype %q, want %q", a.DType(), dtype)
	}
	if !slices.Equal(a.Shape(), shape) {
		t.Fatalf("shape %v, want %v", a.Shape(), shape)
	}
	if values == nil {
		return
	}
	d := a.DType()
	switch d.Kind() {
	case 'b':
		got, err := ToSlice[bool](a)
		if err != nil {
			t.Fatal(err)
		}
		compare(t, len(got), len(values), func(i int) bool { return got[i] == values[i].(bool) })
	case 'i':
		got, err := a.Int64s()
		if err != nil {
			t.Fatal(err)
		}
		typed := typedInts(t, a)
		compare(t, len(got), len(values), func(i int) bool {
			w := asInt(t, values[i])
			return got[i] == w && typed[i] == w
		})
	case 'u':
		got, err := a.Uint64s()
		if err != nil {
			t.Fatal(err)
		}
		typed := typedUints(t, a)
		compare(t, len(got), len(values), func(i int) bool {
			w := asUint(t, values[i])
			return got[i] == w && typed[i] == w
		})
	case 'f':
		got, err := a.Float64s()
		if err != nil {
			t.Fatal(err)
		}
		typed := got
		switch d.ItemSize() {
		case 4:
			typed = widen(t, must[[]float32](t)(ToSlice[float32](a)), func(v float32) float64 { return float64(v) })
		case 8:
			typed = must[[]float64](t)(ToSlice[float64](a))
		}
		compare(t, len(got), len(values), func(i int) bool {
			w := asFloat(t, values[i])
			return sameFloat(got[i], w) && sameFloat(typed[i], w)
		})
	case 'c':
		got, err := a.Complex128s()
		if err != nil {
			t.Fatal(err)
		}
		var typed []complex128
		if d.ItemSize() == 8 {
			typed = widen(t, must[[]complex64](t)(ToSlice[complex64](a)), func(v complex64) complex128 { return complex128(v) })
		} else {
			typed = must[[]complex128](t)(ToSlice[complex128](a))
		}
		if 2*len(got) != len(values) {
			t.Fatalf("%d complex values, want %d components", len(got), len(values))
		}
		compare(t, len(got), len(got), func(i int) bool {
			w := complex(asFloat(t, values[2*i]), asFloat(t, values[2*i+1]))
			return sameComplex(got[i], w) && sameComplex(typed[i], w)
		})
	case 'S', 'U':
		got, err := a.Strings()
		if err != nil {
			t.Fatal(err)
		}
		compare(t, len(got), len(values), func(i int) bool { return got[i] == textOf(values[i]) })
	case 'M', 'm':
		order := d.String()[:1]
		i8, err := New(mustDType(t, order+"i8"), a.Shape(), a.Data())
		if err != nil {
			t.Fatal(err)
		}
		got, _ := i8.Int64s()
		compare(t, len(got), len(values), func(i int) bool { return got[i] == asInt(t, values[i]) })
	default:
		t.Fatalf("no value check for %s", d)
	}
}

// compare checks n elements against m expected values with eq.
func compare(t *testing.T, n, m int, eq func(i int) bool) {
	t.Helper()
	if n != m {
		t.Fatalf("%d values, want %d", n, m)
	}
	for i := range n {
		if !eq(i) {
			t.Fatalf("value %d differs", i)
		}
	}
}

// must returns a function that fails the test on error.
func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// widen converts every element with f.
func widen[T, W any](t *testing.T, s []T, f func(T) W) []W {
	t.Helper()
	out := make([]W, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

// typedInts reads a signed array through ToSlice of its exact Go type.
func typedInts(t *testing.T, a *Array) []int64 {
	switch a.DType().ItemSize() {
	case 1:
		return widen(t, must[[]int8](t)(ToSlice[int8](a)), func(v int8) int64 { return int64(v) })
	case 2:
		return widen(t, must[[]int16](t)(ToSlice[int16](a)), func(v int16) int64 { return int64(v) })
	case 4:
		return widen(t, must[[]int32](t)(ToSlice[int32](a)), func(v int32) int64 { return int64(v) })
	}
	return must[[]int64](t)(ToSlice[int64](a))
}

// typedUints reads an unsigned array through ToSlice of its exact Go type.
func typedUints(t *testing.T, a *Array) []uint64 {
	switch a.DType().ItemSize() {
	case 1:
		return widen(t, must[[]uint8](t)(ToSlice[uint8](a)), func(v uint8) uint64 { return uint64(v) })
	case 2:
		return widen(t, must[[]uint16](t)(ToSlice[uint16](a)), func(v uint16) uint64 { return uint64(v) })
	case 4:
		return widen(t, must[[]uint32](t)(ToSlice[uint32](a)), func(v uint32) uint64 { return uint64(v) })
	}
	return must[[]uint64](t)(ToSlice[uint64](a))
}

func sameFloat(a, b float64) bool {
	return math.IsNaN(a) && math.IsNaN(b) || math.Float64bits(a) == math.Float64bits(b)
}

func asInt(t *testing.T, v any) int64 {
	t.Helper()
	switch n := v.(type) {
	case int8:
		return int64(n)
	case int16:
		return int64(n)
	case int32:
		return int64(n)
	case int64:
		return n
	case uint8:
		return int64(n)
	case uint16:
		return int64(n)
	case uint32:
		return int64(n)
	case uint64:
		if n > math.MaxInt64 {
			t.Fatalf("%d overflows int64", n)
		}
		return int64(n)
	}
	t.Fatalf("%v (%T) is not an integer", v, v)
	return 0
}

func asUint(t *testing.T, v any) uint64 {
	t.Helper()
	switch n := v.(type) {
	case uint8:
		return uint64(n)
	case uint16:
		return uint64(n)
	case uint32:
		return uint64(n)
	case uint64:
		return n
	}
	i := asInt(t, v)
	if i < 0 {
		t.Fatalf("%d is negative", i)
	}
	return uint64(i)
}

func asFloat(t *testing.T, v any) float64 {
	t.Helper()
	switch f := v.(type) {
	case float64:
		return f
	case float32:
		return float64(f)
	}
	return float64(asInt(t, v))
}

func checkPythonMessage(t *testing.T, packed []byte) {
	type message struct {
		Name  string  `msgpack:"name"`
		Image *Array  `msgpack:"image"`
		List  []any   `msgpack:"list"`
		Z     Complex `msgpack:"z"`
		N     int     `msgpack:"n"`
		F     float64 `msgpack:"f"`
	}
	var m message
	if err := msgpack.Unmarshal(packed, &m); err != nil {
		t.Fatal(err)
	}
	checkArray(t, m.Image, "<f8", []int{2, 3}, []any{0.0, 1.0, 2.0, 3.0, 4.0, 5.0})
	if m.Name != "cam" || m.Z != 1+2i || m.N != 5 || m.F != 2.5 {
		t.Fatalf("message = %+v", m)
	}
	list, err := Rebuild(m.List)
	if err != nil {
		t.Fatal(err)
	}
	checkRebuiltList(t, list.([]any))

	var g any
	if err := msgpack.Unmarshal(packed, &g); err != nil {
		t.Fatal(err)
	}
	r, err := Rebuild(g)
	if err != nil {
		t.Fatal(err)
	}
	gm := r.(map[string]any)
	if z, ok := gm["z"].(complex128); !ok || z != 1+2i {
		t.Fatalf("z = %#v", gm["z"])
	}
	if a, ok := gm["image"].(*Array); !ok || !a.Equal(m.Image) {
		t.Fatalf("image = %#v", gm["image"])
	}
	checkRebuiltList(t, gm["list"].([]any))
}

func checkRebuiltList(t *testing.T, list []any) {
	t.Helper()
	a, ok := list[0].(*Array)
	if !ok {
		t.Fatalf("list[0] = %#v", list[0])
	}
	checkArray(t, a, ">i2", []int{3}, []any{int8(0), int8(1), int8(2)})
	s, ok := list[1].(map[string]any)["s"].(Scalar)
	if !ok {
		t.Fatalf("list[1] = %#v", list[1])
	}
	if v, _ := s.Value(); v != int16(-4) {
		t.Fatalf("s = %v (%T)", v, v)
	}
}

func checkPythonObject(t *testing.T, object, objectField []byte) {
	var g any
	if err := msgpack.Unmarshal(object, &g); err != nil {
		t.Fatal(err)
	}
	r, err := Rebuild(g)
	if !errors.Is(err, ErrObjectArray) {
		t.Fatalf("Rebuild err = %v, want ErrObjectArray", err)
	}
	m := r.(map[string]any)
	checkArray(t, m["ok"].(*Array), "<i8", []int{2}, []any{int8(0), int8(1)})
	if _, ok := m["bad"].(map[string]any); !ok {
		t.Fatalf("object array replaced by %#v", m["bad"])
	}
	var typed struct {
		OK  *Array `msgpack:"ok"`
		Bad *Array `msgpack:"bad"`
	}
	if err := msgpack.Unmarshal(object, &typed); !errors.Is(err, ErrObjectArray) {
		t.Fatalf("typed decode err = %v, want ErrObjectArray", err)
	}
	var a Array
	if err := msgpack.Unmarshal(objectField, &a); !errors.Is(err, ErrObjectArray) {
		t.Fatalf("object field err = %v, want ErrObjectArray", err)
	}
}

// madeCase encodes a Go-built array with its expected values.
func madeCase(t *testing.T, name string, a *Array, values []any) goCase {
	t.Helper()
	b, err := msgpack.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return goCase{Name: name, Form: "array", Packed: b, DType: a.DType().String(), Shape: a.Shape(), Raw: a.Data(), Values: values}
}

// madeSlice builds 1-D and 2x3 arrays of T.
func madeSlice[T Element](t *testing.T, vals []T, conv func(T) []any) []goCase {
	t.Helper()
	var want []any
	for _, v := range vals {
		want = append(want, conv(v)...)
	}
	one, err := FromSlice(vals)
	if err != nil {
		t.Fatal(err)
	}
	two, err := FromSlice(vals, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	name := one.DType().String()
	s := ScalarOf(vals[1])
	sb, err := msgpack.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return []goCase{
		madeCase(t, name+" 1-D", one, want),
		madeCase(t, name+" 2x3", two, want),
		{Name: name + " scalar", Form: "scalar", Packed: sb, DType: name, Values: conv(vals[1])},
	}
}

func anyInt[T int8 | int16 | int32 | int64 | int](v T) []any       { return []any{int64(v)} }
func anyUint[T uint8 | uint16 | uint32 | uint64 | uint](v T) []any { return []any{uint64(v)} }

func madeInGo(t *testing.T) []goCase {
	var out []goCase
	add := func(c ...goCase) { out = append(out, c...) }
	add(madeSlice(t, []bool{true, false, true, true, false, false}, func(v bool) []any { return []any{v} })...)
	add(madeSlice(t, []int8{math.MinInt8, -1, 0, 1, 2, math.MaxInt8}, anyInt)...)
	add(madeSlice(t, []int16{math.MinInt16, -1, 0, 1, 2, math.MaxInt16}, anyInt)...)
	add(madeSlice(t, []int32{math.MinInt32, -1, 0, 1, 2, math.MaxInt32}, anyInt)...)
	add(madeSlice(t, []int64{math.MinInt64, -1, 0, 1, 2, math.MaxInt64}, anyInt)...)
	add(madeSlice(t, []int{-5, -1, 0, 1, 2, 5}, anyInt)...)
	add(madeSlice(t, []uint8{0, 1, 2, 3, 4, math.MaxUint8}, anyUint)...)
	add(madeSlice(t, []uint16{0, 1, 2, 3, 4, math.MaxUint16}, anyUint)...)
	add(madeSlice(t, []uint32{0, 1, 2, 3, 4, math.MaxUint32}, anyUint)...)
	add(madeSlice(t, []uint64{0, 1, 2, 3, 4, math.MaxUint64}, anyUint)...)
	add(madeSlice(t, []float32{float32(math.NaN()), float32(math.Inf(-1)), -0.0, 1.5, math.MaxFloat32, math.SmallestNonzeroFloat32},
		func(v float32) []any { return []any{float64(v)} })...)
	add(madeSlice(t, []float64{math.NaN(), math.Inf(1), math.Copysign(0, -1), 0.1, math.MaxFloat64, math.SmallestNonzeroFloat64},
		func(v float64) []any { return []any{v} })...)
	add(madeSlice(t, []complex64{1 + 2i, -1i, 0, complex(float32(math.Inf(1)), 3), 2.5, -7 - 7i},
		func(v complex64) []any { return []any{float64(real(v)), float64(imag(v))} })...)
	add(madeSlice(t, []complex128{1 + 2i, -1i, 0, complex(math.NaN(), 3), 2.5, -7 - 7i},
		func(v complex128) []any { return []any{real(v), imag(v)} })...)

	f, _ := FromSlice([]float64{3.5})
	zero, err := f.Reshape()
	if err != nil {
		t.Fatal(err)
	}
	add(madeCase(t, "0-d", zero, []any{3.5}))
	empty, _ := Zeros(DTypeOf[float64](), 0, 3)
	add(madeCase(t, "empty (0,3)", empty, []any{}))
	four, _ := FromSlice([]int16{1, 2, 3, 4, 5, 6}, 1, 2, 3, 1)
	add(madeCase(t, "4-D", four, []any{int64(1), int64(2), int64(3), int64(4), int64(5), int64(6)}))
	be, _ := New(mustDType(t, ">i4"), []int{2, 2}, []byte{0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 1, 0, 0, 0x80, 0, 0, 0})
	add(madeCase(t, "big-endian i4", be, []any{int64(1), int64(-1), int64(65536), int64(math.MinInt32)}))
	bc, _ := New(mustDType(t, ">c16"), []int{1}, []byte{0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0})
	add(madeCase(t, "big-endian c16", bc, []any{1.0, -2.0}))
	s, _ := FromStrings([]string{"ab", "", "héé", "x\U0001f600"}, 2, 2)
	add(madeCase(t, "unicode", s, []any{"ab", "", "héé", "x\U0001f600"}))
	bs, _ := New(mustDType(t, "|S3"), []int{2}, []byte("ab\x00xyz"))
	add(madeCase(t, "bytes", bs, []any{[]byte("ab"), []byte("xyz")}))
	big := make([]float64, 512*1024)
	for i := range big {
		big[i] = float64(i)*0.25 - 100
	}
	ba, _ := FromSlice(big)
	add(madeCase(t, "4 MiB", ba, nil))

	inner, _ := Structured([]Field{{Name: "x", DType: mustDType(t, "<i2")}, {Name: "y", DType: mustDType(t, ">i2")}})
	st, err := Structured([]Field{{Name: "id", DType: mustDType(t, "|u1")}, {Name: "pt", DType: inner, Shape: []int{2}}})
	if err != nil {
		t.Fatal(err)
	}
	sa, err := New(st, []int{2}, []byte{7, 1, 0, 0, 2, 3, 0, 0, 4, 8, 5, 0, 0, 6, 7, 0, 0, 8})
	if err != nil {
		t.Fatal(err)
	}
	c := madeCase(t, "structured", sa, nil)
	c.Descr = []any{[]any{"id", "|u1"}, []any{"pt", []any{[]any{"x", "<i2"}, []any{"y", ">i2"}}, []any{2}}}
	add(c)

	for _, z := range []complex128{1 + 2i, complex(math.NaN(), math.Inf(-1)), complex(0, math.Copysign(0, -1)), complex(1e16, 1e-5), 3} {
		b, err := msgpack.Marshal(Complex(z))
		if err != nil {
			t.Fatal(err)
		}
		add(goCase{Name: "complex " + FormatComplex(z), Form: "complex", Packed: b, Values: []any{real(z), imag(z)}})
	}
	return out
}

// goMessage is the nested payload Python checks in check_message.
func goMessage(t *testing.T) []byte {
	img, _ := FromSlice([]float64{0, 1, 2, 3, 4, 5}, 2, 3)
	v, _ := New(mustDType(t, ">i2"), []int{3}, []byte{0, 0, 0, 1, 0, 2})
	b, err := msgpack.Marshal(map[string]any{
		"name":  "go",
		"image": img,
		"list":  []any{v, map[string]any{"s": ScalarOf(int16(-4))}},
		"z":     Complex(1 + 2i),
		"n":     5,
		"f":     2.5,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
