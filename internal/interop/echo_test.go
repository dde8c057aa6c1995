package interop

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/echo"
	"github.com/gobanyan/banyan/internal/testbp"
)

// fortyBytes is a 40-byte string: str8 in today's msgpack, raw16 in the old
// spec, so it reaches Java only in MsgpackLegacy mode.
var fortyBytes = strings.Repeat("forty-b.", 5)

// echoCases are the payloads sent through echo servers: maps (javabanyan
// casts every payload to a HashMap) of strings of 10 and 40 bytes, ints of
// every width, floats and nested maps; and, for all but old-spec peers, what
// only today's msgpack carries (bin, 255-byte strings).
func echoCases(legacy bool) []map[string]any {
	cases := []map[string]any{
		{"message_number": 10},
		{"s": "0123456789"},
		{"s": fortyBytes},
		{"ints": []any{0, 1, 127, 128, 255, 256, 65535, 65536, 1<<31 - 1, 1<<32 + 1, -1, -32, -33, -128, -129, -32768, -32769, -1 << 31}},
		{"f": 1.5, "g": -2.25e-10, "h": 1e300},
		{"nested": map[string]any{"a": map[string]any{"b": []any{1, "two", 3.5, true, false, nil}}}, "empty": map[string]any{}, "list": []any{}},
		{"utf8": "漢字テスト 😀 é"},
	}
	if !legacy {
		cases = append(cases, map[string]any{"bin": []byte{0, 1, 0xfe, 0xff}}, map[string]any{"s": strings.Repeat("x", 255)})
	}
	return cases
}

// roundTrips checks, through whatever echo server listens on the backplane
// c is connected to (c subscribed to "reply"), that every case comes back.
// exact: the reply's bytes must be the request's; otherwise its value, with
// every number compared as a float64 (msgpack-lite sends integral numbers
// beyond 32 bits as float64; old-spec peers send strings as raw).
func roundTrips(t *testing.T, c *banyan.Component, cases []map[string]any, exact bool) {
	t.Helper()
	warmUp(t, c)
	for i, v := range cases {
		req, err := banyan.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.PublishRaw(echo.RequestTopic, req); err != nil {
			t.Fatal(err)
		}
		m := nextReply(t, c)
		if m == nil {
			t.Fatalf("case %d %v: no reply", i, v)
		}
		got, err := m.Value()
		if err != nil {
			t.Errorf("case %d %v: reply % x: %v", i, v, m.Payload, err)
			continue
		}
		if exact && !bytes.Equal(m.Payload, req) {
			t.Errorf("case %d: sent % x, got back % x", i, req, m.Payload)
		}
		if !reflect.DeepEqual(normalize(got), normalize(v)) {
			t.Errorf("case %d: sent %v, got back %v (% x)", i, v, got, m.Payload)
		}
	}
}

// warmUp publishes a marker request until its reply comes back: then the
// echo server's subscription and both its connections are up.
func warmUp(t *testing.T, c *banyan.Component) {
	t.Helper()
	deadline := time.Now().Add(testbp.Patience)
	for time.Now().Before(deadline) {
		if err := c.Publish(echo.RequestTopic, map[string]any{"warmup": true}); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-c.Messages():
			if isWarmup(m) {
				return
			}
			t.Fatalf("unexpected message before warm-up: %q % x", m.Topic, m.Payload)
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatalf("no echo reply within %v", testbp.Patience)
}

func isWarmup(m *banyan.Message) bool {
	v, err := m.Map()
	return err == nil && v["warmup"] == true
}

// nextReply returns the next reply that is not a late warm-up reply, or nil
// after Patience.
func nextReply(t *testing.T, c *banyan.Component) *banyan.Message {
	t.Helper()
	timeout := time.After(testbp.Patience)
	for {
		select {
		case m := <-c.Messages():
			if m.Topic != echo.ReplyTopic {
				t.Fatalf("message on %q, want %q", m.Topic, echo.ReplyTopic)
			}
			if !isWarmup(m) {
				return m
			}
		case <-timeout:
			return nil
		}
	}
}

// normalize turns every number into a float64, recursively.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.CanInt():
		return float64(rv.Int())
	case rv.CanUint():
		return float64(rv.Uint())
	case rv.CanFloat():
		return rv.Float()
	}
	return v
}

// Each sister's echo server, on our backplane, answers a Go client.
func TestTheirEchoOnOurBackplane(t *testing.T) {
	for _, s := range sisters {
		t.Run(s.name, func(t *testing.T) {
			bp := testbp.Start(t, backplane.Options{})
			s.start(t, "echo", bp.PublisherPort(), bp.SubscriberPort())
			extra := []banyan.Option{banyan.WithSubscriptions(echo.ReplyTopic)}
			if s.legacy {
				extra = append(extra, banyan.WithMsgpack(banyan.MsgpackLegacy))
			}
			c := bp.Connect(t, extra...)
			// Ruby's msgpack writes what Go's does, byte for byte.
			roundTrips(t, c, echoCases(s.legacy), s.name == "ruby")
		})
	}
}

// Java's old-spec msgpack refuses a 40-byte string sent as today's str8;
// the same string in MsgpackLegacy mode (raw16) reaches it and comes back.
func TestJavaNeedsLegacyMsgpack(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	peer := javaSister.start(t, "echo", bp.PublisherPort(), bp.SubscriberPort())
	legacy := bp.Connect(t, banyan.WithSubscriptions(echo.ReplyTopic), banyan.WithMsgpack(banyan.MsgpackLegacy))
	warmUp(t, legacy)

	current := bp.Connect(t)
	if err := current.Publish(echo.RequestTopic, map[string]any{"s": fortyBytes}); err != nil {
		t.Fatal(err)
	}
	if l := peer.Expect("BAD "); !strings.Contains(l, "0xd9") {
		t.Errorf("java refused the str8 payload for another reason: %s", l)
	}

	if err := legacy.Publish(echo.RequestTopic, map[string]any{"s": fortyBytes}); err != nil {
		t.Fatal(err)
	}
	m := nextReply(t, legacy)
	if m == nil {
		t.Fatal("no reply to the legacy payload")
	}
	if v, err := m.Map(); err != nil || v["s"] != fortyBytes {
		t.Fatalf("reply %v (%v), want s=%q", v, err, fortyBytes)
	}
	if !bytes.Contains(m.Payload, append([]byte{0xda, 0, 40}, fortyBytes...)) {
		t.Errorf("java's reply % x does not carry the string as raw16", m.Payload)
	}
}

// Our echo server, on each sister's backplane, answers a Go client.
func TestOurEchoOnTheirBackplane(t *testing.T) {
	for _, s := range sisters {
		t.Run(s.name, func(t *testing.T) {
			pub, sub := s.backplane(t)
			serveEcho(t, options(pub, sub)...)
			c := testbp.Connect(t, options(pub, sub, banyan.WithSubscriptions(echo.ReplyTopic))...)
			// The backplane and our server pass payloads on untouched.
			roundTrips(t, c, echoCases(false), true)
		})
	}
}

// serveEcho connects a component with opts and runs echo.Serve on it until
// the test ends.
func serveEcho(t *testing.T, opts ...banyan.Option) {
	t.Helper()
	c := testbp.Connect(t, opts...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- echo.Serve(ctx, c, nil) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("echo.Serve: %v", err)
		}
	})
}
