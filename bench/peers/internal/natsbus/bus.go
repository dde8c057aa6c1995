package natsbus

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobanyan/banyan/internal/benchmark"
	"github.com/nats-io/nats.go"
)

// Bus is a benchmark.Bus over the NATS server at URL. Subscriptions have
// no pending limits, so the client never drops; a slow-consumer error
// (the client's or the server's) is counted in SlowConsumers.
type Bus struct {
	// URL is the server's address, "nats://127.0.0.1:4222".
	URL  string
	slow atomic.Uint64
}

// New returns a Bus for the server at url.
func New(url string) *Bus { return &Bus{URL: url} }

// Name is "nats".
func (b *Bus) Name() string { return "nats" }

// SlowConsumers counts slow-consumer errors reported to any connection of
// this Bus: each means messages lost.
func (b *Bus) SlowConsumers() uint64 { return b.slow.Load() }

func (b *Bus) connect(ctx context.Context, name string) (*nats.Conn, error) {
	timeout := 30 * time.Second
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	nc, err := nats.Connect(b.URL, nats.Name(name), nats.Timeout(timeout), nats.NoReconnect(),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			if err == nats.ErrSlowConsumer {
				b.slow.Add(1)
			}
		}))
	if err != nil {
		return nil, fmt.Errorf("natsbus: connect %s: %w", b.URL, err)
	}
	return nc, nil
}

// NewPublisher connects one publishing connection.
func (b *Bus) NewPublisher(ctx context.Context) (benchmark.Publisher, error) {
	nc, err := b.connect(ctx, "busbench-pub")
	if err != nil {
		return nil, err
	}
	return &publisher{nc: nc}, nil
}

type publisher struct {
	nc          *nats.Conn
	topic, subj string // the last topic and its subject: a publisher keeps to one
}

// Publish maps topic (once per distinct topic in a row) and hands the
// message to nats.go, which buffers and flushes by itself.
func (p *publisher) Publish(topic string, payload []byte) error {
	if topic != p.topic {
		p.topic, p.subj = topic, Subject(topic)
	}
	if err := p.nc.Publish(p.subj, payload); err != nil {
		return fmt.Errorf("natsbus: publish: %w", err)
	}
	return nil
}

// Close flushes what is buffered (the server has read it when Flush
// returns) and closes the connection.
func (p *publisher) Close() error {
	err := p.nc.FlushTimeout(30 * time.Second)
	p.nc.Close()
	if err != nil {
		return fmt.Errorf("natsbus: flush: %w", err)
	}
	return nil
}

// NewSubscriber connects one subscribing connection with one subscription
// per prefix (mapped by Filter), and returns once the server has them.
// deliver gets the Banyan topic of each message (Topic of its subject).
func (b *Bus) NewSubscriber(ctx context.Context, prefixes []string, deliver func(topic string, payload []byte)) (io.Closer, error) {
	nc, err := b.connect(ctx, "busbench-sub")
	if err != nil {
		return nil, err
	}
	// nats.go runs each subscription's handler on its own goroutine; the
	// lock keeps deliver to one caller at a time, as Bus requires.
	// The subject goes back to a Banyan topic, mapped once per distinct
	// subject in a row.
	var (
		mu          sync.Mutex
		subj, topic string
	)
	handler := func(m *nats.Msg) {
		mu.Lock()
		if m.Subject != subj {
			subj, topic = m.Subject, Topic(m.Subject)
		}
		deliver(topic, m.Data)
		mu.Unlock()
	}
	for _, p := range prefixes {
		sub, err := nc.Subscribe(Filter(p), handler)
		if err == nil {
			err = sub.SetPendingLimits(-1, -1)
		}
		if err != nil {
			nc.Close()
			return nil, fmt.Errorf("natsbus: subscribe %q: %w", p, err)
		}
	}
	timeout := 30 * time.Second
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	if err := nc.FlushTimeout(timeout); err != nil {
		nc.Close()
		return nil, fmt.Errorf("natsbus: flush subscriptions: %w", err)
	}
	return closer{nc}, nil
}

type closer struct{ nc *nats.Conn }

func (c closer) Close() error { c.nc.Close(); return nil }
