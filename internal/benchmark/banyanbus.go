package benchmark

import (
	"context"
	"io"
	"log/slog"
	"sync"

	"github.com/gobanyan/banyan"
)

// Banyan is the Bus of our component library, against any Banyan
// backplane: ours, Python Banyan's, js-banyan's, one on another machine.
// opts say where it is (banyan.WithBackplane, banyan.WithPorts) and how to
// talk to it (banyan.WithMsgpack, banyan.WithConnectTimeout, ...).
//
// Each publisher is a component without a subscriber connection, publishing
// with PublishRaw; each subscriber, one without a publisher connection,
// taking messages undecoded from Messages (they are still validated as
// msgpack, as every component's are). Send queues are unlimited
// (banyan.Unlimited) so that the clients never drop: whatever is lost, the
// backplane dropped. Logs are discarded unless opts give a logger.
func Banyan(opts ...banyan.Option) Bus { return banyanBus{opts: opts} }

type banyanBus struct{ opts []banyan.Option }

func (b banyanBus) Name() string { return "banyan" }

// options are the defaults, then the user's, then what the role needs.
func (b banyanBus) options(role ...banyan.Option) []banyan.Option {
	o := []banyan.Option{banyan.WithLogger(slog.New(slog.DiscardHandler)), banyan.WithHWM(banyan.Unlimited)}
	o = append(o, b.opts...)
	return append(o, role...)
}

func (b banyanBus) NewPublisher(ctx context.Context) (Publisher, error) {
	c, err := banyan.Connect(ctx, b.options(banyan.WithoutSubscriber())...)
	if err != nil {
		return nil, err
	}
	return banyanPublisher{c}, nil
}

type banyanPublisher struct{ c *banyan.Component }

// Publish sends payload as it is; the component copies it into the message.
func (p banyanPublisher) Publish(topic string, payload []byte) error {
	return p.c.PublishRaw(topic, payload)
}

func (p banyanPublisher) Close() error { return p.c.Close() }

func (b banyanBus) NewSubscriber(ctx context.Context, prefixes []string, deliver func(topic string, payload []byte)) (io.Closer, error) {
	c, err := banyan.Connect(ctx, b.options(banyan.WithoutPublisher(), banyan.WithSubscriptions(prefixes...))...)
	if err != nil {
		return nil, err
	}
	s := &banyanSubscriber{c: c}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for m := range c.Messages() {
			deliver(m.Topic, m.Payload)
		}
	}()
	return s, nil
}

// banyanSubscriber is a subscribing component and the goroutine that
// delivers its messages.
type banyanSubscriber struct {
	c  *banyan.Component
	wg sync.WaitGroup
}

// Close closes the component and returns once the last delivery is done.
func (s *banyanSubscriber) Close() error {
	err := s.c.Close()
	s.wg.Wait()
	return err
}
