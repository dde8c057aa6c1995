package esp8266

import (
	"bytes"
	"strings"
	"testing"
)

func collect(s *scanner, chunks ...string) []string {
	var out []string
	for _, c := range chunks {
		s.feed([]byte(c), func(obj []byte) { out = append(out, string(obj)) })
	}
	return out
}

func TestScannerFramesOfAnyLength(t *testing.T) {
	s := scanner{max: MaxReport}
	short := `{"report": "digital_input", "pin": 4, "value": 1}`
	long := `{"report": "i2c_data", "value": [200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215]}`
	stream := short + strings.Repeat(" ", 96-len(short)) + long + "\n" + `{"s": "a } { \" brace"}`
	// Every split point: reports cut across reads come out whole.
	for cut := 0; cut <= len(stream); cut++ {
		s = scanner{max: MaxReport}
		got := collect(&s, stream[:cut], stream[cut:])
		if len(got) != 3 || got[0] != short || got[1] != long || got[2] != `{"s": "a } { \" brace"}` {
			t.Fatalf("cut %d: %q", cut, got)
		}
		if s.garbage != 0 || s.oversize != 0 {
			t.Fatalf("cut %d: garbage %d oversize %d", cut, s.garbage, s.oversize)
		}
	}
	if len(long) != 113 {
		t.Fatalf("the long report is %d bytes, want the measured 113", len(long))
	}
}

func TestScannerSkipsAndCountsGarbage(t *testing.T) {
	s := scanner{max: MaxReport}
	got := collect(&s, "junk  more\x01junk {\"a\": 1}  ]] {\"b\": 2}")
	if len(got) != 2 || got[0] != `{"a": 1}` || got[1] != `{"b": 2}` {
		t.Fatalf("got %q", got)
	}
	if s.garbage != 3 {
		t.Fatalf("garbage runs %d, want 3", s.garbage)
	}
}

func TestScannerBoundsMemory(t *testing.T) {
	s := scanner{max: 64}
	huge := `{"x": "` + strings.Repeat("y", 100000) + `"}`
	got := collect(&s, huge, `{"ok": 1}`)
	if len(got) != 1 || got[0] != `{"ok": 1}` {
		t.Fatalf("got %q", got)
	}
	if s.oversize != 1 {
		t.Fatalf("oversize %d, want 1", s.oversize)
	}
	if cap(s.buf) > 256 {
		t.Fatalf("buffer grew to %d bytes for a 64-byte limit", cap(s.buf))
	}
	// An unterminated object holds no more than the limit either.
	s.feed(bytes.Repeat([]byte{'{'}, 1<<20), func([]byte) { t.Fatal("emitted an unterminated object") })
	if cap(s.buf) > 256 {
		t.Fatalf("buffer grew to %d bytes", cap(s.buf))
	}
}

func FuzzScanner(f *testing.F) {
	f.Add([]byte(`{"report": "connected", "info": "x"}      {"a": [1, {"b": "}"}]}`), 7)
	f.Add([]byte("\x00\x00{{{}}]]\"\\\"}"), 1)
	f.Fuzz(func(t *testing.T, data []byte, split int) {
		s := scanner{max: 128}
		if split < 0 || split > len(data) {
			split = len(data) / 2
		}
		emit := func(obj []byte) {
			if len(obj) > 128 || len(obj) < 2 || obj[0] != '{' {
				t.Fatalf("emitted %q", obj)
			}
			decodeObject(obj) // must not panic
		}
		s.feed(data[:split], emit)
		s.feed(data[split:], emit)
		if len(s.buf) > 128 {
			t.Fatalf("holds %d bytes", len(s.buf))
		}
	})
}
