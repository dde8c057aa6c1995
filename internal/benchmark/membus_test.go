package benchmark

import (
	"context"
	"io"
	"strings"
	"sync"
)

// memBus is an in-memory Bus for the engine's tests: Publish hands the
// message to every subscriber whose prefix matches, on the publisher's
// goroutine, after filter (which may drop it, keep it, or add others).
type memBus struct {
	mu   sync.Mutex
	subs []*memSub
	// filter, when set, says what each subscriber gets for one message:
	// nil drops it.
	filter func(topic string, payload []byte) [][]byte
}

type memSub struct {
	bus      *memBus
	prefixes []string
	deliver  func(string, []byte)
	mu       sync.Mutex // one delivery at a time, as a Bus promises
	closed   bool
}

func (b *memBus) Name() string { return "mem" }

func (b *memBus) NewPublisher(ctx context.Context) (Publisher, error) { return memPub{b}, nil }

func (b *memBus) NewSubscriber(ctx context.Context, prefixes []string, deliver func(string, []byte)) (io.Closer, error) {
	s := &memSub{bus: b, prefixes: prefixes, deliver: deliver}
	b.mu.Lock()
	b.subs = append(b.subs, s)
	b.mu.Unlock()
	return s, nil
}

func (s *memSub) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return nil
}

type memPub struct{ b *memBus }

func (p memPub) Publish(topic string, payload []byte) error {
	p.b.mu.Lock()
	subs := p.b.subs
	p.b.mu.Unlock()
	out := [][]byte{payload}
	if p.b.filter != nil {
		out = p.b.filter(topic, payload)
	}
	for _, s := range subs {
		for _, pre := range s.prefixes {
			if strings.HasPrefix(topic, pre) {
				s.mu.Lock()
				if !s.closed {
					for _, m := range out {
						s.deliver(topic, m)
					}
				}
				s.mu.Unlock()
				break
			}
		}
	}
	return nil
}

func (p memPub) Close() error { return nil }
