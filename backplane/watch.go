package backplane

import "github.com/gobanyan/banyan/internal/zmtp"

// Observer sees every message the backplane forwards, and those it
// publishes itself (Publish), for monitoring such as the web view.
//
// Observe is called on the publishers' connection goroutines, after the
// message has been handed to the subscribers' queues, concurrently for
// different publishers: it must be quick and never block, or it slows
// forwarding. topic and payload are the message's frames 0 and 1 (payload
// nil for a message without a second frame); they are never modified
// afterwards and may be retained, which keeps the message's memory alive.
type Observer interface {
	Observe(topic, payload []byte)
}

// watcher boxes an Observer for an atomic pointer.
type watcher struct{ o Observer }

// Watch makes o the backplane's observer, replacing any earlier one; nil
// stops observing. Without an observer the cost on the forwarding path is
// one atomic load per message.
func (b *Backplane) Watch(o Observer) {
	if o == nil {
		b.observer.Store(nil)
		return
	}
	b.observer.Store(&watcher{o})
}

// observe passes m to the observer, if there is one.
func (b *Backplane) observe(m zmtp.Msg) {
	if w := b.observer.Load(); w != nil {
		w.o.Observe(m.Topic(), m.Frame(1))
	}
}

// Publish sends a message from the backplane itself to every subscriber
// whose subscriptions match topic, as if a component had published it
// (the observer sees it too; Stats.Forwarded does not count it). payload
// must be msgpack; it is copied. It returns an error only after Close.
func (b *Backplane) Publish(topic string, payload []byte) error {
	m := zmtp.NewTopicMsg(topic, payload)
	if err := b.pub.Send(m); err != nil {
		return err
	}
	b.observe(m)
	return nil
}

// Name is Options.Name.
func (b *Backplane) Name() string { return b.opts.Name }
