package ws_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/bridge/ws"
)

// toJSONBefore is ToJSON as it was before internal/msgjson: decode into Go
// values, rewrite the timestamp, encode with encoding/json. ToJSON must
// write the same bytes.
func toJSONBefore(payload []byte, loc *time.Location) ([]byte, error) {
	v, err := banyan.DecodeValue(payload)
	if err != nil {
		return nil, err
	}
	if m, ok := v.(map[string]any); ok && loc != nil {
		if s, ok := formatTimestampBefore(m["timestamp"], loc); ok {
			m["timestamp"] = s
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jsonableBefore(v)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

func jsonableBefore(v any) any {
	switch x := v.(type) {
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case []any:
		for i, e := range x {
			x[i] = jsonableBefore(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = jsonableBefore(e)
		}
	}
	return v
}

func formatTimestampBefore(v any, loc *time.Location) (string, bool) {
	var t time.Time
	switch x := v.(type) {
	case int64:
		t = time.Unix(x, 0)
	case uint64:
		return "", false
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e12 {
			return "", false
		}
		sec := math.Floor(x)
		if math.RoundToEven((x-sec)*1e6) >= 1e6 {
			sec++
		}
		t = time.Unix(int64(sec), 0)
	default:
		return "", false
	}
	t = t.In(loc)
	if y := t.Year(); y < 1 || y > 9999 {
		return "", false
	}
	return t.Format(ws.TimestampLayout), true
}

// ToJSON writes what it wrote before msgjson, timestamps included.
func TestToJSONAsBefore(t *testing.T) {
	var payloads [][]byte
	for _, ts := range []any{0, 1550482276, -1, 1550482276.75, 16.9999996, -0.5, 1e15, uint64(1 << 63), float32(1.5), math.NaN(), math.Inf(1),
		"2019-02-18 09:31:16", []any{1}, map[string]any{"timestamp": 1}, nil, true, []byte{1}, int64(math.MinInt64), int64(253402300800), int64(-62135596801)} {
		for _, m := range []map[string]any{
			{"timestamp": ts},
			{"timestamp": ts, "report": "digital_input", "pin": 2, "value": 1, "data": []byte("abc"), "f": []any{1.5, math.NaN()}},
			{"inner": map[string]any{"timestamp": ts}},
		} {
			p, err := banyan.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			payloads = append(payloads, p)
		}
	}
	payloads = append(payloads,
		// Python's dict order; a duplicate timestamp (the last wins); a
		// bin "timestamp" key; not a map.
		[]byte{0x82, 0xa9, 't', 'i', 'm', 'e', 's', 't', 'a', 'm', 'p', 0x01, 0xa1, 'a', 0x02},
		[]byte{0x82, 0xa9, 't', 'i', 'm', 'e', 's', 't', 'a', 'm', 'p', 0x01, 0xa9, 't', 'i', 'm', 'e', 's', 't', 'a', 'm', 'p', 0xa1, 'x'},
		[]byte{0x82, 0xa9, 't', 'i', 'm', 'e', 's', 't', 'a', 'm', 'p', 0xa1, 'x', 0xa9, 't', 'i', 'm', 'e', 's', 't', 'a', 'm', 'p', 0x05},
		[]byte{0x81, 0xc4, 0x09, 't', 'i', 'm', 'e', 's', 't', 'a', 'm', 'p', 0x05},
		[]byte{0x91, 0x05},
	)
	east := time.FixedZone("east", 3600)
	for _, p := range payloads {
		for _, loc := range []*time.Location{nil, time.UTC, east} {
			got, err := ws.ToJSON(p, loc)
			want, werr := toJSONBefore(p, loc)
			if err != nil || werr != nil || !bytes.Equal(got, want) {
				t.Errorf("% x in %v:\n got %s, %v\nwant %s, %v", p, loc, got, err, want, werr)
			}
		}
	}
}

// Converting a payload for browsers builds no values: a megabyte of empty
// maps (which decoded into Go values took 75 MiB) allocates the text (and
// a few small things), however many elements.
func TestToJSONAllocations(t *testing.T) {
	const n = 1 << 20
	p := append([]byte{0xdd, n >> 24, n >> 16 & 0xff, n >> 8 & 0xff, n & 0xff}, bytes.Repeat([]byte{0x80}, n)...)
	allocs := testing.AllocsPerRun(3, func() {
		if _, err := ws.ToJSON(p, time.UTC); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 5 {
		t.Fatalf("%v allocations to convert %d empty maps", allocs, n)
	}
}
