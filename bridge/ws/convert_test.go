package ws_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"maps"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/bridge/ws"
)

func TestReplyTopic(t *testing.T) {
	for id, want := range map[string]string{
		"to_arduino_gateway": "from_arduino_gateway",
		"to_motor":           "from_motor", // Python: from_mofromr
		"to_to_x":            "from_to_x",
		"to_esp8266_gateway": "from_esp8266_gateway",
	} {
		if got, err := ws.ReplyTopic(id); err != nil || got != want {
			t.Errorf("ReplyTopic(%q) = %q, %v; want %q", id, got, err, want)
		}
	}
	for id, want := range map[string]error{"": ws.ErrNoID, "to_": ws.ErrBadID, "arduino": ws.ErrBadID, "To_x": ws.ErrBadID, "toaster": ws.ErrBadID} {
		if got, err := ws.ReplyTopic(id); !errors.Is(err, want) {
			t.Errorf("ReplyTopic(%q) = %q, %v; want %v", id, got, err, want)
		}
	}
}

func TestToJSONTimestamp(t *testing.T) {
	cases := []struct {
		ts   any
		want string
	}{
		{0, `"1970-01-01 00:00:00"`},
		{1550482276, `"2019-02-18 09:31:16"`},
		{1550482276.9, `"2019-02-18 09:31:16"`},          // fractions dropped
		{16.9999996, `"1970-01-01 00:00:17"`},            // Python rounds to microseconds first
		{-0.5, `"1969-12-31 23:59:59"`},                  // floor, as fromtimestamp
		{"2019-02-18 09:31:16", `"2019-02-18 09:31:16"`}, // not a number: as it is
		{1e15, `1000000000000000`},                       // beyond year 9999: as it is
		{math.Inf(1), `null`},
	}
	for _, tc := range cases {
		payload, err := banyan.Marshal(map[string]any{"timestamp": tc.ts})
		if err != nil {
			t.Fatal(err)
		}
		got, err := ws.ToJSON(payload, time.UTC)
		if want := `{"timestamp":` + tc.want + `}`; err != nil || string(got) != want {
			t.Errorf("timestamp %v: %s, %v; want %s", tc.ts, got, err, want)
		}
	}
	// Another zone; no zone (no rewrite); nested timestamps are not rewritten.
	payload, _ := banyan.Marshal(map[string]any{"timestamp": 0, "inner": map[string]any{"timestamp": 0}})
	east := time.FixedZone("east", 3600)
	if got, _ := ws.ToJSON(payload, east); string(got) != `{"inner":{"timestamp":0},"timestamp":"1970-01-01 01:00:00"}` {
		t.Errorf("in a zone: %s", got)
	}
	if got, _ := ws.ToJSON(payload, nil); string(got) != `{"inner":{"timestamp":0},"timestamp":0}` {
		t.Errorf("without a zone: %s", got)
	}
}

func TestToJSONRefuses(t *testing.T) {
	for _, bad := range [][]byte{{}, {0xc1}, {0x81, 0xa1}, {0x01, 0x02}, {0xd4, 0x01, 0x00}} {
		if got, err := ws.ToJSON(bad, nil); !errors.Is(err, ws.ErrConvert) {
			t.Errorf("% x: %s, %v", bad, got, err)
		}
	}
}

func TestFromJSON(t *testing.T) {
	got, err := ws.FromJSON([]byte(`{"i": 1, "f": 1.0, "e": 1e2, "n": -5, "u": 18446744073709551615, "inf": 1e999,
		"s": "é", "l": [true, null, {"x": 0.25}]}`))
	if err != nil {
		t.Fatal(err)
	}
	v, err := banyan.DecodeMap(got)
	if err != nil {
		t.Fatal(err)
	}
	l := v["l"].([]any)
	delete(v, "l")
	want := map[string]any{"i": int64(1), "f": 1.0, "e": 100.0, "n": int64(-5), "u": uint64(math.MaxUint64), "inf": math.Inf(1), "s": "é"}
	if !maps.Equal(v, want) || l[0] != true || l[1] != nil || l[2].(map[string]any)["x"] != 0.25 {
		t.Fatalf("got %#v %#v", v, l)
	}

	// Byte for byte what Python sends for a OneGPIO command (a one-key map
	// has no order to disagree on).
	got, _ = ws.FromJSON([]byte(`{"command": "set_mode_digital_output"}`))
	want2, _ := banyan.Marshal(map[string]any{"command": "set_mode_digital_output"})
	if !bytes.Equal(got, want2) {
		t.Errorf("% x, want % x", got, want2)
	}

	// Keys in the browser's order, as Python's json.loads and packb
	// keep them.
	got, _ = ws.FromJSON([]byte(`{"pin": 13, "command": "digital_write"}`))
	if want := "82a370696e0da7636f6d6d616e64ad6469676974616c5f7772697465"; hex.EncodeToString(got) != want {
		t.Errorf("% x, want %s", got, want)
	}

	for _, bad := range []string{``, `{`, `{"a": 1} {}`, `NaN`, `{"n": Infinity}`, `{"n": 99999999999999999999}`, `{"n": -99999999999999999999}`,
		"{\"s\": \"\xff\"}", `{"s": "\ud800"}`, strings.Repeat("[", banyan.MaxNesting+1) + strings.Repeat("]", banyan.MaxNesting+1)} {
		if got, err := ws.FromJSON([]byte(bad)); !errors.Is(err, ws.ErrBadJSON) {
			t.Errorf("%q: % x, %v", bad, got, err)
		}
	}
}
