package ws_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/bridge/ws"
	"github.com/gobanyan/banyan/internal/testbp"
)

// The OneGPIO exchange: the id, a command from the browser reaching a
// Banyan component as msgpack, and a report from Banyan reaching the
// browser as JSON with its timestamp rewritten.
func TestBrowserAndBanyan(t *testing.T) {
	bp, g := start(t, ws.Options{})
	arduino := bp.Connect(t, banyan.WithSubscriptions("to_arduino_gateway"))

	c := dial(t, g)
	hello(t, g, c, "to_arduino_gateway", 1)
	if got := g.Topics(); !maps.Equal(got, map[string]int{"from_arduino_gateway": 1}) {
		t.Fatalf("topics %v", got)
	}

	send(t, c, `{"command": "digital_write", "pin": 13, "value": 1, "tag": "led", "duty": 0.5}`)
	m := testbp.Next(t, arduino)
	v, err := m.Map()
	if err != nil || m.Topic != "to_arduino_gateway" {
		t.Fatalf("got %q %v %v", m.Topic, v, err)
	}
	want := map[string]any{"command": "digital_write", "pin": int64(13), "value": int64(1), "tag": "led", "duty": 0.5}
	if !maps.Equal(v, want) {
		t.Fatalf("component got %#v, want %#v", v, want)
	}

	arduino.Publish("from_arduino_gateway", map[string]any{"report": "digital_input", "pin": 2, "value": 1, "timestamp": 1550482276.75})
	got := recvText(t, c)
	if want := `{"pin":2,"report":"digital_input","timestamp":"2019-02-18 09:31:16","value":1}`; got != want {
		t.Fatalf("browser got %s, want %s", got, want)
	}
	waitStats(t, g, func(s ws.Stats) bool {
		return s.Browsers == 1 && s.Connects == 1 && s.ToBanyan == 1 && s.FromBanyan == 1 && s.ToBrowsers == 1 && s.Dropped == 0 && s.Refused == 0
	})
}

// KeepTimestamps sends the timestamp as it is on Banyan.
func TestKeepTimestamps(t *testing.T) {
	bp, g := start(t, ws.Options{KeepTimestamps: true})
	dev := bp.Connect(t)
	c := dial(t, g)
	hello(t, g, c, "to_dev", 1)
	dev.Publish("from_dev", map[string]any{"timestamp": 1550482276.75})
	if got := recvText(t, c); got != `{"timestamp":1550482276.75}` {
		t.Fatalf("browser got %s", got)
	}
}

// Browsers on the same id all get its messages; a browser on another id
// gets none of them.
func TestSeveralBrowsers(t *testing.T) {
	bp, g := start(t, ws.Options{})
	dev := bp.Connect(t, banyan.WithSubscriptions("to_"))
	a, b, c := dial(t, g), dial(t, g), dial(t, g)
	hello(t, g, a, "to_x", 1)
	hello(t, g, b, "to_x", 2)
	hello(t, g, c, "to_y", 1)
	if got := g.Topics(); !maps.Equal(got, map[string]int{"from_x": 2, "from_y": 1}) {
		t.Fatalf("topics %v", got)
	}

	dev.Publish("from_x", map[string]any{"n": 1})
	dev.Publish("from_y", map[string]any{"n": 2})
	for name, conn := range map[string]*websocket.Conn{"a": a, "b": b} {
		if v := recv(t, conn); v["n"] != 1.0 {
			t.Errorf("browser %s got %v", name, v)
		}
	}
	// c's first message is from_y's: from_x's, published before it, did
	// not reach c.
	if v := recv(t, c); v["n"] != 2.0 {
		t.Errorf("browser c got %v", v)
	}

	// Each publishes on its own id (two connections: in either order).
	send(t, b, `{"from": "b"}`)
	send(t, c, `{"from": "c"}`)
	got := map[string]bool{}
	for range 2 {
		m := testbp.Next(t, dev)
		v, _ := m.Map()
		got[fmt.Sprint(m.Topic, " ", v["from"])] = true
	}
	if !maps.Equal(got, map[string]bool{"to_x b": true, "to_y c": true}) {
		t.Errorf("component got %v", got)
	}
}

// The reply topic is subscribed while a browser wants it: when the last
// one leaves, the bridge unsubscribes, and messages published afterwards
// no longer reach it.
func TestLastBrowserUnsubscribes(t *testing.T) {
	bp, g := start(t, ws.Options{})
	dev := bp.Connect(t)
	a, b := dial(t, g), dial(t, g)
	hello(t, g, a, "to_x", 1)
	hello(t, g, b, "to_x", 2)

	a.Close(websocket.StatusNormalClosure, "bye")
	testbp.WaitFor(t, "a to be gone", func() bool { return g.Topics()["from_x"] == 1 })
	dev.Publish("from_x", map[string]any{"n": 1})
	if v := recv(t, b); v["n"] != 1.0 {
		t.Fatalf("b got %v", v)
	}

	b.Close(websocket.StatusNormalClosure, "bye")
	testbp.WaitFor(t, "no topic left", func() bool { return len(g.Topics()) == 0 })
	testbp.WaitFor(t, "two disconnections", func() bool { return g.Stats().Disconnects == 2 })
	if s := g.Stats(); s.Browsers != 0 {
		t.Fatalf("stats %+v", s)
	}

	// A new browser on another topic: the bridge subscribes to from_y and
	// waits for the backplane to forward it, which also proves that the
	// backplane has applied the earlier unsubscription (they travel in
	// order on one connection).
	c := dial(t, g)
	hello(t, g, c, "to_y", 1)
	before := g.Stats()
	dev.Publish("from_x", map[string]any{"n": 2})
	dev.Publish("from_y", map[string]any{"n": 3})
	if v := recv(t, c); v["n"] != 3.0 {
		t.Fatalf("c got %v", v)
	}
	// Had from_x reached the bridge, it would have been counted before
	// from_y (one publisher, one connection: in order).
	after := g.Stats()
	if after.FromBanyan-before.FromBanyan != 1 || after.Unrouted != before.Unrouted {
		t.Fatalf("the bridge still received from_x: before %+v, after %+v", before, after)
	}
}

// Options.Subscribe topics stay subscribed without browsers; their
// messages are then counted as unrouted.
func TestPresubscribed(t *testing.T) {
	bp, g := start(t, ws.Options{Subscribe: []string{"from_pre"}})
	dev := bp.Connect(t)
	if got := g.Topics(); !maps.Equal(got, map[string]int{"from_pre": 0}) {
		t.Fatalf("topics %v", got)
	}
	dev.Publish("from_pre", map[string]any{"n": 1})
	testbp.WaitFor(t, "an unrouted message", func() bool { return g.Stats().Unrouted == 1 })

	c := dial(t, g)
	hello(t, g, c, "to_pre", 1)
	dev.Publish("from_pre", map[string]any{"n": 2})
	if v := recv(t, c); v["n"] != 2.0 {
		t.Fatalf("got %v", v)
	}
	c.Close(websocket.StatusNormalClosure, "")
	testbp.WaitFor(t, "the browser to leave", func() bool { return g.Topics()["from_pre"] == 0 })
	if got := g.Topics(); !maps.Equal(got, map[string]int{"from_pre": 0}) {
		t.Fatalf("topics %v", got)
	}
	dev.Publish("from_pre", map[string]any{"n": 3})
	testbp.WaitFor(t, "a second unrouted message", func() bool { return g.Stats().Unrouted == 2 })
}

// A first message without a usable id gets an error frame and the close
// status 1008; nothing is subscribed.
func TestRefusedIDs(t *testing.T) {
	_, g := start(t, ws.Options{})
	cases := []struct{ first, want string }{
		{`{"name": "to_x"}`, "id"},
		{`{"id": null}`, "id"},
		{`{"id": ""}`, "id"},
		{`not json`, "id"},
		{`["to_x"]`, "id"},
		{`{"id": 5}`, "not a string"},
		{`{"id": "arduino_gateway"}`, `does not start with "to_"`},
		{`{"id": "to_"}`, "names no device"},
	}
	for _, tc := range cases {
		c := dial(t, g)
		send(t, c, tc.first)
		v := recv(t, c)
		msg, _ := v["error"].(string)
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s: error frame %v, want one mentioning %q", tc.first, v, tc.want)
		}
		if st := closeStatus(t, c); st != websocket.StatusPolicyViolation {
			t.Errorf("%s: close status %v, want 1008", tc.first, st)
		}
	}
	testbp.WaitFor(t, "every refusal counted", func() bool { return g.Stats().Refused == uint64(len(cases)) })
	if s := g.Stats(); s.Browsers != 0 || len(g.Topics()) != 0 {
		t.Errorf("stats %+v, topics %v", s, g.Topics())
	}
}

// A connection that never sends its id is closed.
func TestIDTimeout(t *testing.T) {
	_, g := start(t, ws.Options{IDTimeout: 50 * time.Millisecond})
	c := dial(t, g)
	closeStatus(t, c)
	testbp.WaitFor(t, "the refusal counted", func() bool { return g.Stats().Refused == 1 })
}

// Browser messages that are not JSON are counted and skipped; the
// connection goes on.
func TestBadJSONGoesOn(t *testing.T) {
	bp, g := start(t, ws.Options{})
	dev := bp.Connect(t, banyan.WithSubscriptions("to_dev"))
	c := dial(t, g)
	hello(t, g, c, "to_dev", 1)
	send(t, c, `{"command": "digital_write"`)
	send(t, c, `{"a": 1} {"b": 2}`)
	send(t, c, `{"n": 99999999999999999999}`)
	send(t, c, `{"n": 1}`)
	m := testbp.Next(t, dev)
	if v, _ := m.Map(); v["n"] != int64(1) {
		t.Fatalf("component got %v", v)
	}
	// The reader handled the bad messages before the good one.
	waitStats(t, g, func(s ws.Stats) bool { return s.BadJSON == 3 && s.ToBanyan == 1 && s.Browsers == 1 })
}

// A browser that never reads fills its queue; its frames are dropped and
// counted while the other browser of the same topic gets every message.
func TestSlowBrowser(t *testing.T) {
	bp, g := start(t, ws.Options{Queue: 2, WriteTimeout: 10 * testbp.Patience})
	dev := bp.Connect(t)
	fast, slow := dial(t, g), dial(t, g)
	hello(t, g, fast, "to_dev", 1)
	hello(t, g, slow, "to_dev", 2) // and never read again

	blob := strings.Repeat("x", 128<<10)
	i := 0
	for ; g.Stats().Dropped == 0; i++ {
		if i == 1000 {
			t.Fatalf("no drop after %d messages of %d bytes: stats %+v", i, len(blob), g.Stats())
		}
		dev.Publish("from_dev", map[string]any{"i": i, "blob": blob})
		// In step: the fast browser gets message i before i+1 is sent,
		// so its own queue never fills.
		if v := recv(t, fast); v["i"] != float64(i) {
			t.Fatalf("fast browser got i=%v, want %d", v["i"], i)
		}
	}
	t.Logf("first drop after %d messages", i)
	if s := g.Stats(); s.Browsers != 2 || s.FromBanyan != uint64(i) {
		t.Errorf("stats %+v", s)
	}
	// The slow browser goes; the fast one goes on.
	slow.CloseNow()
	testbp.WaitFor(t, "the slow browser to be gone", func() bool { return g.Topics()["from_dev"] == 1 })
	dev.Publish("from_dev", map[string]any{"i": i})
	if v := recv(t, fast); v["i"] != float64(i) {
		t.Fatalf("fast browser got %v", v)
	}
}

// Bytes become base64, NaN becomes null; a payload that cannot be
// converted is counted and skipped.
func TestPayloadConversion(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	// Without validation the bridge's component passes malformed msgpack
	// on, so the conversion itself meets it.
	g := startBridge(t, bp, ws.Options{Backplane: []banyan.Option{banyan.WithoutValidation()}})
	dev := bp.Connect(t)
	c := dial(t, g)
	hello(t, g, c, "to_dev", 1)

	dev.Publish("from_dev", map[string]any{"data": []byte{1, 2, 3}, "nan": math.NaN(), "big": uint64(1 << 63), "list": []any{"é<>", -1.5}})
	if got, want := recvText(t, c), `{"big":9223372036854775808,"data":"AQID","list":["é<>",-1.5],"nan":null}`; got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	dev.PublishRaw("from_dev", []byte{0x81, 0xa1}) // truncated
	dev.Publish("from_dev", []any{1, "two"})
	if got := recvText(t, c); got != `[1,"two"]` {
		t.Fatalf("got %s", got)
	}
	waitStats(t, g, func(s ws.Stats) bool { return s.BadPayload == 1 && s.ToBrowsers == 2 && s.FromBanyan == 3 })
}

// Browsers from other sites are refused unless allowed; pages opened from
// files (origin "null") and the bridge's own origin are allowed.
func TestOrigins(t *testing.T) {
	_, g := start(t, ws.Options{Origins: []string{"*.good.example"}})
	port := g.Addr().String()[strings.LastIndex(g.Addr().String(), ":"):]
	for _, origin := range []string{"null", "http://app.good.example", "http://localhost" + port, "http://" + g.Addr().String()} {
		c, _, err := dialOrigin(t, g, origin)
		if err != nil {
			t.Errorf("origin %s refused: %v", origin, err)
			continue
		}
		c.Close(websocket.StatusNormalClosure, "")
	}
	for _, origin := range []string{"http://evil.example", "http://localhost:1", "http://good.example"} {
		_, resp, err := dialOrigin(t, g, origin)
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("origin %s: %v %v, want 403", origin, resp, err)
		}
	}
	if s := g.Stats(); s.Forbidden != 3 {
		t.Errorf("stats %+v", s)
	}
}

// A static directory is served on the same address; without one, plain
// HTTP requests are told to use a WebSocket.
func TestStatic(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "arduino.html"), []byte("<html>OneGPIO</html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	bp, g := start(t, ws.Options{Static: dir})
	resp, err := http.Get("http://" + g.Addr().String() + "/arduino.html")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "<html>OneGPIO</html>" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	// The page's origin is the bridge's: its WebSocket is allowed.
	c, _, err := dialOrigin(t, g, "http://"+g.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	hello(t, g, c, "to_dev", 1)

	plain := startBridge(t, bp, ws.Options{})
	resp, err = http.Get("http://" + plain.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUpgradeRequired {
		t.Fatalf("status %d, want 426", resp.StatusCode)
	}

	if _, err := ws.New(context.Background(), ws.Options{Static: filepath.Join(dir, "arduino.html")}); !errors.Is(err, ws.ErrOptions) {
		t.Errorf("a file as static directory: %v", err)
	}
}

// Run ends when its context does: browsers get status 1001 and the
// backplane connection is closed.
func TestShutdown(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g, err := ws.New(ctx, ws.Options{Listen: "127.0.0.1:0", Backplane: bp.Options(), Logger: testbp.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	c := dial(t, g)
	hello(t, g, c, "to_dev", 1)
	if err := g.Run(ctx); !errors.Is(err, ws.ErrRunning) {
		t.Errorf("second Run: %v", err)
	}
	cancel()
	if st := closeStatus(t, c); st != websocket.StatusGoingAway {
		t.Errorf("close status %v, want 1001", st)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if _, _, err := dialOrigin(t, g, ""); err == nil {
		t.Error("bridge still accepts connections")
	}

	// Close ends Run with ErrClosed.
	g2, err := ws.New(context.Background(), ws.Options{Listen: "127.0.0.1:0", Backplane: bp.Options(), Logger: testbp.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	done2 := make(chan error, 1)
	go func() { done2 <- g2.Run(context.Background()) }()
	c2 := dial(t, g2)
	hello(t, g2, c2, "to_dev", 1)
	g2.Close()
	if st := closeStatus(t, c2); st != websocket.StatusGoingAway {
		t.Errorf("close status %v, want 1001", st)
	}
	if err := <-done2; !errors.Is(err, banyan.ErrClosed) {
		t.Fatalf("Run after Close: %v", err)
	}
}

// A listen address in use is an error naming it.
func TestListenInUse(t *testing.T) {
	_, g := start(t, ws.Options{})
	bp := testbp.Start(t, backplane.Options{})
	_, err := ws.New(context.Background(), ws.Options{Listen: g.Addr().String(), Backplane: bp.Options(), Logger: testbp.Quiet()})
	if err == nil || !strings.Contains(err.Error(), g.Addr().String()) {
		t.Fatalf("err %v", err)
	}
}

// A browser message larger than MaxMessage closes the connection with
// status 1009.
func TestMaxMessage(t *testing.T) {
	_, g := start(t, ws.Options{MaxMessage: 100})
	c := dial(t, g)
	hello(t, g, c, "to_dev", 1)
	send(t, c, `{"blob": "`+strings.Repeat("x", 200)+`"}`)
	if st := closeStatus(t, c); st != websocket.StatusMessageTooBig {
		t.Fatalf("close status %v, want 1009", st)
	}
	testbp.WaitFor(t, "the browser to be gone", func() bool { return len(g.Topics()) == 0 })
}
