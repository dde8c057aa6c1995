package ndarray

import (
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// benchArray is a 1 MiB float64 array (131072 elements).
func benchArray(b *testing.B) *Array {
	b.Helper()
	v := make([]float64, 1<<17)
	for i := range v {
		v[i] = float64(i) * 0.5
	}
	a, err := FromSlice(v)
	if err != nil {
		b.Fatal(err)
	}
	return a
}

// BenchmarkEncode1MiB measures msgpack.Marshal of a 1 MiB float64 array.
func BenchmarkEncode1MiB(b *testing.B) {
	a := benchArray(b)
	b.SetBytes(int64(len(a.Data())))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := msgpack.Marshal(a); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode1MiB measures msgpack.Unmarshal into an Array plus a
// zero-copy View: the data is copied once, out of the message buffer.
func BenchmarkDecode1MiB(b *testing.B) {
	msg, err := msgpack.Marshal(benchArray(b))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		var a Array
		if err := msgpack.Unmarshal(msg, &a); err != nil {
			b.Fatal(err)
		}
		v, err := View[float64](&a)
		if err != nil || len(v) != 1<<17 {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeToSlice1MiB is BenchmarkDecode1MiB with ToSlice (a second
// copy, as needed for a byte order other than the host's).
func BenchmarkDecodeToSlice1MiB(b *testing.B) {
	msg, err := msgpack.Marshal(benchArray(b))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		var a Array
		if err := msgpack.Unmarshal(msg, &a); err != nil {
			b.Fatal(err)
		}
		if _, err := ToSlice[float64](&a); err != nil {
			b.Fatal(err)
		}
	}
}
