package benchmark

import (
	"context"
	"io"
)

// Bus is a message bus the load generator drives: our backplane (through the
// component library), any other Banyan backplane, or, from the bench/peers
// module, NATS and MQTT. The generator owns the payload format; a Bus moves
// topics and opaque payload bytes and nothing else.
//
// Topics are Banyan topics ("bench/0"); a Bus whose engine spells them
// otherwise (NATS subjects, MQTT topic filters) maps them itself, and maps
// a prefix subscription to the nearest thing it has.
type Bus interface {
	// Name is what results call the bus ("banyan", "nats", "mqtt").
	Name() string
	// NewPublisher connects one publisher. It returns when publishing
	// works, or with ctx's error.
	NewPublisher(ctx context.Context) (Publisher, error)
	// NewSubscriber connects one subscriber to the given topic prefixes.
	// It returns when they are in effect (as far as the bus can tell), or
	// with ctx's error. deliver is called once per message received, from
	// one goroutine per subscriber; it must not keep topic or payload
	// after it returns.
	NewSubscriber(ctx context.Context, prefixes []string, deliver func(topic string, payload []byte)) (io.Closer, error)
}

// Publisher is one publishing connection of a Bus. Publish may block for
// flow control, as the bus's own client would; it is called from one
// goroutine.
type Publisher interface {
	Publish(topic string, payload []byte) error
	Close() error
}
