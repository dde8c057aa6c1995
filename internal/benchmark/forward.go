// Package benchmark holds the load generators behind `banyan bench`.
package benchmark

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
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

// payload40 is the survey's 40-byte msgpack map {"seq": u64, "t": i64, "d": "abcdefghijkl"}.
func payload40(seq uint64) []byte {
	b := make([]byte, 0, 40)
	b = append(b, 0x83, 0xa3, 's', 'e', 'q', 0xcf)
	b = binary.BigEndian.AppendUint64(b, seq)
	b = append(b, 0xa1, 't', 0xd3)
	b = binary.BigEndian.AppendUint64(b, uint64(time.Now().UnixNano()))
	b = append(b, 0xa1, 'd', 0xac)
	return append(b, "abcdefghijkl"...)
}

// cpuTicks reads utime+stime of a process from /proc (clock ticks, 100/s).
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	f := strings.Fields(s[i+2:])
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st, nil
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
	o := zmtp.DefaultOptions()
	o.SendHWM = 0
	o.RecvHWM = 10000
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	pub := zmtp.NewPub(o)
	defer pub.Close()
	sub := zmtp.NewSub(o)
	defer sub.Close()
	sub.Subscribe([]byte("tpc"))
	if err := pub.Connect(fmt.Sprintf("%s:%d", cfg.Host, cfg.PublisherPort)); err != nil {
		return ForwardResult{}, err
	}
	if err := sub.Connect(fmt.Sprintf("%s:%d", cfg.Host, cfg.SubscriberPort)); err != nil {
		return ForwardResult{}, err
	}
	// Warm up until a message makes the round trip.
	deadline := time.Now().Add(10 * time.Second)
	for synced := false; !synced; {
		if time.Now().After(deadline) {
			return ForwardResult{}, errors.New("forwarder did not deliver a warm-up message in 10 s")
		}
		pub.Send(zmtp.NewMsg2("tpc00", []byte{0xc0}))
		c, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		m, err := sub.Recv(c)
		cancel()
		synced = err == nil && string(m.Topic()) == "tpc00"
	}
	// Drain remaining warm-ups.
	for {
		c, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		_, err := sub.Recv(c)
		cancel()
		if err != nil {
			break
		}
	}

	var cpu0 int64
	if cfg.PID > 0 {
		cpu0, _ = cpuTicks(cfg.PID)
	}
	res := ForwardResult{Sent: cfg.Messages}
	done := make(chan struct{})
	var first, last time.Time
	go func() {
		defer close(done)
		var next uint64
		idle := time.NewTimer(cfg.Idle)
		defer idle.Stop()
		for res.Delivered < cfg.Messages {
			var m zmtp.Msg
			select {
			case m = <-sub.Messages(): // fast path: no timer per message
			default:
				idle.Reset(cfg.Idle)
				select {
				case m = <-sub.Messages():
				case <-idle.C:
					return
				}
			}
			p := m.Frame(1)
			if len(p) != 40 {
				continue
			}
			seq := binary.BigEndian.Uint64(p[6:14])
			if res.Delivered == 0 {
				first = time.Now()
			}
			if seq != next {
				res.OutOfOrder++
			}
			next = seq + 1
			res.Delivered++
			if res.Delivered&1023 == 0 || res.Delivered == cfg.Messages {
				last = time.Now()
			}
		}
	}()
	for i := 0; i < cfg.Messages; i++ {
		pub.Send(zmtp.NewMsg2("tpc01", payload40(uint64(i))))
	}
	<-done
	if cfg.PID > 0 {
		if cpu1, err := cpuTicks(cfg.PID); err == nil && res.Delivered > 0 {
			res.ForwarderCPUMicros = float64(cpu1-cpu0) * 10000 / float64(res.Delivered)
		}
	}
	res.Lost = cfg.Messages - res.Delivered
	res.Seconds = last.Sub(first).Seconds()
	if res.Seconds > 0 {
		res.MsgPerSec = float64(res.Delivered-1) / res.Seconds
	}
	return res, nil
}
