package banyan

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/gobanyan/banyan/internal/testpeer"
)

// pyValues mirrors VALUES in testdata/banyan_peer.py, as Go values.
func pyValues() []any {
	rep := strings.Repeat
	b := func(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }
	return []any{
		"", rep("a", 31), rep("b", 32), rep("c", 255), rep("d", 256), rep("e", 65535), rep("f", 65536),
		0, 1, 127, 128, 255, 256, 65535, 65536, uint64(1<<32 - 1), uint64(1 << 32), int64(math.MaxInt64), uint64(1 << 63), uint64(math.MaxUint64),
		-1, -32, -33, -128, -129, -32768, -32769, int64(math.MinInt32), int64(math.MinInt32 - 1), int64(math.MinInt64),
		0.0, math.Copysign(0, -1), 1.5, -2.25, 1e300, 5e-324, math.Inf(1), math.Inf(-1), math.Float64frombits(0x7ff8000000000000), // Python's NaN bits
		[]byte{}, b(0, 255), b(1, 256), b(2, 65535), b(3, 65536),
		true, false, nil,
		"漢字テスト", "emoji 😀🎉", "nul\x00inside", "mixed é ß 中 🙂",
		[]any{}, []any{1, "two", 3.0, nil, []any{[]byte("x"), map[string]any{"k": "v"}}},
		map[string]any{}, map[string]any{"a": 1, "b": map[string]any{"c": []any{1, 2, map[string]any{"d": nil}}}, "message_number": 10},
		map[string]any{"bin": []byte{0xff, 0}, "list": []any{true, false}, "str": "s"},
		map[string]any{"big": rep("x", 1<<20)},
	}
}

// runPyComponent checks that a Python Banyan-style component and a Go
// component exchange every value class exactly, in both directions, through
// the forwarder at host:pubPort/subPort.
func runPyComponent(t *testing.T, pubPort, subPort int) {
	py := testpeer.Python(t, "zmq", "msgpack")
	peer := testpeer.Start(t, py, "testdata/banyan_peer.py", "127.0.0.1", strconv.Itoa(pubPort), strconv.Itoa(subPort))
	peer.Expect("READY")
	c, err := Connect(context.Background(), WithBackplane("127.0.0.1"), WithPorts(pubPort, subPort),
		WithLogger(quietLog), WithSubscriptions("py_"), WithHWM(Unlimited))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The Python side says hello until it gets a command: then its SUB is up.
	for m := next(t, c); m.Topic != "py_hello"; m = next(t, c) {
	}
	values := pyValues()

	// Python -> Go: decode, compare, and re-encode byte for byte.
	c.Publish("cmd_py", map[string]any{"cmd": "send"})
	got := 0
	for {
		m := next(t, c)
		if m.Topic == "py_hello" {
			continue
		}
		if m.Topic == "py_done" {
			break
		}
		i, _ := strconv.Atoi(strings.TrimPrefix(m.Topic, "py_value/"))
		got++
		v, err := m.Value()
		if err != nil {
			t.Errorf("value %d: decode: %v", i, err)
			continue
		}
		want, err := Marshal(values[i])
		if err != nil {
			t.Fatalf("value %d: Marshal: %v", i, err)
		}
		if !bytes.Equal(m.Payload, want) {
			t.Errorf("value %d: Python sent % x..., Go encodes % x...", i, head(m.Payload), head(want))
		}
		back, err := Marshal(v)
		if err != nil || !bytes.Equal(back, m.Payload) {
			t.Errorf("value %d: decoded %T does not re-encode to the same bytes (%v)", i, v, err)
		}
	}
	if got != len(values) {
		t.Fatalf("received %d of %d values from Python", got, len(values))
	}
	// Go -> Python: Python compares values and bytes.
	for i, v := range values {
		if err := c.Publish(fmt.Sprintf("to_py/%d", i), v); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	for range values {
		if l := peer.Expect(""); !strings.HasPrefix(l, "OK ") {
			t.Errorf("python: %s", l)
		}
	}
	c.Publish("cmd_py", map[string]any{"cmd": "exit"})
}

func head(b []byte) []byte {
	if len(b) > 24 {
		return b[:24]
	}
	return b
}

func TestPythonComponentThroughOurBackplane(t *testing.T) {
	tb := startBackplane(t, -1, -1)
	runPyComponent(t, tb.bp.PublisherPort(), tb.bp.SubscriberPort())
}

func TestPythonComponentThroughPyzmqForwarder(t *testing.T) {
	py := testpeer.Python(t, "zmq", "msgpack")
	in, out := freePort(t), freePort(t)
	fwd := testpeer.Start(t, py, "internal/zmtp/testdata/peer.py", "fwd", strconv.Itoa(in), strconv.Itoa(out))
	fwd.Expect("READY")
	runPyComponent(t, in, out)
}
