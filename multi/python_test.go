package multi

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
)

// startPython runs testdata/py_component.py on tb, subscribed to topics,
// and returns once both its connections carry messages: its "py_hello"
// reached hello (a component on tb subscribed to py_hello), and a "py_ctl"
// published with publish reached it.
func startPython(t *testing.T, tb *testBackplane, topics string, hello func() string, publish func() error) *testpeer.Proc {
	t.Helper()
	py := testpeer.Python(t, "zmq", "msgpack")
	p := testpeer.Start(t, py, "testdata/py_component.py", "127.0.0.1", strconv.Itoa(tb.PublisherPort()), strconv.Itoa(tb.SubscriberPort()), topics)
	p.Expect("READY")
	for hello() != "py_hello" {
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err := publish(); err != nil {
			t.Fatal(err)
		}
		if l, ok := p.Next(100 * time.Millisecond); ok && strings.HasPrefix(l, "RECV py_ctl") {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatal("the Python component never received py_ctl")
		}
	}
}

// A Python Banyan-style component on one of two backplanes: its messages
// are reported as coming from that backplane, Publish reaches it and not
// the other backplane, Broadcast reaches both.
func TestPythonComponentOnOneBackplane(t *testing.T) {
	bp1, bp2 := startBackplane(t), startBackplane(t)
	goPeer := bp1.peer(t, "from_multi")
	m := open(t, bp1.row("BP1", "[from_go]"), bp2.row("BP2", "[from_py,py_hello]"))
	r := run(t, m)
	py := startPython(t, bp2, "from_multi",
		func() string { d := r.next(t); wantBP(t, d, "BP2"); return d.topic },
		func() error { return m.Publish("BP2", "py_ctl", map[string]any{}) })
	m.Unsubscribe("BP2", "py_hello")

	py.Send(`PUB from_py {"who": "python", "n": [1, 2.5, null]}`)
	for {
		d := r.next(t)
		if d.topic == "py_hello" {
			continue
		}
		wantDelivery(t, d, "BP2", "from_py")
		v := d.value.(map[string]any)
		if v["who"] != "python" {
			t.Fatalf("value %v", v)
		}
		break
	}
	goPeer.Publish("from_go", map[string]any{"who": "go"})
	for d := r.next(t); ; d = r.next(t) {
		if d.topic != "py_hello" {
			wantDelivery(t, d, "BP1", "from_go")
			break
		}
	}

	// Publish to BP2 reaches Python; the Go peer on BP1 gets only the
	// marker that follows on BP1.
	if err := m.Publish("BP2", "from_multi", map[string]any{"n": 7, "s": "héllo", "b": []byte{1, 255}}); err != nil {
		t.Fatal(err)
	}
	if l := py.Expect("RECV from_multi"); l != `RECV from_multi {"b": "01ff", "n": 7, "s": "héllo"}` {
		t.Fatalf("python got %q", l)
	}
	m.Publish("BP1", "from_multi", "marker")
	if got := testbp.Next(t, goPeer); string(got.Payload) != "\xa6marker" {
		t.Fatalf("Go peer got % x before the marker", got.Payload)
	}

	if err := m.Broadcast("from_multi", map[string]any{"all": true}); err != nil {
		t.Fatal(err)
	}
	if l := py.Expect("RECV from_multi"); l != `RECV from_multi {"all": true}` {
		t.Fatalf("python got %q", l)
	}
	if got := testbp.Next(t, goPeer); got.Topic != "from_multi" {
		t.Fatalf("Go peer got %q", got.Topic)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
}

func wantBP(t *testing.T, d delivery, bp string) {
	t.Helper()
	if d.bp != bp {
		t.Fatalf("%q came from %s, want %s", d.topic, d.bp, bp)
	}
}
