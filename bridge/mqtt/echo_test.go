package mqtt

import (
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestEchoGuard(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	g := newEchoGuard(10*time.Second, 4, clk.now)

	// Each expectation matches one arrival of the same topic and payload.
	g.expect("a", []byte("x"))
	g.expect("a", []byte("x"))
	if g.isEcho("b", []byte("x")) || g.isEcho("a", []byte("y")) {
		t.Fatal("other topic or payload taken for an echo")
	}
	if !g.isEcho("a", []byte("x")) || !g.isEcho("a", []byte("x")) {
		t.Fatal("expected echoes not recognised")
	}
	if g.isEcho("a", []byte("x")) {
		t.Fatal("third arrival taken for an echo after two expectations")
	}

	// Expectations expire after the TTL; consumed ones do not disturb
	// the expiry of newer ones with the same key.
	g.expect("a", []byte("x")) // t=1000
	clk.t = clk.t.Add(6 * time.Second)
	g.expect("a", []byte("x")) // t=1006
	if !g.isEcho("a", []byte("x")) {
		t.Fatal("echo not recognised")
	}
	clk.t = clk.t.Add(6 * time.Second) // t=1012: the first entry's time is past, the second's not
	if !g.isEcho("a", []byte("x")) {
		t.Fatal("pending expectation lost when an older consumed entry expired")
	}
	g.expect("c", nil)
	clk.t = clk.t.Add(11 * time.Second)
	if g.isEcho("c", nil) || g.size() != 0 {
		t.Fatalf("expired expectation still pending (size %d)", g.size())
	}

	// Beyond max pending, the oldest are forgotten.
	for i := 0; i < 6; i++ {
		g.expect("k", []byte{byte(i)})
	}
	if g.size() != 4 || g.isEcho("k", []byte{0}) || !g.isEcho("k", []byte{5}) {
		t.Fatalf("cap not applied: size %d", g.size())
	}

	g.reset()
	if g.size() != 0 || g.isEcho("k", []byte{4}) {
		t.Fatal("reset kept expectations")
	}
}
