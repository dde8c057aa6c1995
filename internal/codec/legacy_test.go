package codec

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os/exec"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gobanyan/banyan/internal/testpeer"
)

// Headers, built by hand so that the tests do not trust the code under test.
func str8(n int) []byte  { return []byte{0xd9, byte(n)} }
func str16(n int) []byte { return []byte{0xda, byte(n >> 8), byte(n)} }
func bin8(n int) []byte  { return []byte{0xc4, byte(n)} }
func bin16(n int) []byte { return []byte{0xc5, byte(n >> 8), byte(n)} }
func bin32(n uint32) []byte {
	return []byte{0xc6, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}
func raw32(n uint32) []byte {
	return []byte{0xdb, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}
func fixraw(n int) []byte { return []byte{0xa0 | byte(n)} }

type legacyCase struct {
	name    string
	in, out []byte
}

func legacyCases() []legacyCase {
	s := func(n int) []byte { return bytes.Repeat([]byte{'s'}, n) }
	b := func(n int) []byte { return pattern(n, 7, 1) }
	scalars := cat([]byte{0xdc, 0, 19, 0xc0, 0xc2, 0xc3, 0x05, 0xe0, 0xcc, 0xff, 0xcd, 1, 2, 0xce, 1, 2, 3, 4,
		0xcf, 1, 2, 3, 4, 5, 6, 7, 8, 0xd0, 0x80, 0xd1, 1, 2, 0xd2, 1, 2, 3, 4, 0xd3, 1, 2, 3, 4, 5, 6, 7, 8,
		0xca, 0x3f, 0x80, 0, 0, 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x90, 0x80, 0xdc, 0, 0, 0xde, 0, 0})
	return []legacyCase{
		{"fixstr 31 unchanged", cat(fixraw(31), s(31)), cat(fixraw(31), s(31))},
		{"str8 0", str8(0), fixraw(0)},
		{"str8 31", cat(str8(31), s(31)), cat(fixraw(31), s(31))},
		{"str8 32", cat(str8(32), s(32)), cat(str16(32), s(32))},
		{"str8 255", cat(str8(255), s(255)), cat(str16(255), s(255))},
		{"str16 256 unchanged", cat(str16(256), s(256)), cat(str16(256), s(256))},
		{"str16 5 unchanged", cat(str16(5), s(5)), cat(str16(5), s(5))},
		{"str32 65536 unchanged", cat(raw32(65536), s(65536)), cat(raw32(65536), s(65536))},
		{"bin8 0", bin8(0), fixraw(0)},
		{"bin8 31", cat(bin8(31), b(31)), cat(fixraw(31), b(31))},
		{"bin8 32", cat(bin8(32), b(32)), cat(str16(32), b(32))},
		{"bin8 255", cat(bin8(255), b(255)), cat(str16(255), b(255))},
		{"bin16 5", cat(bin16(5), b(5)), cat(fixraw(5), b(5))},
		{"bin16 65535", cat(bin16(65535), b(65535)), cat(str16(65535), b(65535))},
		{"bin32 40", cat(bin32(40), b(40)), cat(str16(40), b(40))},
		{"bin32 65536", cat(bin32(65536), b(65536)), cat(raw32(65536), b(65536))},
		{"scalars unchanged", scalars, scalars},
		{"nested map with bin keys",
			cat([]byte{0x82}, bin8(1), []byte{'k'}, []byte{0x81}, str8(40), s(40), []byte{0x93}, bin8(3), b(3), []byte{0x01, 0xc0},
				bin16(33), b(33), bin32(2), b(2)),
			cat([]byte{0x82}, fixraw(1), []byte{'k'}, []byte{0x81}, str16(40), s(40), []byte{0x93}, fixraw(3), b(3), []byte{0x01, 0xc0},
				str16(33), b(33), fixraw(2), b(2))},
		{"bin as every element of an array16",
			cat([]byte{0xdc, 0, 3}, bin8(0), bin8(1), []byte{0}, bin8(40), b(40)),
			cat([]byte{0xdc, 0, 3}, fixraw(0), fixraw(1), []byte{0}, str16(40), b(40))},
		{"deepest nesting, bin at the bottom",
			cat(bytes.Repeat([]byte{0x81, 0xa0}, MaxNesting-1), []byte{0x81}, bin8(0), bin8(40), b(40)),
			cat(bytes.Repeat([]byte{0x81, 0xa0}, MaxNesting-1), []byte{0x81}, fixraw(0), str16(40), b(40))},
		{"deepest nesting unchanged",
			cat(bytes.Repeat([]byte{0x91}, MaxNesting), []byte{0xc0}),
			cat(bytes.Repeat([]byte{0x91}, MaxNesting), []byte{0xc0})},
		{"not UTF-8, non-string keys: copied",
			cat([]byte{0x82, 0xa1, 0xff, 0x01, 0x05}, bin8(1), []byte{0xfe}),
			cat([]byte{0x82, 0xa1, 0xff, 0x01, 0x05}, fixraw(1), []byte{0xfe})},
	}
}

func TestAppendLegacy(t *testing.T) {
	prefix := []byte("prefix")
	for _, c := range legacyCases() {
		t.Run(c.name, func(t *testing.T) {
			got, err := AppendLegacy(nil, c.in)
			if err != nil {
				t.Fatalf("AppendLegacy: %v", err)
			}
			if !bytes.Equal(got, c.out) {
				t.Fatalf("AppendLegacy(% .40x...) = % .40x..., want % .40x... (lengths %d, %d)", c.in, got, c.out, len(got), len(c.out))
			}
			if err := legacyPair(c.in, got); err != nil {
				t.Error(err)
			}
			if !IsLegacy(got) {
				t.Error("IsLegacy(output) = false")
			}
			if want := bytes.Equal(c.in, c.out); IsLegacy(c.in) != want {
				t.Errorf("IsLegacy(input) = %v, want %v", !want, want)
			}
			// Appended after what dst holds, which stays.
			dst := append(make([]byte, 0, 8), prefix...)
			got, err = AppendLegacy(dst, c.in)
			if err != nil || !bytes.Equal(got, cat(prefix, c.out)) {
				t.Errorf("AppendLegacy(%q, ...) = % .20x..., %v; want the prefix, then the output", prefix, got, err)
			}
			// Idempotent: the output is in the old spec already.
			again, err := AppendLegacy(nil, got[len(prefix):])
			if err != nil || !bytes.Equal(again, c.out) {
				t.Errorf("AppendLegacy(output) = % .20x..., %v; want the output unchanged", again, err)
			}
		})
	}
}

func TestAppendLegacyErrors(t *testing.T) {
	type errCase struct {
		name string
		in   []byte
		want []error
	}
	bad := []error{ErrBadPayload}
	noForm := []error{ErrNoLegacyForm, ErrExtType}
	cases := []errCase{
		{"empty", nil, bad},
		{"reserved 0xc1", []byte{0xc1}, bad},
		{"reserved in a map", []byte{0x81, 0xa1, 'k', 0xc1}, bad},
		{"trailing bytes", []byte{0xc0, 0xc0}, bad},
		{"trailing after a rewrite", cat(bin8(1), []byte{1, 2}), bad},
		{"too deep", cat(bytes.Repeat([]byte{0x91}, MaxNesting+1), []byte{0xc0}), []error{ErrBadPayload, ErrTooDeep}},
		{"too deep, empty innermost", cat(bytes.Repeat([]byte{0x91}, MaxNesting), []byte{0x90}), []error{ErrBadPayload, ErrTooDeep}},
		{"too deep maps", cat(bytes.Repeat([]byte{0x81, 0xa0}, MaxNesting+1), []byte{0xc0}), []error{ErrBadPayload, ErrTooDeep}},
		{"array claims more than remains", []byte{0x93, 0xc0, 0xc0}, bad},
		{"nested arrays claim more than remains", []byte{0x92, 0x92, 0xc0, 0xc0}, bad},
		{"map value missing", []byte{0x81, 0xa1, 'k'}, bad},
		{"fixext1", []byte{0xd4, 0x01, 0x00}, noForm},
		{"fixext2", []byte{0xd5, 0x01, 0, 0}, noForm},
		{"fixext4 timestamp", []byte{0xd6, 0xff, 0, 0, 0, 0}, noForm},
		{"fixext8", cat([]byte{0xd7, 0x01}, make([]byte, 8)), noForm},
		{"fixext16", cat([]byte{0xd8, 0x01}, make([]byte, 16)), noForm},
		{"ext8", []byte{0xc7, 0x01, 0x05, 'x'}, noForm},
		{"ext16", []byte{0xc8, 0, 0x01, 0x05, 'x'}, noForm},
		{"ext32", []byte{0xc9, 0, 0, 0, 0x01, 0x05, 'x'}, noForm},
		{"ext after a rewrite, in a map", cat([]byte{0x82}, bin8(1), []byte{'a', 0x01}, []byte{0xa1, 'b', 0xd4, 0x01, 0x00}), noForm},
		{"truncated ext", []byte{0xd6, 0xff, 0}, bad},
	}
	for i, p := range hostileHeaders() {
		if len(p) != 9 { // the others are valid integers
			cases = append(cases, errCase{fmt.Sprintf("hostile header %d", i), p, bad})
		}
	}
	// Every strict prefix of a valid value is truncated.
	for _, c := range legacyCases() {
		if len(c.in) > 600 {
			continue
		}
		for n := range len(c.in) {
			cases = append(cases, errCase{fmt.Sprintf("%s cut at %d", c.name, n), c.in[:n], bad})
		}
	}
	dst := []byte("keep")
	for _, c := range cases {
		got, err := AppendLegacy(dst, c.in)
		for _, want := range c.want {
			if !errors.Is(err, want) {
				t.Errorf("%s: AppendLegacy(% .20x) error %v, want one wrapping %v", c.name, c.in, err, want)
			}
		}
		if err != nil && !strings.Contains(err.Error(), "offset") {
			t.Errorf("%s: error %q names no offset", c.name, err)
		}
		if string(got) != "keep" {
			t.Errorf("%s: dst = %q after the error, want %q", c.name, got, "keep")
		}
		if IsLegacy(c.in) {
			t.Errorf("%s: IsLegacy = true", c.name)
		}
	}
	_, err := AppendLegacy(nil, cat([]byte{0x81, 0xa1, 'k', 0x91}, []byte{0xd6, 0xff, 0, 0, 0, 0}))
	if err == nil || !strings.Contains(err.Error(), "offset 4") {
		t.Errorf("ext at offset 4: error %v, want one naming offset 4", err)
	}
}

// A payload with a claimed length far beyond its bytes grows dst by
// nothing: the claim is refused before anything is appended.
func TestAppendLegacyClaimsAllocateNothing(t *testing.T) {
	in := cat([]byte{0x92}, bin8(3), []byte{1, 2, 3}, bin32(1<<32-1), []byte{1})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 100 {
		if _, err := AppendLegacy(nil, in); !errors.Is(err, ErrBadPayload) {
			t.Fatalf("error %v, want ErrBadPayload", err)
		}
	}
	runtime.ReadMemStats(&after)
	// The output so far and the error allocate; the claimed 4 GiB must not.
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("%d bytes allocated for 100 refused payloads of %d bytes", n, len(in))
	}
}

// With room in dst, neither the no-op nor a rewrite allocates.
func TestAppendLegacyAllocs(t *testing.T) {
	noop := benchTypicalPayload
	rewrite := legacyBenchRewrite()
	dst := make([]byte, 0, 2*len(rewrite))
	for name, in := range map[string][]byte{"noop": noop, "rewrite": rewrite} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := AppendLegacy(dst[:0], in); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations, want 0", name, allocs)
		}
	}
}

// What the Java side reads from the output is what a Python receiver reads
// from the input, bytes turned into strings: the package's own decoder
// gives the same values for both, or refuses the output's str when the
// bytes are not UTF-8.
func TestAppendLegacyDecodesAlike(t *testing.T) {
	values := []any{
		map[string]any{"a": []byte("bytes"), "long": strings.Repeat("x", 200), "n": 1, "f": 2.5, "nil": nil,
			"list": []any{[]byte(strings.Repeat("y", 40)), "z", true, map[string]any{"deep": []byte{}}}},
		map[string]any{"big": []byte(strings.Repeat("b", 70000)), "s": strings.Repeat("é", 20)},
		[]byte(strings.Repeat("q", 65536)),
		strings.Repeat("w", 255),
	}
	for _, v := range values {
		in := mustMarshal(v)
		out, err := AppendLegacy(nil, in)
		if err != nil {
			t.Fatalf("AppendLegacy(Marshal(%.40s)): %v", show(v), err)
		}
		if bytes.Equal(in, out) {
			t.Fatalf("Marshal(%.40s) needed no rewrite; the case tests nothing", show(v))
		}
		want, err := DecodeValue(in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeValue(out)
		if err != nil {
			t.Fatalf("DecodeValue(output): %v", err)
		}
		if want := bytesToStrings(want); !reflect.DeepEqual(got, want) {
			t.Errorf("output decodes to %.80s, want %.80s", show(got), show(want))
		}
	}
	// Bytes that are not UTF-8 make a raw that a UTF-8 reader refuses.
	out, err := AppendLegacy(nil, mustMarshal(map[string]any{"b": []byte{0xff, 0xfe}}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeValue(out); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("DecodeValue(legacy form of non-UTF-8 bytes) = %v, want ErrInvalidUTF8", err)
	}
}

func bytesToStrings(v any) any {
	switch v := v.(type) {
	case []byte:
		return string(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = bytesToStrings(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = bytesToStrings(e)
		}
		return out
	}
	return v
}

// legacyPeer writes, for each value, packb(v, use_bin_type=True) and
// packb(v, use_bin_type=False) in hex on one line.
const legacyPeer = `
import sys, msgpack
def pat(n): return bytes((i * 7 + 1) & 255 for i in range(n))
sizes = [0, 1, 31, 32, 255, 256, 65535, 65536]
values = [ "s" * n for n in sizes ] + [ pat(n) for n in sizes ] + [
    "é" * 20, "世" * 100,
    {b"bin key": b"v" * 40, "k" * 40: [pat(300), "s" * 200, 1, -1, 1.5, None, True, 2 ** 64 - 1, -(2 ** 63)]},
    {"a": {b"b": {"c" * 33: [b"", {b"x" * 31: b"y" * 32}]}}},
    [[[[pat(3)]]]], {}, [], {"topic": "sensor", "seq": 70000, "value": 21.5},
]
for v in values:
    sys.stdout.write(msgpack.packb(v, use_bin_type=True).hex() + " " + msgpack.packb(v, use_bin_type=False).hex() + "\n")
`

// Real Python msgpack with use_bin_type=False, the old spec, writes byte for
// byte what AppendLegacy makes of what it writes with use_bin_type=True.
func TestAppendLegacyMatchesPython(t *testing.T) {
	py := testpeer.Python(t, "msgpack")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, py, "-c", legacyPeer)
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	lines, rewritten := 0, 0
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		current, old, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			t.Fatalf("line %d: %q", lines, sc.Text())
		}
		in, err1 := hex.DecodeString(current)
		want, err2 := hex.DecodeString(old)
		if err1 != nil || err2 != nil {
			t.Fatalf("line %d: %v %v", lines, err1, err2)
		}
		lines++
		got, err := AppendLegacy(nil, in)
		if err != nil {
			t.Errorf("line %d: AppendLegacy(% .20x...): %v", lines, in, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("line %d: AppendLegacy(% .30x...) = % .30x..., Python's old spec % .30x...", lines, in, got, want)
		}
		if !bytes.Equal(in, want) {
			rewritten++
		}
		if !IsLegacy(want) {
			t.Errorf("line %d: IsLegacy(Python's old spec % .30x...) = false", lines, want)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if lines != 24 || rewritten != 14 {
		t.Fatalf("%d values from Python, %d of them rewritten; want 24 and 14", lines, rewritten)
	}
}

// legacyPair walks src and out, AppendLegacy's output for it, in step,
// through Head only, and reports the first place where out is not src in
// the old spec: a header out may not have (str8, bin, ext), a str or bin
// that is not the same bytes in the smallest raw (a str other than str8
// keeps its header), or any other value not copied as it is.
func legacyPair(src, out []byte) error {
	i, j, err := pairValue(src, 0, out, 0)
	if err != nil {
		return err
	}
	if i != len(src) || j != len(out) {
		return fmt.Errorf("walk ended at %d of %d input bytes, %d of %d output bytes", i, len(src), j, len(out))
	}
	return nil
}

func pairValue(src []byte, i int, out []byte, j int) (int, int, error) {
	ts, f := Head(src, i)
	if f != OK {
		return 0, 0, fmt.Errorf("input at %d: fault %d", i, f)
	}
	to, f := Head(out, j)
	if f != OK {
		return 0, 0, fmt.Errorf("output at %d: fault %d (not valid msgpack)", j, f)
	}
	if c := out[j]; c == 0xd9 || c >= 0xc4 && c <= 0xc9 || c >= 0xd4 && c <= 0xd8 {
		return 0, 0, fmt.Errorf("output at %d: header 0x%02x is not in the old spec", j, c)
	}
	switch ts.Type {
	case TypeStr, TypeBin:
		if to.Type != TypeStr || to.N != ts.N {
			return 0, 0, fmt.Errorf("output at %d: %v of %d bytes for input %v of %d bytes at %d", j, to.Type, to.N, ts.Type, ts.N, i)
		}
		wantSize := 5
		switch {
		case ts.Type == TypeStr && src[i] != 0xd9:
			wantSize = ts.Size
		case ts.N < 32:
			wantSize = 1
		case ts.N <= 0xffff:
			wantSize = 3
		}
		if to.Size != wantSize {
			return 0, 0, fmt.Errorf("output at %d: raw header of %d bytes for %d bytes of data, want %d", j, to.Size, to.N, wantSize)
		}
		if !bytes.Equal(src[i+ts.Size:i+ts.Size+ts.N], out[j+to.Size:j+to.Size+to.N]) {
			return 0, 0, fmt.Errorf("output at %d: the data differs from the input's at %d", j, i)
		}
		return i + ts.Size + ts.N, j + to.Size + to.N, nil
	}
	if !bytes.Equal(src[i:i+ts.Size], out[j:min(j+ts.Size, len(out))]) {
		return 0, 0, fmt.Errorf("output at %d: % x, input at %d: % x", j, out[j:min(j+ts.Size, len(out))], i, src[i:i+ts.Size])
	}
	n := ts.N
	switch ts.Type {
	case TypeMap:
		n *= 2
	case TypeArray:
	default:
		n = 0
	}
	i, j = i+ts.Size, j+ts.Size
	for range n {
		var err error
		if i, j, err = pairValue(src, i, out, j); err != nil {
			return 0, 0, err
		}
	}
	return i, j, nil
}

func FuzzAppendLegacy(f *testing.F) {
	for _, c := range legacyCases() {
		if len(c.in) < 4096 {
			f.Add(c.in)
		}
	}
	for _, p := range hostileHeaders() {
		f.Add(p)
	}
	f.Add([]byte{0x82, 0xc4, 0x01, 'k', 0xd4, 0x01, 0x00, 0xa1, 'b', 0xc0})
	f.Add(cat(bytes.Repeat([]byte{0x91}, MaxNesting+1), []byte{0xc0}))
	f.Add(benchTypicalPayload)
	f.Add(legacyBenchRewrite())
	f.Fuzz(func(t *testing.T, in []byte) {
		dst := []byte("dst")
		out, err := AppendLegacy(dst, in)
		if !bytes.HasPrefix(out, []byte("dst")) {
			t.Fatalf("dst's bytes are gone: % .20x", out)
		}
		if err != nil {
			if !errors.Is(err, ErrBadPayload) && !errors.Is(err, ErrNoLegacyForm) {
				t.Fatalf("error %v wraps neither ErrBadPayload nor ErrNoLegacyForm", err)
			}
			if len(out) != 3 {
				t.Fatalf("dst grew to %d bytes on error", len(out))
			}
			if Validate(in) == nil {
				t.Fatalf("Validate accepts % x, AppendLegacy refuses it: %v", in, err)
			}
			if IsLegacy(in) {
				t.Fatal("IsLegacy accepts what AppendLegacy refuses")
			}
			return
		}
		out = out[3:]
		if err := legacyPair(in, out); err != nil {
			t.Fatalf("% .40x -> % .40x: %v", in, out, err)
		}
		if !IsLegacy(out) {
			t.Fatal("IsLegacy(output) = false")
		}
		if IsLegacy(in) != bytes.Equal(in, out) {
			t.Fatalf("IsLegacy(input) = %v, but the output differs: %v", IsLegacy(in), !bytes.Equal(in, out))
		}
		if Validate(in) == nil {
			// Bytes that were UTF-8 decode as strings, and everything
			// else as before.
			want, _ := DecodeValue(in)
			got, err := DecodeValue(out)
			if err == nil {
				// %#v, not DeepEqual: NaN is not equal to itself.
				if g, w := fmt.Sprintf("%#v", got), fmt.Sprintf("%#v", bytesToStrings(want)); g != w {
					t.Fatalf("output decodes to %s, input to %s", show(got), show(want))
				}
			} else if !errors.Is(err, ErrInvalidUTF8) || !hasNonUTF8Bin(want) {
				t.Fatalf("DecodeValue(output): %v", err)
			}
		}
	})
}

func hasNonUTF8Bin(v any) bool {
	switch v := v.(type) {
	case []byte:
		return !utf8.Valid(v)
	case []any:
		for _, e := range v {
			if hasNonUTF8Bin(e) {
				return true
			}
		}
	case map[string]any:
		// A bin key is decoded as a string; it may be the non-UTF-8 one.
		for k, e := range v {
			if !utf8.ValidString(k) || hasNonUTF8Bin(e) {
				return true
			}
		}
	}
	return false
}

// legacyBenchRewrite is a typical payload with a str8 and a bin: what a
// component in legacy mode sends most often needs a rewrite of two headers.
func legacyBenchRewrite() []byte {
	return mustMarshal(map[string]any{"topic": "sensor", "seq": 70000, "value": 21.5,
		"name": strings.Repeat("n", 40), "raw": []byte{1, 2, 3, 4}})
}

func BenchmarkAppendLegacy(b *testing.B) {
	for _, bc := range []struct {
		name string
		in   []byte
	}{
		{"noop", benchTypicalPayload},
		{"rewrite", legacyBenchRewrite()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.in)))
			dst := make([]byte, 0, 2*len(bc.in))
			for b.Loop() {
				out, err := AppendLegacy(dst[:0], bc.in)
				if err != nil {
					b.Fatal(err)
				}
				benchBytesSink = out
			}
		})
	}
}
