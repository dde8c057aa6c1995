package banyan

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/gobanyan/banyan/internal/zmtp"
)

// With WithMsgpack(MsgpackLegacy) every payload leaves in the old spec
// (what javabanyan reads): a 40-byte string as raw16, bytes as raw, from
// Publish and PublishRaw alike; decoding still takes both.
func TestLegacyMsgpack(t *testing.T) {
	tb := startBackplane(t, -1, -1)
	spy := zmtp.NewSub(zmtp.Options{Logger: quietLog})
	defer spy.Close()
	spy.Subscribe([]byte("j"))
	spy.Connect("127.0.0.1:" + strconv.Itoa(tb.bp.SubscriberPort()))
	if err := spy.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := connect(t, tb, WithMsgpack(MsgpackLegacy), WithSubscriptions("j"))
	s40 := strings.Repeat("x", 40)
	want := append([]byte{0x82, 0xa1, 'b', 0xa2, 1, 2, 0xa1, 's', 0xda, 0, 40}, s40...) // {"b": fixraw, "s": raw16}
	c.Publish("j1", map[string]any{"s": s40, "b": []byte{1, 2}})
	current, _ := Marshal(map[string]any{"s": s40, "b": []byte{1, 2}})
	c.PublishRaw("j2", current)
	for _, topic := range []string{"j1", "j2"} {
		m, err := spy.Recv(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Topic()) != topic || !bytes.Equal(m.Frame(1), want) {
			t.Fatalf("%s: got % x, want % x", m.Topic(), m.Frame(1), want)
		}
		// Our own decoder reads the legacy form: the bytes come back as a string.
		v, err := next(t, c).Map()
		if err != nil || v["s"] != s40 || v["b"] != "\x01\x02" {
			t.Fatalf("%s: decoded %v, %v", topic, v, err)
		}
	}
	if err := c.PublishRaw("j3", []byte{0xc1}); !errors.Is(err, ErrBadPayload) {
		t.Fatalf("PublishRaw(not msgpack) in legacy mode = %v, want ErrBadPayload", err)
	}
	// The old spec has no bytes type: bytes that are not UTF-8 leave as a
	// raw string that today's receivers refuse (as Python's would), counted.
	c.Publish("j4", map[string]any{"b": []byte{0xff}})
	c.Publish("j5", map[string]any{"b": []byte("ok")})
	if m := next(t, c); m.Topic != "j5" {
		t.Fatalf("got %q, want j5 (j4's non-UTF-8 raw refused)", m.Topic)
	}
	if n := c.Stats().BadMessages; n != 1 {
		t.Fatalf("BadMessages = %d, want 1 (j4)", n)
	}
}
