package ws_test

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/bridge/ws"
	"github.com/gobanyan/banyan/internal/testbp"
)

// Hostile browsers: one message must never take the bridge down.

// emptyObjects is the message of the amplification finding: size bytes
// of [{},{},...], which decoded into Go values took 48 times its size.
func emptyObjects(size int) []byte {
	b := append([]byte{'['}, bytes.Repeat([]byte("{},"), (size-2)/3)...)
	b[len(b)-1] = ']'
	return b
}

// Converting a browser message builds no values: a megabyte of empty
// objects allocates its output and nothing per element.
func TestFromJSONAllocations(t *testing.T) {
	msg := emptyObjects(1 << 20)
	allocs := testing.AllocsPerRun(3, func() {
		if _, err := ws.FromJSON(msg); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Fatalf("%v allocations to convert %d bytes of empty objects", allocs, len(msg))
	}
}

// 32 browsers sending 1 MiB of empty objects at once: the bridge
// allocates a few times the bytes it receives (buffers, the msgpack, the
// message to the backplane), not 48 times (Go values). Allocations are
// counted (runtime.MemStats.TotalAlloc), which does not depend on when the
// collector runs.
func TestAmplificationBounded(t *testing.T) {
	const browsers = 32
	_, g := start(t, ws.Options{DecodeWait: testbp.Patience})
	msg := emptyObjects(ws.DefaultMaxMessage)
	conns := make([]*websocket.Conn, browsers)
	for i := range conns {
		conns[i] = dial(t, g)
		hello(t, g, conns[i], "to_amplifier", i+1)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var wg sync.WaitGroup
	errs := make(chan error, browsers)
	for _, c := range conns {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
			defer cancel()
			errs <- c.Write(ctx, websocket.MessageText, msg)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	waitStats(t, g, func(s ws.Stats) bool { return s.ToBanyan == browsers && s.Decoding == 0 })
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	received := uint64(browsers * len(msg))
	t.Logf("%d MiB allocated for %d MiB received", allocated>>20, received>>20)
	if allocated > 8*received {
		t.Fatalf("%d MiB allocated for %d MiB of messages: more than 8 times", allocated>>20, received>>20)
	}
	if s := g.Stats(); s.Busy != 0 || s.BadJSON != 0 || s.Browsers != browsers {
		t.Fatalf("stats %+v", s)
	}
}

// A message that finds the decode budget spent waits for it; when it
// does not come within DecodeWait, the connection is closed with status
// 1013 (try again later) and counted. The browser holding the budget goes
// on, and once it is done the budget serves others again.
func TestBusyCloses1013(t *testing.T) {
	const maxMessage = 32 << 10
	bp, g := start(t, ws.Options{MaxMessage: maxMessage, MaxDecodeBytes: 2 * maxMessage, DecodeWait: 100 * time.Millisecond})
	dev := bp.Connect(t, banyan.WithSubscriptions("to_dev"))
	holder, waiter := dial(t, g), dial(t, g)
	hello(t, g, holder, "to_dev", 1)
	hello(t, g, waiter, "to_dev", 2)

	// The holder sends most of a message and stops: the bridge's buffer
	// for it has grown to MaxMessage, charged twice: the whole budget.
	ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
	defer cancel()
	w, err := holder.Writer(ctx, websocket.MessageText)
	if err != nil {
		t.Fatal(err)
	}
	head := `{"blob": "` + strings.Repeat("x", 31<<10)
	if _, err := w.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	waitStats(t, g, func(s ws.Stats) bool { return s.Decoding == 2*maxMessage })

	send(t, waiter, `{"n": 1}`)
	if st := closeStatus(t, waiter); st != websocket.StatusTryAgainLater {
		t.Fatalf("close status %v, want 1013", st)
	}
	waitStats(t, g, func(s ws.Stats) bool { return s.Busy == 1 && s.Browsers == 1 })

	// The holder finishes its message, which goes through.
	if _, err := w.Write([]byte(strings.Repeat("y", 100) + `"}`)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	m := testbp.Next(t, dev)
	if v, err := m.Map(); err != nil || len(v["blob"].(string)) != 31<<10+100 {
		t.Fatalf("component got %v", err)
	}
	waitStats(t, g, func(s ws.Stats) bool { return s.Decoding == 0 && s.ToBanyan == 1 })

	// Room again: a new browser's messages go through.
	c := dial(t, g)
	hello(t, g, c, "to_dev", 2)
	send(t, c, `{"n": 2}`)
	if v, _ := testbp.Next(t, dev).Map(); v["n"] != int64(2) {
		t.Fatalf("component got %v", v)
	}
	if s := g.Stats(); s.Busy != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// A text message that is not UTF-8 closes the connection with status
// 1007, before or after the id; a binary one is only skipped as bad JSON.
func TestInvalidUTF8Closes1007(t *testing.T) {
	bp, g := start(t, ws.Options{})
	dev := bp.Connect(t, banyan.WithSubscriptions("to_dev"))
	ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
	defer cancel()

	first := dial(t, g)
	if err := first.Write(ctx, websocket.MessageText, []byte("{\"id\": \"to_dev\xff\"}")); err != nil {
		t.Fatal(err)
	}
	if st := closeStatus(t, first); st != websocket.StatusInvalidFramePayloadData {
		t.Fatalf("first message: close status %v, want 1007", st)
	}

	c := dial(t, g)
	hello(t, g, c, "to_dev", 1)
	if err := c.Write(ctx, websocket.MessageBinary, []byte("{\"s\": \"\xc3(\"}")); err != nil {
		t.Fatal(err)
	}
	send(t, c, `{"n": 1}`)
	if v, _ := testbp.Next(t, dev).Map(); v["n"] != int64(1) {
		t.Fatalf("component got %v", v)
	}
	if err := c.Write(ctx, websocket.MessageText, []byte("{\"s\": \"\xed\xa0\x80\"}")); err != nil { // a UTF-16 surrogate
		t.Fatal(err)
	}
	if st := closeStatus(t, c); st != websocket.StatusInvalidFramePayloadData {
		t.Fatalf("close status %v, want 1007", st)
	}
	waitStats(t, g, func(s ws.Stats) bool {
		return s.BadUTF8 == 2 && s.BadJSON == 1 && s.ToBanyan == 1 && s.Refused == 1 && s.Browsers == 0
	})
}

// The first message, the id, may be at most 4 KiB; later ones up to
// MaxMessage, exactly.
func TestMessageLimits(t *testing.T) {
	const maxMessage = 10000
	bp, g := start(t, ws.Options{MaxMessage: maxMessage})
	dev := bp.Connect(t, banyan.WithSubscriptions("to_dev"))

	long := dial(t, g)
	send(t, long, `{"id": "to_dev", "pad": "`+strings.Repeat("x", 4<<10)+`"}`)
	if st := closeStatus(t, long); st != websocket.StatusMessageTooBig {
		t.Fatalf("long first message: close status %v, want 1009", st)
	}

	c := dial(t, g)
	prefix := `{"id": "to_dev", "pad": "`
	send(t, c, prefix+strings.Repeat("x", 4<<10-len(prefix)-2)+`"}`) // exactly 4 KiB
	testbp.WaitFor(t, "the browser", func() bool { return g.Topics()["from_dev"] == 1 })
	exact := `{"blob": "` + strings.Repeat("x", maxMessage-12) + `"}`
	send(t, c, exact)
	if v, _ := testbp.Next(t, dev).Map(); len(v["blob"].(string)) != maxMessage-12 {
		t.Fatal("the message of exactly MaxMessage bytes did not arrive")
	}
	send(t, c, exact+" ")
	if st := closeStatus(t, c); st != websocket.StatusMessageTooBig {
		t.Fatalf("close status %v, want 1009", st)
	}
	waitStats(t, g, func(s ws.Stats) bool { return s.Decoding == 0 && s.Browsers == 0 })
}

// The decode budget must hold two messages of MaxMessage.
func TestDecodeBudgetOptions(t *testing.T) {
	_, err := ws.New(context.Background(), ws.Options{MaxMessage: 1000, MaxDecodeBytes: 1999})
	if !errors.Is(err, ws.ErrOptions) {
		t.Fatalf("MaxDecodeBytes below twice MaxMessage: %v", err)
	}
}
