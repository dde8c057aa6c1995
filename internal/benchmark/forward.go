package benchmark

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/gobanyan/banyan/internal/zmtp"
)

// ForwardConfig describes one forwarder run.
type ForwardConfig struct {
	Host           string // forwarder host, default 127.0.0.1
	PublisherPort  int    // where we publish (the forwarder's SUB)
	SubscriberPort int    // where we subscribe (the forwarder's PUB)
	Messages       int    // how many to send
	PID            int    // forwarder process, for CPU accounting (0 = none)
	Idle           time.Duration
}

// ForwardResult is what one run measured.
type ForwardResult struct {
	Sent, Delivered, Lost, OutOfOrder int
	Seconds                           float64 // first to last delivery
	MsgPerSec                         float64
	ForwarderCPUMicros                float64 // forwarder CPU µs per delivered message (NaN-free: 0 when PID unknown)
}

// payload40 writes the survey's 40-byte msgpack map
// {"seq": u64, "t": i64, "d": "abcdefghijkl"} into b.
func payload40(b *[40]byte, seq uint64) []byte {
	out := append(b[:0], 0x83, 0xa3, 's', 'e', 'q', 0xcf)
	out = binary.BigEndian.AppendUint64(out, seq)
	out = append(out, 0xa1, 't', 0xd3)
	out = binary.BigEndian.AppendUint64(out, uint64(time.Now().UnixNano()))
	out = append(out, 0xa1, 'd', 0xac)
	return append(out, "abcdefghijkl"...)
}

// Forward drives a forwarder with a lossless publisher and subscriber
// (HWM 0) and measures delivery rate, loss and the forwarder's CPU.
func Forward(ctx context.Context, cfg ForwardConfig) (ForwardResult, error) {
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Idle == 0 {
		cfg.Idle = 3 * time.Second
	}
	var counter seqCounter
	counter.warm = make(chan struct{}, 1)
	counter.done = make(chan struct{})
	counter.want = cfg.Messages
	o := zmtp.DefaultOptions()
	o.SendHWM = 0
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	pub := zmtp.NewPub(o)
	defer pub.Close()
	o.Deliver = counter.deliver // count on the connection goroutine: the generator stays cheap
	sub := zmtp.NewSub(o)
	defer sub.Close()
	sub.Subscribe([]byte("tpc"))
	if err := pub.Connect(fmt.Sprintf("%s:%d", cfg.Host, cfg.PublisherPort)); err != nil {
		return ForwardResult{}, err
	}
	if err := sub.Connect(fmt.Sprintf("%s:%d", cfg.Host, cfg.SubscriberPort)); err != nil {
		return ForwardResult{}, err
	}
	// Warm up until a message makes the round trip, then let stragglers drain.
	deadline := time.Now().Add(10 * time.Second)
	for synced := false; !synced; {
		if time.Now().After(deadline) {
			return ForwardResult{}, errors.New("forwarder did not deliver a warm-up message in 10 s")
		}
		pub.Send(zmtp.NewTopicMsg("tpc00", []byte{0xc0}))
		select {
		case <-counter.warm:
			synced = true
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return ForwardResult{}, ctx.Err()
		}
	}
	time.Sleep(100 * time.Millisecond)

	var cpu0 int64
	if cfg.PID > 0 {
		cpu0, _ = cpuTicks(cfg.PID)
	}
	var buf [40]byte
	for i := 0; i < cfg.Messages; i++ {
		pub.Send(zmtp.NewTopicMsg("tpc01", payload40(&buf, uint64(i))))
	}
	// Wait for the last message, or for deliveries to stop for cfg.Idle.
	last, idleSince := counter.delivered(), time.Now()
wait:
	for {
		select {
		case <-counter.done:
			break wait
		case <-time.After(50 * time.Millisecond):
		}
		if n := counter.delivered(); n != last {
			last, idleSince = n, time.Now()
		} else if time.Since(idleSince) > cfg.Idle {
			break wait
		}
	}
	res := counter.result(cfg.Messages)
	if cfg.PID > 0 {
		if cpu1, err := cpuTicks(cfg.PID); err == nil && res.Delivered > 0 {
			res.ForwarderCPUMicros = float64(cpu1-cpu0) * 10000 / float64(res.Delivered)
		}
	}
	return res, nil
}

// seqCounter checks and counts benchmark messages as they arrive.
type seqCounter struct {
	warm chan struct{}
	done chan struct{}
	want int

	mu          sync.Mutex
	n, outOfOrd int
	next        uint64
	first, last time.Time
}

func (s *seqCounter) deliver(m zmtp.Msg, _ bool) {
	p := m.Frame(1)
	if len(p) != 40 {
		select { // a warm-up message
		case s.warm <- struct{}{}:
		default:
		}
		return
	}
	seq := binary.BigEndian.Uint64(p[6:14])
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == 0 {
		s.first = time.Now()
	}
	if seq != s.next {
		s.outOfOrd++
	}
	s.next = seq + 1
	s.n++
	if s.n&1023 == 0 || s.n == s.want {
		s.last = time.Now()
	}
	if s.n == s.want {
		close(s.done)
	}
}

func (s *seqCounter) delivered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *seqCounter) result(sent int) ForwardResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := ForwardResult{Sent: sent, Delivered: s.n, Lost: sent - s.n, OutOfOrder: s.outOfOrd,
		Seconds: s.last.Sub(s.first).Seconds()}
	if r.Seconds > 0 {
		r.MsgPerSec = float64(s.n-1) / r.Seconds
	}
	return r
}
