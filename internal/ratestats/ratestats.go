package ratestats

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

type counts struct{ msgs, bytes uint64 }

// Counter counts messages and bytes per topic since the last Take. It is
// safe for concurrent use.
type Counter struct {
	mu     sync.Mutex
	topics map[string]*counts
	last   time.Time
}

// New returns a Counter whose first interval starts at now.
func New(now time.Time) *Counter {
	return &Counter{topics: map[string]*counts{}, last: now}
}

// Add counts one message of n payload bytes on topic.
func (c *Counter) Add(topic string, n int) {
	c.mu.Lock()
	k := c.topics[topic]
	if k == nil {
		k = &counts{}
		c.topics[topic] = k
	}
	k.msgs++
	k.bytes += uint64(n)
	c.mu.Unlock()
}

// Rate is one topic's traffic (or the total's) over an interval.
type Rate struct {
	Topic       string  `json:"topic,omitempty"`
	Messages    uint64  `json:"messages"`
	Bytes       uint64  `json:"bytes"`
	MsgsPerSec  float64 `json:"msgs_per_s"`
	BytesPerSec float64 `json:"bytes_per_s"`
}

// Report is the traffic of one interval: the total and each topic that
// had messages, busiest first (ties by topic name).
type Report struct {
	Time     time.Time     `json:"time"`
	Interval time.Duration `json:"-"`
	Seconds  float64       `json:"interval_s"`
	Total    Rate          `json:"total"`
	Topics   []Rate        `json:"topics"`
}

// Take ends the current interval at now, returns its Report and starts the
// next one. An interval of zero length reports zero rates.
func (c *Counter) Take(now time.Time) Report {
	c.mu.Lock()
	topics, last := c.topics, c.last
	c.topics, c.last = make(map[string]*counts, len(topics)), now
	c.mu.Unlock()

	iv := now.Sub(last)
	secs := iv.Seconds()
	rate := func(topic string, k counts) Rate {
		r := Rate{Topic: topic, Messages: k.msgs, Bytes: k.bytes}
		if secs > 0 {
			r.MsgsPerSec, r.BytesPerSec = float64(k.msgs)/secs, float64(k.bytes)/secs
		}
		return r
	}
	rep := Report{Time: now, Interval: iv, Seconds: secs, Topics: make([]Rate, 0, len(topics))}
	var total counts
	for t, k := range topics {
		total.msgs += k.msgs
		total.bytes += k.bytes
		rep.Topics = append(rep.Topics, rate(t, *k))
	}
	sort.Slice(rep.Topics, func(i, j int) bool {
		a, b := rep.Topics[i], rep.Topics[j]
		if a.Messages != b.Messages {
			return a.Messages > b.Messages
		}
		return a.Topic < b.Topic
	})
	rep.Total = rate("", total)
	return rep
}

// Line renders r on one line: the time, the total, then up to maxTopics
// topics (0: all), e.g.
//
//	12:00:01 total 1200.0 msg/s 45.1 kB/s | echo 1000.0 msg/s 40.0 kB/s | other 200.0 msg/s 5.1 kB/s
func (r Report) Line(maxTopics int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s total %.1f msg/s %s/s", r.Time.Format("15:04:05"), r.Total.MsgsPerSec, HumanBytes(r.Total.BytesPerSec))
	for i, t := range r.Topics {
		if maxTopics > 0 && i == maxTopics {
			fmt.Fprintf(&b, " | (+%d more topics)", len(r.Topics)-i)
			break
		}
		fmt.Fprintf(&b, " | %s %.1f msg/s %s/s", t.Topic, t.MsgsPerSec, HumanBytes(t.BytesPerSec))
	}
	return b.String()
}

// Every calls emit with a Report every interval until ctx ends.
func (c *Counter) Every(ctx context.Context, interval time.Duration, emit func(Report)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			emit(c.Take(now))
		}
	}
}

// HumanBytes formats a byte count with a decimal unit: "512 B", "40.0 kB",
// "3.2 MB", "1.5 GB".
func HumanBytes(n float64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%.0f B", n)
	case n < 1e6:
		return fmt.Sprintf("%.1f kB", n/1e3)
	case n < 1e9:
		return fmt.Sprintf("%.1f MB", n/1e6)
	default:
		return fmt.Sprintf("%.1f GB", n/1e9)
	}
}
