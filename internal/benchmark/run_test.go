package benchmark

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
)

// runOn runs cfg against an in-process backplane of ours.
func runOn(t *testing.T, cfg RunConfig) RunResult {
	t.Helper()
	bp := testbp.Start(t, backplane.Options{HWM: backplane.Unlimited})
	ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
	defer cancel()
	res, err := Run(ctx, Banyan(bp.Options()...), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRunComplete(t *testing.T) {
	res := runOn(t, RunConfig{Pubs: 2, Subs: 3, Msgs: 2001, Size: 64})
	t.Logf("%+v", res)
	if res.Published != 2001 || res.Expected != 3*2001 || res.Delivered != res.Expected || res.Lost != 0 || res.OutOfOrder != 0 || res.Foreign != 0 {
		t.Fatalf("published %d, delivered %d of %d, lost %d, out of order %d, foreign %d",
			res.Published, res.Delivered, res.Expected, res.Lost, res.OutOfOrder, res.Foreign)
	}
	l := res.Latency
	if !(l.P50 > 0 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max && l.Mean > 0 && l.Mean <= l.Max) {
		t.Fatalf("latency percentiles not ordered or zero: %+v", l)
	}
	if res.Bus != "banyan" || res.Pubs != 2 || res.Subs != 3 || res.Size != 64 || res.Subscriptions != 1 {
		t.Fatalf("configuration not reported: %+v", res)
	}
	if res.Seconds <= 0 || res.DeliveredMsgPerSec <= 0 || res.DeliveredBytesPerSec != res.DeliveredMsgPerSec*64 || res.PublishMsgPerSec <= 0 {
		t.Fatalf("rates: %+v", res)
	}
}

func TestRunDefaultsAndErrors(t *testing.T) {
	for name, cfg := range map[string]RunConfig{
		"size below 16":      {Size: 15},
		"msgs and duration":  {Msgs: 10, Duration: time.Second},
		"negative pubs":      {Pubs: -1},
		"negative rate":      {Rate: -1},
		"negative msgs":      {Msgs: -5},
		"negative subscript": {Subscriptions: -1},
	} {
		if _, err := Run(context.Background(), &memBus{}, cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c, err := RunConfig{}.withDefaults()
	if err != nil || c.Pubs != 1 || c.Subs != 1 || c.Size != DefaultSize || c.Msgs != DefaultMsgs || c.Topic != DefaultTopic ||
		c.Subscriptions != 1 || c.Idle != DefaultIdle || c.Window <= 0 {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	c, _ = RunConfig{Pubs: 3, Msgs: 10}.withDefaults()
	if got := c.share(0) + c.share(1) + c.share(2); got != 10 || c.share(0) != 4 || c.share(2) != 3 {
		t.Fatalf("10 messages over 3 publishers: %d %d %d", c.share(0), c.share(1), c.share(2))
	}
}

func TestRunMemComplete(t *testing.T) {
	res, err := Run(context.Background(), &memBus{}, RunConfig{Pubs: 3, Subs: 2, Msgs: 1000, Size: MinSize, Subscriptions: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Bus != "mem" || res.Published != 1000 || res.Delivered != 2000 || res.Lost != 0 || res.OutOfOrder != 0 || res.Subscriptions != 5 {
		t.Fatalf("%+v", res)
	}
}

// Loss, reordering and foreign messages are counted as such.
func TestRunCountsLossOrderForeign(t *testing.T) {
	var n int
	foreign := []byte{0xc0}
	bus := &memBus{filter: func(topic string, p []byte) [][]byte {
		seq, warm, _, _ := parsePayload(p)
		if warm {
			return [][]byte{p}
		}
		n++
		switch {
		case seq%10 == 3: // lost
			return nil
		case seq == 20: // sequence 20 again after 21: the first 20 is late
			q, _ := newPayload(len(p))
			copy(q, p)
			stampPayload(q, 21, false, time.Now().UnixNano())
			return [][]byte{q, p}
		case seq == 21:
			return nil // went out early, above
		case seq == 30:
			return [][]byte{p, foreign}
		}
		return [][]byte{p}
	}}
	res, err := Run(context.Background(), bus, RunConfig{Msgs: 100, Idle: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Published != 100 || res.Expected != 100 || res.Delivered != 90 || res.Lost != 10 || res.OutOfOrder != 1 || res.Foreign != 1 {
		t.Fatalf("published %d, delivered %d of %d, lost %d, out of order %d, foreign %d (want 100, 90 of 100, 10, 1, 1)",
			res.Published, res.Delivered, res.Expected, res.Lost, res.OutOfOrder, res.Foreign)
	}
}

// A bus that never delivers fails the warm-up, in bounded time.
func TestRunWarmUpFails(t *testing.T) {
	bus := &memBus{filter: func(string, []byte) [][]byte { return nil }}
	start := time.Now()
	_, err := Run(context.Background(), bus, RunConfig{Msgs: 10, WarmUp: 300 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "warm-up") || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a warm-up failure", err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("gave up after %v, before the 300 ms warm-up bound", d)
	}
	if c, _ := (RunConfig{}).withDefaults(); c.WarmUp != DefaultWarmUp {
		t.Fatalf("default warm-up bound %v", c.WarmUp)
	}
}

// A paced run keeps to its schedule: 100 messages at 200/s take at least
// 99/200 s from the first to the last.
func TestRunRate(t *testing.T) {
	res, err := Run(context.Background(), &memBus{}, RunConfig{Msgs: 100, Rate: 200})
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivered != 100 || res.Seconds < 0.49 || res.PublishMsgPerSec > 205 {
		t.Fatalf("100 at 200/s: delivered %d over %.3f s, published at %.1f/s", res.Delivered, res.Seconds, res.PublishMsgPerSec)
	}
	if res.Rate != 200 {
		t.Fatalf("rate reported %v", res.Rate)
	}
}

// With Duration, publishing stops after it.
func TestRunDuration(t *testing.T) {
	var last Progress
	res, err := Run(context.Background(), &memBus{}, RunConfig{Duration: 300 * time.Millisecond, Rate: 1000, Pubs: 2,
		Progress: func(p Progress) { last = p }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Published < 300 || res.Published > 2*302 || res.Delivered != res.Published {
		t.Fatalf("300 ms at 2 x 1000/s: published %d, delivered %d", res.Published, res.Delivered)
	}
	if last.Published != res.Published || last.Delivered != res.Delivered || last.Expected != res.Expected ||
		last.Planned != 300*time.Millisecond || last.Elapsed < 300*time.Millisecond {
		t.Fatalf("last progress %+v, result %+v", last, res)
	}
}

// The window holds a publisher back while its subscriber does not keep up.
func TestRunWindow(t *testing.T) {
	var mu sync.Mutex
	var held [][]byte
	var release func() // delivers what is held
	bus := &memBus{}
	bus.filter = func(topic string, p []byte) [][]byte {
		if _, warm, _, _ := parsePayload(p); warm {
			return [][]byte{p}
		}
		mu.Lock()
		defer mu.Unlock()
		held = append(held, append([]byte(nil), p...))
		return nil
	}
	release = func() {
		mu.Lock()
		msgs := held
		held = nil
		mu.Unlock()
		s := bus.subs[0]
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, m := range msgs {
			s.deliver("bench/0", m)
		}
	}
	done := make(chan RunResult, 1)
	go func() {
		res, err := Run(context.Background(), bus, RunConfig{Msgs: 100, Window: 10, Idle: 5 * time.Second})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	// The publisher stops at 10 in flight.
	deadline := time.Now().Add(testbp.Patience)
	for {
		mu.Lock()
		n := len(held)
		mu.Unlock()
		if n >= 10 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	n := len(held)
	mu.Unlock()
	if n != 10 {
		t.Fatalf("%d messages in flight, window 10", n)
	}
	for {
		release()
		select {
		case res := <-done:
			if res.Delivered != 100 || res.Lost != 0 {
				t.Fatalf("%+v", res)
			}
			return
		case <-time.After(time.Millisecond):
		}
	}
}
