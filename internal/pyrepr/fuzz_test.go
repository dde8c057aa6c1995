package pyrepr

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzStr formats arbitrary payloads in both modes: no input may panic,
// an error wraps one of the package's sentinels and leaves dst alone,
// repr output is valid UTF-8 (bad bytes are escaped), and str succeeds
// where repr does.
func FuzzStr(f *testing.F) {
	for _, s := range plainCorpus() {
		f.Add(s.payload)
	}
	for _, s := range numpyModeCorpus() {
		f.Add(s.payload)
	}
	f.Add([]byte(numpyMap("<c8", mp{}.arr(2).num(1).num(1), make([]byte, 8))))
	f.Add([]byte(numpyMap("<U2", mp{}.arr(1).num(1), []byte{0, 0, 0x11, 0, 'a', 0, 0, 0})))
	f.Fuzz(func(t *testing.T, p []byte) {
		for _, mode := range []Mode{Plain, Numpy} {
			out, err := AppendRepr([]byte("x"), p, mode)
			if err != nil {
				if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnhashableKey) {
					t.Fatalf("%s: error %v wraps no sentinel", mode, err)
				}
				if string(out) != "x" {
					t.Fatalf("%s: dst changed on error", mode)
				}
				continue
			}
			if !utf8.Valid(out) {
				t.Fatalf("%s: repr %q is not UTF-8", mode, out)
			}
			if _, err := AppendStr(nil, p, mode); err != nil {
				t.Fatalf("%s: repr ok, str failed: %v", mode, err)
			}
		}
	})
}
