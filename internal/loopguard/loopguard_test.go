package loopguard

import (
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestGuard(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	g := New(10*time.Second, 4, clk.now)

	// Each expectation matches one arrival of the same topic and payload.
	g.Expect("a", []byte("x"))
	g.Expect("a", []byte("x"))
	if g.IsEcho("b", []byte("x")) || g.IsEcho("a", []byte("y")) {
		t.Fatal("other topic or payload taken for an echo")
	}
	if !g.IsEcho("a", []byte("x")) || !g.IsEcho("a", []byte("x")) {
		t.Fatal("expected echoes not recognised")
	}
	if g.IsEcho("a", []byte("x")) {
		t.Fatal("third arrival taken for an echo after two expectations")
	}

	// Expectations expire after the TTL; consumed ones do not disturb
	// the expiry of newer ones with the same key.
	g.Expect("a", []byte("x")) // t=1000
	clk.t = clk.t.Add(6 * time.Second)
	g.Expect("a", []byte("x")) // t=1006
	if !g.IsEcho("a", []byte("x")) {
		t.Fatal("echo not recognised")
	}
	clk.t = clk.t.Add(6 * time.Second) // t=1012: the first entry's time is past, the second's not
	if !g.IsEcho("a", []byte("x")) {
		t.Fatal("pending expectation lost when an older consumed entry expired")
	}
	g.Expect("c", nil)
	clk.t = clk.t.Add(11 * time.Second)
	if g.IsEcho("c", nil) || g.Size() != 0 {
		t.Fatalf("expired expectation still pending (size %d)", g.Size())
	}

	// Beyond max pending, the oldest are forgotten.
	for i := 0; i < 6; i++ {
		g.Expect("k", []byte{byte(i)})
	}
	if g.Size() != 4 || g.IsEcho("k", []byte{0}) || !g.IsEcho("k", []byte{5}) {
		t.Fatalf("cap not applied: size %d", g.Size())
	}

	g.Reset()
	if g.Size() != 0 || g.IsEcho("k", []byte{4}) {
		t.Fatal("reset kept expectations")
	}
}
