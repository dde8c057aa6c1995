package pyrepr

import "testing"

func BenchmarkStr(b *testing.B) {
	p := typicalPayload()
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Str(p, Plain); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendStr(b *testing.B) {
	p := typicalPayload()
	var buf []byte
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendStr(buf[:0], p, Plain)
	}
}

func BenchmarkAppendStrNumpy(b *testing.B) {
	p := mp{}.dict(2).str("frame").raw(numpyMap("<f8", mp{}.arr(2).num(4).num(4), make([]byte, 128))...).str("n").num(1)
	var buf []byte
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendStr(buf[:0], p, Numpy)
	}
}
