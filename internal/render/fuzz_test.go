package render

import (
	"encoding/json"
	"testing"

	"github.com/gobanyan/banyan"
)

// FuzzRender renders arbitrary payloads, numpy-shaped maps among them: no
// input may panic, JSON accepts only payloads that banyan.Validate
// accepts, and its output is valid JSON.
func FuzzRender(f *testing.F) {
	for _, seed := range renderSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		j, err := JSON(p)
		if err != nil {
			return
		}
		if verr := banyan.Validate(p); verr != nil {
			t.Fatalf("JSON accepted a payload Validate refuses (%v)", verr)
		}
		if !json.Valid(j) {
			t.Fatalf("invalid JSON %q", j)
		}
	})
}

// renderSeeds are payloads near the limits: the dtypes that once crashed
// the renderer, numpy shapes near int sizes, and msgpack headers claiming
// lengths of 2**31 and 2**32-1 with nothing after them.
func renderSeeds() [][]byte {
	u32 := func(code byte, n uint32) []byte {
		return []byte{code, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	}
	u64 := func(n uint64) []byte {
		return []byte{0xcf, byte(n >> 56), byte(n >> 48), byte(n >> 40), byte(n >> 32), byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	}
	seeds := [][]byte{
		{0x81, 0xae, 'm', 'e', 's', 's', 'a', 'g', 'e', '_', 'n', 'u', 'm', 'b', 'e', 'r', 0x0a},
		{0x92, 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1, 0xc4, 0x02, 0, 0xff},
		{0x82, 0xc4, 1, 0xff, 0xc0, 0xa1, '"', 0xca, 0x7f, 0x80, 0, 0},
		numpyMap("<f-8", 1, []byte{2}, make([]byte, 16)),
		numpyMap("<i16", 1, []byte{1}, make([]byte, 16)),
		numpyMap("<i4", 1, []byte{3}, []byte{1, 0, 0, 0, 2, 0, 0, 0, 0xfd, 0xff, 0xff, 0xff}),
		numpyMap(">f2", 2, []byte{1, 1}, []byte{0x3c, 0}),
		numpyMap("<U2", 1, []byte{1}, []byte{'h', 0, 0, 0, 'i', 0, 0, 0}),
		numpyMap("<M8[ns]", 1, []byte{1}, make([]byte, 8)),
		numpyMap("|O", 1, []byte{1}, []byte{0x80, 2}),
	}
	for _, n := range []uint32{1 << 31, 1<<32 - 1} {
		for _, code := range []byte{0xdb, 0xc6, 0xdd, 0xdf} { // str32, bin32, array32, map32
			seeds = append(seeds, u32(code, n), append([]byte{0x81, 0xa1, 'a'}, u32(code, n)...))
		}
		seeds = append(seeds, numpyMap("<f8", 1, u32(0xce, n)[:5], nil), numpyMap("|u1", 2, append(u32(0xce, n), 0), nil))
	}
	for _, n := range []uint64{1 << 63, 1<<64 - 1} {
		seeds = append(seeds, numpyMap("<f8", 1, u64(n), nil), numpyMap("<i2", 2, append(u64(n), 0), nil), u64(n))
	}
	return seeds
}
