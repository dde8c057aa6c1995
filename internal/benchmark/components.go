package benchmark

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/gobanyan/banyan"
)

// ThroughputConfig describes a component-to-component run through a backplane.
type ThroughputConfig struct {
	Host                          string
	PublisherPort, SubscriberPort int
	Messages                      int
	Idle                          time.Duration
	// Raw, for profiling the transport alone, publishes a fixed encoded
	// payload with PublishRaw and does not decode on receipt.
	Raw bool
}

// ThroughputResult is what one run measured.
type ThroughputResult struct {
	Sent, Delivered, Lost int
	Seconds               float64 // first to last delivery
	MsgPerSec             float64
}

type benchMsg struct {
	Msg int `msgpack:"msg"`
}

// Throughput publishes {'msg': i} on topic "test" from one component and
// receives and decodes every message in another, both lossless (unlimited HWM),
// as Python Banyan's performance comparison does with 100,000 messages.
func Throughput(ctx context.Context, cfg ThroughputConfig) (ThroughputResult, error) {
	if cfg.Idle == 0 {
		cfg.Idle = 3 * time.Second
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	at := []banyan.Option{banyan.WithBackplane(cfg.Host), banyan.WithPorts(cfg.PublisherPort, cfg.SubscriberPort),
		banyan.WithLogger(quiet), banyan.WithHWM(banyan.Unlimited)}
	sub, err := banyan.Connect(ctx, append(at, banyan.WithSubscriptions("test"))...)
	if err != nil {
		return ThroughputResult{}, err
	}
	defer sub.Close()
	pub, err := banyan.Connect(ctx, at...)
	if err != nil {
		return ThroughputResult{}, err
	}
	defer pub.Close()

	res := ThroughputResult{Sent: cfg.Messages}
	done := make(chan error, 1)
	var first, last time.Time
	go func() {
		var v benchMsg
		idle := time.NewTimer(cfg.Idle)
		defer idle.Stop()
		for res.Delivered < cfg.Messages {
			var m *banyan.Message
			select {
			case m = <-sub.Messages(): // fast path: no timer per message
			default:
				idle.Reset(cfg.Idle)
				select {
				case m = <-sub.Messages():
				case <-idle.C:
					done <- nil
					return
				}
			}
			if !cfg.Raw {
				if err := m.Decode(&v); err != nil {
					done <- err
					return
				}
			}

			if res.Delivered == 0 {
				first = time.Now()
			}
			res.Delivered++
			if res.Delivered&1023 == 0 || res.Delivered == cfg.Messages {
				last = time.Now()
			}
		}
		done <- nil
	}()
	raw := []byte{0x81, 0xa3, 'm', 's', 'g', 0x05} // {"msg": 5}
	for i := 0; i < cfg.Messages; i++ {
		var err error
		if cfg.Raw {
			err = pub.PublishRaw("test", raw)
		} else {
			err = pub.Publish("test", benchMsg{Msg: i})
		}
		if err != nil {
			return res, err
		}
	}
	if err := <-done; err != nil {
		return res, fmt.Errorf("decode: %w", err)
	}
	res.Lost = cfg.Messages - res.Delivered
	res.Seconds = last.Sub(first).Seconds()
	if res.Seconds > 0 {
		res.MsgPerSec = float64(res.Delivered-1) / res.Seconds
	}
	return res, nil
}
