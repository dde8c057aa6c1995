package msgjson_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/msgjson"
)

// benchInputs are the benchmarks' messages: a OneGPIO command, the
// amplification message, and bulkier typical data.
func benchInputs() []struct {
	name string
	js   []byte
} {
	return []struct {
		name string
		js   []byte
	}{
		{"command", []byte(`{"command": "digital_write", "pin": 13, "value": 1}`)},
		{"empty_objects_1MiB", amplifier(1 << 20)},
		{"records_64KiB", []byte("[" + strings.Repeat(`{"pin": 2, "value": 1023, "timestamp": 1550482276.75, "report": "analog_input"},`, 800) + "{}]")},
		{"strings_64KiB", []byte(`{"text": "` + strings.Repeat(`caf\u00e9 \"quoted\" and plain text, `, 2000) + `"}`)},
	}
}

// decodeMarshal is the gateway's conversion before msgjson: decode into Go
// values (numbers as json.Number), make the numbers ints or floats, encode
// with the Banyan codec.
func decodeMarshal(js []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	v, err := numbersOf(v)
	if err != nil {
		return nil, err
	}
	return banyan.Marshal(v)
}

// numbersOf replaces each json.Number in v.
func numbersOf(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		return refNumber(x)
	case []any:
		for i, e := range x {
			n, err := numbersOf(e)
			if err != nil {
				return nil, err
			}
			x[i] = n
		}
	case map[string]any:
		for k, e := range x {
			n, err := numbersOf(e)
			if err != nil {
				return nil, err
			}
			x[k] = n
		}
	}
	return v, nil
}

func BenchmarkAppendMsgpack(b *testing.B) {
	for _, in := range benchInputs() {
		b.Run(in.name, func(b *testing.B) {
			dst := make([]byte, 0, 3*len(in.js))
			b.SetBytes(int64(len(in.js)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := msgjson.AppendMsgpack(dst[:0], in.js, msgjson.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeMarshal(b *testing.B) {
	for _, in := range benchInputs() {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.js)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decodeMarshal(in.js); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
