package ndarray

import (
	"bytes"
	"errors"
	"math"
	"runtime"
	"strconv"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// arrayMap is a msgpack-numpy ndarray map with bin keys; shape holds dims
// encoded msgpack values.
func arrayMap(typ string, dims int, shape, data []byte) []byte {
	p := []byte{0x85, 0xc4, 2, 'n', 'd', 0xc3, 0xc4, 4, 't', 'y', 'p', 'e', 0xa0 | byte(len(typ))}
	p = append(p, typ...)
	p = append(p, 0xc4, 4, 'k', 'i', 'n', 'd', 0xc4, 0, 0xc4, 5, 's', 'h', 'a', 'p', 'e', 0x90|byte(dims))
	p = append(p, shape...)
	p = append(p, 0xc4, 4, 'd', 'a', 't', 'a', 0xc4, byte(len(data)))
	return append(p, data...)
}

func be32(code byte, n uint32) []byte {
	return []byte{code, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

func be64(code byte, n uint64) []byte {
	return []byte{code, byte(n >> 56), byte(n >> 48), byte(n >> 40), byte(n >> 32), byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

// The dtypes that crashed the monitor's renderer: a negative item size and
// one too large for any numeric kind.
func TestDecodeBadItemSize(t *testing.T) {
	for _, typ := range []string{"<f-8", "<i16", "<u16", "<b2", "<f-0", "<i", "<i+4", "<i 4", "<f99999999999"} {
		p := arrayMap(typ, 1, []byte{1}, make([]byte, 16))
		var a Array
		if err := msgpack.Unmarshal(p, &a); !errors.Is(err, ErrDType) {
			t.Errorf("%q: Unmarshal = %v, want ErrDType", typ, err)
		}
		m := map[string]any{"nd": true, "type": typ, "kind": []byte{}, "shape": []any{int64(1)}, "data": make([]byte, 16)}
		if _, matched, err := FromMap(m); !matched || !errors.Is(err, ErrDType) {
			t.Errorf("%q: FromMap = %v, %v, want ErrDType", typ, matched, err)
		}
		if _, err := ParseDType(typ); !errors.Is(err, ErrDType) {
			t.Errorf("%q: ParseDType = %v", typ, err)
		}
	}
}

// hostileInputs claim lengths (2**31, 2**32-1) and dimensions (2**31,
// 2**32-1, 2**63, 2**64-1) that the input does not hold or no int can.
func hostileInputs() map[string][]byte {
	in := map[string][]byte{
		"deep type": append([]byte{0x81, 0xc4, 4, 't', 'y', 'p', 'e'}, bytes.Repeat([]byte{0x91}, 5000)...),
		"deep skip": append([]byte{0x81, 0xa1, 'x'}, bytes.Repeat([]byte{0x91}, 5000)...),
		"long key":  append(be32(0xdb, 1<<20), make([]byte, 64)...),
	}
	for _, n := range []uint32{1 << 31, 1<<32 - 1} {
		in["map32 "+itoa(n)] = be32(0xdf, n)
		in["type array32 "+itoa(n)] = append([]byte{0x81, 0xc4, 4, 't', 'y', 'p', 'e'}, be32(0xdd, n)...)
		in["shape array32 "+itoa(n)] = append([]byte{0x81, 0xc4, 5, 's', 'h', 'a', 'p', 'e'}, be32(0xdd, n)...)
		in["kind bin32 "+itoa(n)] = append([]byte{0x81, 0xc4, 4, 'k', 'i', 'n', 'd'}, be32(0xc6, n)...)
		in["type str32 "+itoa(n)] = append([]byte{0x81, 0xc4, 4, 't', 'y', 'p', 'e'}, be32(0xdb, n)...)
		in["data bin32 "+itoa(n)] = append([]byte{0x81, 0xc4, 4, 'd', 'a', 't', 'a'}, be32(0xc6, n)...)
		in["key str32 "+itoa(n)] = append([]byte{0x81}, be32(0xdb, n)...)
		in["other map32 "+itoa(n)] = append([]byte{0x81, 0xa1, 'x'}, be32(0xdf, n)...)
		in["other array32 "+itoa(n)] = append([]byte{0x81, 0xa1, 'x'}, be32(0xdd, n)...)
		in["other ext32 "+itoa(n)] = append([]byte{0x81, 0xa1, 'x'}, append(be32(0xc9, n), 1)...)
		in["shape dim "+itoa(n)] = arrayMap("<f8", 1, be32(0xce, n), nil)
	}
	for _, n := range []uint64{1 << 63, 1<<64 - 1} {
		in["shape dim u64 "+itoa(n)] = arrayMap("<f8", 1, be64(0xcf, n), nil)
		in["shape dims overflow"] = arrayMap("<f8", 2, append(be64(0xcf, 1<<32), be64(0xcf, 1<<32)...), nil)
		in["zero size dims"] = arrayMap("|S0", 2, append(be64(0xcf, 1<<31), be64(0xcf, 1<<31)...), nil)
	}
	return in
}

func itoa[T uint32 | uint64](n T) string { return strconv.FormatUint(uint64(n), 10) }

// Hostile lengths fail with an error, without a panic and without
// allocating for what they claim (on 32-bit platforms too, where lengths of
// 2**31 and more do not fit an int).
func TestDecodeHostileLengths(t *testing.T) {
	for name, p := range hostileInputs() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		var a Array
		aerr := msgpack.Unmarshal(p, &a)
		var s Scalar
		serr := msgpack.Unmarshal(p, &s)
		var c Complex
		cerr := msgpack.Unmarshal(p, &c)
		runtime.ReadMemStats(&ms)
		if aerr == nil || serr == nil || cerr == nil {
			t.Errorf("%s: decoded without error: %v, %v, %v", name, aerr, serr, cerr)
		}
		if grew := ms.TotalAlloc - before; grew > 8<<20 {
			t.Errorf("%s: decoding allocated %d bytes", name, grew)
		}
	}
}

// An item size of zero allows no unbounded element count: Strings and
// Field would otherwise loop and allocate per element of a 60-byte message.
func TestZeroItemSizeBounded(t *testing.T) {
	if _, err := New(mustDType(t, "|S0"), []int{1 << 15, 1 << 15}, nil); !errors.Is(err, ErrShape) {
		t.Fatalf("New |S0 x 2**30: %v", err)
	}
	a, err := New(mustDType(t, "|S0"), []int{3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := a.Strings(); err != nil || len(s) != 3 {
		t.Fatalf("Strings = %q, %v", s, err)
	}
	empty, err := Structured(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Zeros(empty, 1<<21); !errors.Is(err, ErrShape) {
		t.Fatalf("Zeros(structured [], 2**21): %v", err)
	}
}

// A dimension is bounded the same whatever integer type carries it:
// FuzzDecode found a signed int64 dimension (beside a 0) that decoded, but
// re-encoded as uint64, which was refused.
func TestDimensionBoundAnyIntType(t *testing.T) {
	const big = 7003312942825373696
	for name, dim := range map[string][]byte{
		"int64":  be64(0xd3, big),
		"uint64": be64(0xcf, big),
	} {
		p := arrayMap("|a0", 2, append(dim, 0), nil)
		var a Array
		if err := msgpack.Unmarshal(p, &a); !errors.Is(err, ErrShape) {
			t.Errorf("%s dimension %d: Unmarshal = %v (%v), want ErrShape", name, uint64(big), err, &a)
		}
	}
	// The largest dimension accepted: maxDimension, or less where an int
	// is 32 bits.
	limit := min(maxDimension, int64(math.MaxInt))
	for name, dim := range map[string][]byte{
		"int64":  be64(0xd3, uint64(limit)),
		"uint64": be64(0xcf, uint64(limit)),
	} {
		p := arrayMap("|a0", 2, append(dim, 0), nil)
		var a Array
		if err := msgpack.Unmarshal(p, &a); err != nil {
			t.Errorf("%s dimension %d: Unmarshal = %v, want success", name, limit, err)
			continue
		}
		enc, err := msgpack.Marshal(&a)
		if err != nil {
			t.Fatal(err)
		}
		var b Array
		if err := msgpack.Unmarshal(enc, &b); err != nil {
			t.Errorf("%s: re-decoding: %v", name, err)
		}
	}
}
