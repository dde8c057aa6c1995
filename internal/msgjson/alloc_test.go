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
