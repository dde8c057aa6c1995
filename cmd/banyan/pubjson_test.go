package main

import (
	"bytes"
	"math"
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/bridge/mqtt"
	"github.com/gobanyan/banyan/bridge/ws"
)

// pubMsgpack is the payload `banyan pub TOPIC text` publishes.
func pubMsgpack(t *testing.T, text string) []byte {
	t.Helper()
	v, err := parsePayload([]string{text})
	if err != nil {
		t.Fatalf("pub %s: %v", text, err)
	}
	b, err := banyan.Marshal(v)
	if err != nil {
		t.Fatalf("pub %s: %v", text, err)
	}
	return b
}

// TestPubMQTTWSSameMsgpack: pub, the MQTT bridge and the WebSocket bridge
// turn the same JSON into the same msgpack bytes.
func TestPubMQTTWSSameMsgpack(t *testing.T) {
	for _, text := range []string{
		`{"z": 1, "a": 2, "m": {"y": [1, 2.5, "x"], "b": null}}`,
		`{"command": "digital_write", "pin": 13, "value": 1}`,
		`[18446744073709551615, -9223372036854775808, 0, -1, 65536, 1e400, 1.0, 0.1]`,
		`{"é": "😀\n\u2028", "k": true, "k": false}`,
		`{"big": [` + string(bytes.Repeat([]byte(`{},`), 40)) + `{}]}`,
	} {
		want := pubMsgpack(t, text)
		fromMQTT, err := mqtt.JSONToMsgpack([]byte(text))
		if err != nil || !bytes.Equal(fromMQTT, want) {
			t.Errorf("%s: mqtt % x (%v), pub % x", text, fromMQTT, err, want)
		}
		fromWS, err := ws.FromJSON([]byte(text))
		if err != nil || !bytes.Equal(fromWS, want) {
			t.Errorf("%s: ws % x (%v), pub % x", text, fromWS, err, want)
		}
	}
}

// TestPubJSONExact: pub keeps key order and 64-bit integers, reads
// {"$bin": ...} as bytes and NaN as a float, and refuses trailing text.
func TestPubJSONExact(t *testing.T) {
	for text, v := range map[string]any{
		`18446744073709551615`:  uint64(math.MaxUint64),
		`-9223372036854775808`:  int64(math.MinInt64),
		`{"$bin": "AQID"}`:      []byte{1, 2, 3},
		`[Infinity, -Infinity]`: []any{math.Inf(1), math.Inf(-1)},
	} {
		want, err := banyan.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := pubMsgpack(t, text); !bytes.Equal(got, want) {
			t.Errorf("%s: % x, want % x", text, got, want)
		}
	}
	if got := pubMsgpack(t, `{"z": 1, "a": 2}`); !bytes.Equal(got, []byte{0x82, 0xa1, 'z', 1, 0xa1, 'a', 2}) {
		t.Errorf("key order lost: % x", got)
	}
	if got := pubMsgpack(t, `NaN`); len(got) != 9 || got[0] != 0xcb {
		t.Errorf("NaN: % x", got)
	}
	for _, text := range []string{`{"a": 1} x`, `[1,]`, `18446744073709551616`} {
		if _, err := parsePayload([]string{text}); err == nil {
			t.Errorf("%s accepted", text)
		}
	}
}
