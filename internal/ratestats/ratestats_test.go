package ratestats

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 1, 12, 0, 0, 0, time.Local)

func TestTake(t *testing.T) {
	c := New(t0)
	for i := 0; i < 30; i++ {
		c.Add("echo", 100)
	}
	for i := 0; i < 10; i++ {
		c.Add("b", 5)
	}
	c.Add("a", 5)
	r := c.Take(t0.Add(2 * time.Second))
	if r.Interval != 2*time.Second || r.Seconds != 2 {
		t.Fatalf("interval %v", r.Interval)
	}
	if r.Total != (Rate{Messages: 41, Bytes: 3055, MsgsPerSec: 20.5, BytesPerSec: 1527.5}) {
		t.Fatalf("total %+v", r.Total)
	}
	want := []Rate{
		{"echo", 30, 3000, 15, 1500},
		{"b", 10, 50, 5, 25},
		{"a", 1, 5, 0.5, 2.5},
	}
	if len(r.Topics) != 3 {
		t.Fatalf("topics %+v", r.Topics)
	}
	for i := range want {
		if r.Topics[i] != want[i] {
			t.Errorf("topic %d: %+v, want %+v", i, r.Topics[i], want[i])
		}
	}
	if got, want := r.Line(0), "12:00:02 total 20.5 msg/s 1.5 kB/s | echo 15.0 msg/s 1.5 kB/s | b 5.0 msg/s 25 B/s | a 0.5 msg/s 2 B/s"; got != want {
		t.Errorf("Line(0) =\n%q, want\n%q", got, want)
	}
	if got, want := r.Line(1), "12:00:02 total 20.5 msg/s 1.5 kB/s | echo 15.0 msg/s 1.5 kB/s | (+2 more topics)"; got != want {
		t.Errorf("Line(1) = %q, want %q", got, want)
	}

	// The next interval starts empty.
	c.Add("echo", 1)
	r = c.Take(t0.Add(3 * time.Second))
	if r.Total.Messages != 1 || r.Total.MsgsPerSec != 1 || len(r.Topics) != 1 {
		t.Fatalf("second interval %+v", r)
	}
	r = c.Take(t0.Add(4 * time.Second))
	if got, want := r.Line(0), "12:00:04 total 0.0 msg/s 0 B/s"; got != want {
		t.Errorf("idle line %q, want %q", got, want)
	}
	if r := c.Take(t0.Add(4 * time.Second)); r.Total.MsgsPerSec != 0 {
		t.Errorf("zero interval: %+v", r.Total)
	}
}

func TestJSON(t *testing.T) {
	c := New(t0)
	c.Add("x", 10)
	js, err := json.Marshal(c.Take(t0.Add(500 * time.Millisecond)))
	if err != nil {
		t.Fatal(err)
	}
	s := string(js)
	for _, want := range []string{`"interval_s":0.5`, `"total":{"messages":1,"bytes":10,"msgs_per_s":2,"bytes_per_s":20}`,
		`"topics":[{"topic":"x","messages":1,"bytes":10,"msgs_per_s":2,"bytes_per_s":20}]`} {
		if !strings.Contains(s, want) {
			t.Errorf("json %s lacks %s", s, want)
		}
	}
}

func TestConcurrentAddAndEvery(t *testing.T) {
	c := New(time.Now())
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var total uint64
	done := make(chan struct{})
	go func() {
		c.Every(ctx, time.Millisecond, func(r Report) {
			mu.Lock()
			total += r.Total.Messages
			mu.Unlock()
		})
		close(done)
	}()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				c.Add("t", 1)
			}
		}()
	}
	wg.Wait()
	cancel()
	<-done
	mu.Lock()
	total += c.Take(time.Now()).Total.Messages
	mu.Unlock()
	if total != 4000 {
		t.Fatalf("counted %d messages, want 4000", total)
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[float64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 45100: "45.1 kB", 3.2e6: "3.2 MB", 1.5e9: "1.5 GB"} {
		if got := HumanBytes(n); got != want {
			t.Errorf("HumanBytes(%v) = %q, want %q", n, got, want)
		}
	}
}
