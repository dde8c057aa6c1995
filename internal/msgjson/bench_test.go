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

// benchPayloads are Banyan payloads: a gateway report as Go sends it
// (keys sorted) and as Python does (keys in insertion order), a megabyte
// of empty maps, bulk records.
func benchPayloads(b *testing.B) []struct {
	name string
	p    []byte
} {
	report, err := banyan.Marshal(map[string]any{"report": "digital_input", "pin": 2, "value": 1, "timestamp": 1550482276.75})
	if err != nil {
		b.Fatal(err)
	}
	python, err := msgjson.AppendMsgpack(nil, []byte(`{"report": "digital_input", "pin": 2, "value": 1, "timestamp": 1550482276.75}`), msgjson.Options{})
	if err != nil {
		b.Fatal(err)
	}
	records, err := msgjson.AppendMsgpack(nil, benchInputs()[2].js, msgjson.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return []struct {
		name string
		p    []byte
	}{
		{"report_sorted", report},
		{"report_python_order", python},
		{"empty_maps_1MiB", msgpackArray(1<<20, []byte{0x80})},
		{"records_python_order", records},
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	for _, in := range benchPayloads(b) {
		b.Run(in.name, func(b *testing.B) {
			dst := make([]byte, 0, 4*len(in.p))
			b.SetBytes(int64(len(in.p)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := msgjson.AppendJSON(dst[:0], in.p, sorted); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeEncode(b *testing.B) {
	for _, in := range benchPayloads(b) {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.p)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := refJSON(in.p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
