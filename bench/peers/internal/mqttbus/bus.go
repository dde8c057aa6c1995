package mqttbus

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/gobanyan/banyan/internal/benchmark"
)

// Bus is a benchmark.Bus over the MQTT broker at Broker, at QoS 0.
type Bus struct {
	// Broker is the broker's address, "tcp://127.0.0.1:1883".
	Broker string
	ids    atomic.Uint64
}

// New returns a Bus for the broker at broker.
func New(broker string) *Bus { return &Bus{Broker: broker} }

// Name is "mqtt".
func (b *Bus) Name() string { return "mqtt" }

func timeout(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return time.Until(d)
	}
	return 30 * time.Second
}

func (b *Bus) connect(ctx context.Context) (paho.Client, error) {
	id := fmt.Sprintf("bb%d-%d", os.Getpid(), b.ids.Add(1))
	opts := paho.NewClientOptions().AddBroker(b.Broker).SetClientID(id).
		SetCleanSession(true).SetAutoReconnect(false).SetConnectRetry(false).
		SetOrderMatters(true). // handlers in order, on one goroutine, holding the connection back when slow
		SetConnectTimeout(timeout(ctx)).SetWriteTimeout(0)
	cl := paho.NewClient(opts)
	if err := wait(ctx, cl.Connect()); err != nil {
		return nil, fmt.Errorf("mqttbus: connect %s: %w", b.Broker, err)
	}
	return cl, nil
}

// wait waits for t, or ctx.
func wait(ctx context.Context, t paho.Token) error {
	select {
	case <-t.Done():
		return t.Error()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// NewPublisher connects one publishing client.
func (b *Bus) NewPublisher(ctx context.Context) (benchmark.Publisher, error) {
	cl, err := b.connect(ctx)
	if err != nil {
		return nil, err
	}
	return &publisher{cl: cl}, nil
}

type publisher struct {
	cl           paho.Client
	topic, mqttT string // the last topic and its MQTT name
}

// Publish sends at QoS 0 and waits for the token, which completes when the
// message has been written to the connection (so payload may be reused).
func (p *publisher) Publish(topic string, payload []byte) error {
	if topic != p.topic {
		p.topic, p.mqttT = topic, Topic(topic)
	}
	t := p.cl.Publish(p.mqttT, 0, false, payload)
	t.Wait()
	if err := t.Error(); err != nil {
		return fmt.Errorf("mqttbus: publish: %w", err)
	}
	return nil
}

// Close disconnects, giving in-flight work a second.
func (p *publisher) Close() error {
	p.cl.Disconnect(1000)
	return nil
}

// NewSubscriber connects one client subscribed to every prefix (mapped by
// Filter) at QoS 0, and returns once the broker has acknowledged them.
func (b *Bus) NewSubscriber(ctx context.Context, prefixes []string, deliver func(topic string, payload []byte)) (io.Closer, error) {
	cl, err := b.connect(ctx)
	if err != nil {
		return nil, err
	}
	filters := make(map[string]byte, len(prefixes))
	for _, p := range prefixes {
		filters[Filter(p)] = 0
	}
	handler := func(_ paho.Client, m paho.Message) { deliver(m.Topic(), m.Payload()) }
	if err := wait(ctx, cl.SubscribeMultiple(filters, handler)); err != nil {
		cl.Disconnect(0)
		return nil, fmt.Errorf("mqttbus: subscribe: %w", err)
	}
	return closer{cl}, nil
}

type closer struct{ cl paho.Client }

func (c closer) Close() error { c.cl.Disconnect(100); return nil }
