package msgjson_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gobanyan/banyan/internal/msgjson"
)

// amplifier is the message of the WebSocket amplification finding:
// 1 MiB of empty objects, which decoded into Go values took 48 MiB.
func amplifier(size int) []byte {
	n := (size - 2) / 3
	b := make([]byte, 0, size)
	b = append(b, '[')
	b = append(b, bytes.Repeat([]byte("{},"), n)...)
	b[len(b)-1] = ']'
	return b
}

// A conversion into a destination with room allocates nothing, however
// many elements the input has.
func TestNoAllocations(t *testing.T) {
	inputs := map[string][]byte{
		"empty objects":  amplifier(1 << 20),
		"small objects":  []byte("[" + strings.Repeat(`{"a":[1,{"b":null}],"c":-1.5e3},`, 1<<15) + `{}]`),
		"strings":        []byte(`["` + strings.Repeat(`\u00e9\n\ud83d\ude00abc`, 1<<14) + `", "` + strings.Repeat("é", 1<<14) + `"]`),
		"numbers":        []byte("[" + strings.Repeat("18446744073709551615,-9223372036854775808,1.5,1e999,1e-999,0.1,", 1<<12) + "0]"),
		"deep":           []byte(strings.Repeat("[", 30) + strings.Repeat("]", 30)),
		"a command":      []byte(`{"command": "digital_write", "pin": 13, "value": 1}`),
		"nested objects": []byte(`{"a":` + strings.Repeat(`{"b":[1,2,{"c":{}}],"d":`, 10) + "0" + strings.Repeat("}", 11)),
	}
	for name, src := range inputs {
		dst := make([]byte, 0, 3*len(src)+1024)
		var err error
		allocs := testing.AllocsPerRun(5, func() {
			_, err = msgjson.AppendMsgpack(dst[:0], src, msgjson.Options{})
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if allocs != 0 {
			t.Errorf("%s (%d bytes): %v allocations per conversion, want 0", name, len(src), allocs)
		}
	}
}

// The destination never needs more than the documented bound: 2.25 times
// the input plus 3 bytes, and 5 bytes per level while converting.
func TestDestinationBound(t *testing.T) {
	for _, src := range [][]byte{
		amplifier(1 << 16),
		[]byte("[" + strings.Repeat("[],", 1000) + "[]]"),
		[]byte("[" + strings.Repeat("1e1,", 1000) + "1e1]"),
		[]byte("1e1"), []byte("[]"), []byte(`[[1]]`), []byte(`{"":[{"":{}}]}`), []byte(`[1e1]`), []byte(`{"":1e1}`),
		[]byte(strings.Repeat("[", 100) + "1e1" + strings.Repeat("]", 100)),
		[]byte(strings.Repeat("[", 100) + strings.Repeat("]", 100)),
	} {
		bound := 9*len(src)/4 + 3 + 5*100
		dst := make([]byte, 0, bound)
		out, err := msgjson.AppendMsgpack(dst, src, msgjson.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if &out[:1][0] != &dst[:1][0] {
			t.Errorf("%.30s (%d bytes): the destination of %d bytes was not enough", src, len(src), bound)
		}
		if len(out) > 9*len(src)/4+3 {
			t.Errorf("%.30s: %d bytes of output from %d", src, len(out), len(src))
		}
	}
}

// msgpackArray is a msgpack array32 of n copies of elem.
func msgpackArray(n int, elem []byte) []byte {
	b := []byte{0xdd, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	return append(b, bytes.Repeat(elem, n)...)
}

// Writing JSON allocates nothing per element: nothing at all in key
// order into a destination with room, and with SortKeys only for the
// index of maps out of order, which grows by doubling.
func TestAppendJSONAllocations(t *testing.T) {
	const n = 1 << 17
	unsorted := []byte{0x82, 0xa1, 'b', 0x01, 0xa1, 'a', 0x02}
	sortedMap := []byte{0x82, 0xa1, 'a', 0x01, 0xa1, 'b', 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}
	for _, tc := range []struct {
		name      string
		p         []byte
		sortKeys  bool
		maxAllocs float64
	}{
		{"empty maps", msgpackArray(n, []byte{0x80}), false, 0},
		{"empty maps, sorted", msgpackArray(n, []byte{0x80}), true, 0},
		{"maps", msgpackArray(n, unsorted), false, 0},
		{"maps in order, sorted", msgpackArray(n, sortedMap), true, 2},
		{"maps out of order, sorted", msgpackArray(n, unsorted), true, 64},
		{"strings", msgpackArray(n, []byte{0xa4, 0xc3, 0xa9, '\n', '"'}), false, 0},
	} {
		dst := make([]byte, 0, 8*len(tc.p))
		var err error
		allocs := testing.AllocsPerRun(3, func() {
			_, err = msgjson.AppendJSON(dst[:0], tc.p, msgjson.Options{SortKeys: tc.sortKeys})
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if allocs > tc.maxAllocs {
			t.Errorf("%s (%d elements): %v allocations, want at most %v", tc.name, n, allocs, tc.maxAllocs)
		}
	}
}
