package codec

import (
	"bytes"
	"errors"
	"runtime"
	"testing"
)

// hostileHeaders are payloads whose str32, bin32, array32 and map32 headers
// claim 2**31 or 2**32-1 bytes or elements that are not there, at the top
// level, as a map value and as a map key, and integers at the uint64 limits.
func hostileHeaders() [][]byte {
	var out [][]byte
	for _, n := range []uint32{1 << 31, 1<<32 - 1} {
		for _, code := range []byte{0xdb, 0xc6, 0xdd, 0xdf} {
			head := []byte{code, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
			out = append(out, head,
				cat([]byte{0x81, 0xa1, 'a'}, head, []byte{0xc0}),
				cat([]byte{0x91}, head, bytes.Repeat([]byte{0xc0}, 16)))
			if code == 0xdb || code == 0xc6 {
				out = append(out, cat([]byte{0x81}, head, []byte{'k', 0xc0}))
			}
		}
	}
	return append(out,
		[]byte{0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0},
		[]byte{0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		[]byte{0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0})
}

// A header claiming more than the payload holds is refused from the header
// alone: no panic, and nothing allocated for the claimed size.
func TestValidateClaimedLengths(t *testing.T) {
	for _, p := range hostileHeaders() {
		if len(p) == 9 {
			continue // the integers are valid
		}
		if err := Validate(p); !errors.Is(err, ErrBadPayload) {
			t.Errorf("% x: Validate = %v, want ErrBadPayload", p, err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		_, derr := DecodeValue(p)
		var v any
		uerr := Unmarshal(p, &v)
		var ft fuzzTarget
		ferr := Unmarshal(p, &ft)
		runtime.ReadMemStats(&ms)
		if derr == nil || uerr == nil || ferr == nil {
			t.Errorf("% x: decoded without error: %v, %v, %v", p, derr, uerr, ferr)
		}
		if grew := ms.TotalAlloc - before; grew > 64<<10 {
			t.Errorf("% x: decoding allocated %d bytes", p, grew)
		}
	}
}

// FuzzValidate: Validate never panics, and what it accepts every decoder
// accepts (DecodeValue, Unmarshal into any and, for maps, DecodeMap), with
// the same value; what it refuses they refuse. Typed targets may reject a
// valid payload but never panic.
func FuzzValidate(f *testing.F) {
	for _, g := range goldens(f) {
		f.Add(h(f, g.hex))
	}
	for _, p := range hostileHeaders() {
		f.Add(p)
	}
	f.Add(cat(bytes.Repeat([]byte{0x91}, MaxNesting), []byte{0xc0}))
	f.Add(cat(bytes.Repeat([]byte{0x91}, MaxNesting+1), []byte{0xc0}))
	f.Add(cat(bytes.Repeat([]byte{0x81, 0xa0}, MaxNesting), []byte{0xc0}))
	f.Add(h(f, "85 c4 02 6e 64 c3 c4 04 74 79 70 65 a4 3c 66 2d 38 c4 04 6b 69 6e 64 c4 00 c4 05 73 68 61 70 65 91 02 c4 04 64 61 74 61 c4 10 00 00 00 00 00 00 f8 3f 00 00 00 00 00 00 00 40"))
	f.Fuzz(func(t *testing.T, data []byte) {
		verr := Validate(data)
		v, derr := DecodeValue(data)
		var viaAny any
		uerr := Unmarshal(data, &viaAny)
		var ft fuzzTarget
		ferr := Unmarshal(data, &ft)
		if verr != nil {
			if !errors.Is(verr, ErrBadPayload) {
				t.Fatalf("Validate error %q does not wrap ErrBadPayload", verr)
			}
			if derr == nil || uerr == nil || ferr == nil {
				t.Fatalf("Validate refused (%v) what a decoder accepted: %v, %v, %v", verr, derr, uerr, ferr)
			}
			return
		}
		if derr != nil || uerr != nil {
			t.Fatalf("Validate accepted what a decoder refused: %v, %v", derr, uerr)
		}
		if !equalGeneric(v, viaAny) {
			t.Fatalf("DecodeValue and Unmarshal differ:\n%s\n%s", show(v), show(viaAny))
		}
		if isMapCode(data[0]) {
			m, err := DecodeMap(data)
			if err != nil || !equalGeneric(any(m), v) {
				t.Fatalf("DecodeMap: %v", err)
			}
		}
		enc, err := Marshal(v)
		if err != nil {
			// Only bin keys holding invalid UTF-8 cannot be written back
			// as str keys.
			if !errors.Is(err, ErrInvalidUTF8) {
				t.Fatalf("Marshal(decoded): %v", err)
			}
			return
		}
		if err := Validate(enc); err != nil {
			t.Fatalf("Validate(Marshal(v)): %v", err)
		}
		back, err := DecodeValue(enc)
		if err != nil || !equalGeneric(back, v) {
			t.Fatalf("round trip: %v\n%s\n%s", err, show(v), show(back))
		}
	})
}
