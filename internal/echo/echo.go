// Package echo is Python Banyan's simple echo example as reusable pieces:
// a server that republishes each "echo" payload on "reply", and a client
// that sends {'message_number': n} for each number once the reply to the
// one before is back, timing every round trip.
package echo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gobanyan/banyan"
)

// Topics used by the echo example, as in Python Banyan.
const (
	RequestTopic = "echo"
	ReplyTopic   = "reply"
)

// Serve republishes every message on RequestTopic to ReplyTopic until ctx
// ends. onMessage, if not nil, sees each payload's message_number.
func Serve(ctx context.Context, c *banyan.Component, onMessage func(n int64)) error {
	if err := c.SubscribeSync(ctx, RequestTopic); err != nil {
		return err
	}
	return c.Run(ctx, func(m *banyan.Message) {
		if onMessage != nil {
			var v struct {
				N int64 `msgpack:"message_number"`
			}
			if m.Decode(&v) == nil {
				onMessage(v.N)
			}
		}
		c.PublishRaw(ReplyTopic, m.Payload)
	})
}

// Result is what a client run measured.
type Result struct {
	Sent, Received int
	Elapsed        time.Duration
	RTT            []time.Duration // sorted round-trip times
}

// Percentile returns the p-th percentile round trip (0 <= p <= 100).
func (r Result) Percentile(p float64) time.Duration {
	if len(r.RTT) == 0 {
		return 0
	}
	i := int(p / 100 * float64(len(r.RTT)-1))
	return r.RTT[i]
}

// Summary is a one-line report with latency percentiles in microseconds.
func (r Result) Summary() string {
	return fmt.Sprintf("%d messages sent and received in %v; round trip µs: median %.1f, p90 %.1f, p99 %.1f, max %.1f",
		r.Received, r.Elapsed.Round(time.Microsecond), us(r.Percentile(50)), us(r.Percentile(90)), us(r.Percentile(99)), us(r.Percentile(100)))
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }

// Numbers are the message numbers Python's echo_cmdline_client sends for
// its -m m: m, then m-2 down to 0 (it counts down once before its loop, so
// m-1 is never sent), m requests in all; m alone for 0 and 1.
func Numbers(m int) []int {
	numbers := []int{m}
	for n := m - 2; n >= 0; n-- {
		numbers = append(numbers, n)
	}
	return numbers
}

// Client sends {'message_number': n} on RequestTopic for each of numbers,
// each once the reply to the one before has come back, and times the round
// trips. It waits at most timeout for each reply.
func Client(ctx context.Context, c *banyan.Component, numbers []int, timeout time.Duration) (Result, error) {
	var res Result
	if err := c.SubscribeSync(ctx, ReplyTopic); err != nil {
		return res, err
	}
	start := time.Now()
	for _, n := range numbers {
		t0 := time.Now()
		if err := c.Publish(RequestTopic, map[string]any{"message_number": n}); err != nil {
			return res, err
		}
		res.Sent++
		select {
		case m, ok := <-c.Messages():
			if !ok {
				return res, banyan.ErrClosed
			}
			res.RTT = append(res.RTT, time.Since(t0))
			if m.Topic == ReplyTopic {
				res.Received++
			}
		case <-time.After(timeout):
			return res, fmt.Errorf("no reply to message %d within %v: is an echo server running?", n, timeout)
		case <-ctx.Done():
			return res, ctx.Err()
		}
	}
	res.Elapsed = time.Since(start)
	slices.Sort(res.RTT)
	return res, nil
}
