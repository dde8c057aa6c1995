package banyan

import (
	"errors"
	"testing"
)

// WithMaxMessageSize bounds both ways: Publish refuses a larger message
// with ErrTooLarge (the publisher knows, instead of the backplane silently
// dropping it), and a larger incoming one is skipped and counted while the
// connection stays up.
func TestMaxMessageSize(t *testing.T) {
	tb := startBackplane(t, -1, -1)
	small := connect(t, tb, WithMaxMessageSize(1000), WithSubscriptions("t"))
	big := connect(t, tb)
	if err := small.PublishRaw("x", make([]byte, 999)); err != nil {
		t.Fatalf("topic+payload of 1000 bytes: %v, want nil", err)
	}
	if err := small.PublishRaw("x", make([]byte, 1000)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("1001 bytes: %v, want ErrTooLarge", err)
	}
	// Incoming: over the limit is skipped and counted, the next one arrives.
	big.PublishRaw("t", append([]byte{0xc4, 0xff, 0x07}, make([]byte, 2047)...))
	big.Publish("t", "after")
	m := next(t, small)
	if v, err := m.Value(); err != nil || v != "after" {
		t.Fatalf("got %v %v, want the message after the oversized one", v, err)
	}
	if s := small.Stats(); s.BadMessages != 1 || s.Reconnects != 0 {
		t.Fatalf("stats %+v: want 1 bad message, no reconnect", s)
	}
}
