package ws_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/bridge/ws"
	"github.com/gobanyan/banyan/internal/testbp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startBridge runs a bridge on a free loopback port, reaching bp, until
// the test ends. Unset options get test values: a quiet logger, UTC for
// the timestamp rewrite.
func startBridge(t *testing.T, bp *testbp.BP, o ws.Options) *ws.Bridge {
	t.Helper()
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.Logger == nil {
		o.Logger = testbp.Quiet()
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	o.Backplane = bp.Options(o.Backplane...)
	ctx, cancel := context.WithCancel(context.Background())
	g, err := ws.New(ctx, o)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(testbp.Patience):
			t.Error("Run did not return")
		}
	})
	return g
}

// start runs a backplane and a bridge.
func start(t *testing.T, o ws.Options) (*testbp.BP, *ws.Bridge) {
	t.Helper()
	bp := testbp.Start(t, backplane.Options{})
	return bp, startBridge(t, bp, o)
}

// dialOrigin opens a WebSocket to g, sending origin unless it is empty.
func dialOrigin(t *testing.T, g *ws.Bridge, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
	defer cancel()
	opts := &websocket.DialOptions{}
	if origin != "" {
		opts.HTTPHeader = http.Header{"Origin": {origin}}
	}
	c, resp, err := websocket.Dial(ctx, "ws://"+g.Addr().String(), opts)
	if err == nil {
		c.SetReadLimit(64 << 20)
		t.Cleanup(func() { c.CloseNow() })
	}
	return c, resp, err
}

// dial opens a WebSocket to g as a non-browser client.
func dial(t *testing.T, g *ws.Bridge) *websocket.Conn {
	t.Helper()
	c, _, err := dialOrigin(t, g, "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// send writes one text frame.
func send(t *testing.T, c *websocket.Conn, text string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(text)); err != nil {
		t.Fatal(err)
	}
}

// recvText reads one frame.
func recvText(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
	defer cancel()
	typ, data, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("frame type %v, want text", typ)
	}
	return string(data)
}

// recv reads one frame and decodes its JSON object.
func recv(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	text := recvText(t, c)
	var v map[string]any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("frame %q: %v", text, err)
	}
	return v
}

// closeStatus reads until the connection ends and returns its close status.
func closeStatus(t *testing.T, c *websocket.Conn) websocket.StatusCode {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
	defer cancel()
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatal("connection not closed")
			}
			return websocket.CloseStatus(err)
		}
		t.Logf("frame before the close: %s", data)
	}
}

// hello sends the id and waits until the bridge has n browsers on its
// reply topic (so it is subscribed and forwarding).
func hello(t *testing.T, g *ws.Bridge, c *websocket.Conn, id string, n int) {
	t.Helper()
	send(t, c, `{"id": "`+id+`"}`)
	reply, err := ws.ReplyTopic(id)
	if err != nil {
		t.Fatal(err)
	}
	testbp.WaitFor(t, "the browser of "+id, func() bool { return g.Topics()[reply] == n })
}

// waitStats waits until g's counters satisfy cond (counters are updated
// just after the frame or message they count has gone out), failing with
// the last stats.
func waitStats(t *testing.T, g *ws.Bridge, cond func(ws.Stats) bool) {
	t.Helper()
	var last ws.Stats
	deadline := time.Now().Add(testbp.Patience)
	for last = g.Stats(); !cond(last); last = g.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("stats never as expected: %+v", last)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
