package banyan

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gobanyan/banyan/internal/codec"
	"github.com/gobanyan/banyan/internal/retry"
	"github.com/gobanyan/banyan/internal/zmtp"
)

// ReservedPrefix starts the topics Banyan uses for itself (readiness
// probes). Messages on them never reach handlers.
const ReservedPrefix = "__banyan/"

const probeRoot = ReservedPrefix + "probe/"

// Component is one Banyan component: a PUB connection to the backplane's
// publisher port and a SUB connection to its subscriber port. Every method
// is safe from any goroutine.
type Component struct {
	o     options
	log   *slog.Logger
	pub   *zmtp.Pub
	sub   *zmtp.Sub
	where string // for messages: host and ports

	probePrefix string // "__banyan/probe/<id>/"
	probeRoot   []byte // probeRoot, and probePrefix, as bytes
	probeMine   []byte
	probeSeq    atomic.Uint64
	probeMu     sync.Mutex
	probes      map[string]chan struct{}

	in        chan *Message
	done      chan struct{}
	closeOnce sync.Once

	published, received, badMessages, panics atomic.Uint64
}

// Stats are a component's counters.
type Stats struct {
	Published     uint64 // messages handed to the backplane connection
	Received      uint64 // messages delivered to the handler or channel
	Dropped       uint64 // outgoing messages dropped: send queue full (backplane slow or away)
	BadMessages   uint64 // incoming messages skipped: wrong frame count, non-UTF-8 topic, bad msgpack, over the size limit
	HandlerPanics uint64 // handler calls that panicked (recovered, logged)
	Connected     bool   // both connections are up now
	Reconnects    uint64 // connections re-established after a loss
}

// Connect connects to the backplane and returns when the component is
// ready: both connections are up and the backplane is forwarding our
// subscriptions (proved by a probe message on a private topic that goes out
// and comes back through the backplane). So a message published right after
// Connect returns is not lost to the "slow joiner" race, and neither is one
// published to a topic given with WithSubscriptions.
//
// If no backplane answers within the connect timeout (default 5 s) it
// returns an error wrapping ErrBackplaneNotRunning. ctx bounds the wait too.
func Connect(ctx context.Context, opts ...Option) (*Component, error) {
	o := defaults()
	for _, opt := range opts {
		opt(&o)
	}
	if o.log == nil {
		o.log = slog.Default()
	}
	for _, t := range o.subscriptions {
		if !utf8.ValidString(t) {
			return nil, fmt.Errorf("%w: %q", ErrInvalidTopic, t)
		}
	}
	switch {
	case o.noPub && o.noSub:
		return nil, errors.New("banyan: WithoutPublisher and WithoutSubscriber together leave nothing to connect")
	case o.noSub && len(o.subscriptions) > 0:
		return nil, fmt.Errorf("%w: WithSubscriptions needs a subscriber", ErrNoSubscriber)
	}
	host := o.backplaneHost()
	c := &Component{
		o:      o,
		log:    o.log.With("component", o.name),
		where:  net.JoinHostPort(host, strconv.Itoa(o.pubPort)) + "/" + strconv.Itoa(o.subPort),
		probes: map[string]chan struct{}{},
		in:     make(chan *Message, o.queue),
		done:   make(chan struct{}),
	}
	id := make([]byte, 8)
	rand.Read(id)
	c.probePrefix = probeRoot + hex.EncodeToString(id) + "/"
	c.probeRoot, c.probeMine = []byte(probeRoot), []byte(c.probePrefix)

	zo := zmtp.DefaultOptions()
	zo.SendHWM = o.hwm
	zo.MaxMessageSize = o.maxMsg
	if o.maxMsg <= 0 {
		zo.MaxMessageSize = -1
	}
	zo.Logger = c.log
	c.pub = zmtp.NewPub(zo)
	zo.Deliver = c.route
	c.sub = zmtp.NewSub(zo)
	for _, t := range o.subscriptions {
		c.sub.Subscribe([]byte(t))
	}
	ready := c.probePrefix + "ready"
	if !o.noPub && !o.noSub {
		c.sub.Subscribe([]byte(ready)) // after the user's: subscriptions are applied in order
	}
	if !o.noPub {
		if err := c.pub.Connect(endpoint(host, o.pubPort)); err != nil {
			c.sub.Close()
			c.pub.Close()
			return nil, err
		}
	}
	if !o.noSub {
		if err := c.sub.Connect(endpoint(host, o.subPort)); err != nil {
			c.sub.Close()
			c.pub.Close()
			return nil, err
		}
	}

	pctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	var err error
	switch {
	case o.noSub: // publish only: ready when the backplane's SUB has subscribed to us
		err = c.pub.WaitSubscribed(pctx)
	case o.noPub: // subscribe only: ready when the backplane has applied our subscriptions
		err = c.sub.Sync(pctx)
	default:
		err = c.probe(pctx, ready)
	}
	if err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w (no answer from %s within %v)", ErrBackplaneNotRunning, c.where, o.timeout)
	}
	if !o.noPub && !o.noSub {
		c.sub.Unsubscribe([]byte(ready))
	}
	return c, nil
}

// route handles one message from the SUB socket, on the goroutine reading
// its connection (zmtp Options.Deliver: no extra hand-off): probes go to
// their waiters, bad input is counted and skipped, the rest goes to the
// delivery channel. A full channel holds the connection back (TCP
// back-pressure), as libzmq's RCVHWM does.
func (c *Component) route(zm zmtp.Msg) {
	topic := zm.Topic()
	if bytes.HasPrefix(topic, c.probeRoot) {
		if bytes.HasPrefix(topic, c.probeMine) {
			c.probeMu.Lock()
			if ch := c.probes[string(topic)]; ch != nil {
				select {
				case ch <- struct{}{}:
				default:
				}
			}
			c.probeMu.Unlock()
		}
		return
	}
	if zm.NumFrames() < 2 {
		c.bad("message has one frame, want [topic, payload]", topic, ErrBadFrames)
		return
	}
	if !utf8.Valid(topic) {
		c.bad("topic is not valid UTF-8", topic, ErrInvalidTopic)
		return
	}
	payload := zm.Frame(1)
	if !c.o.skipValidation {
		if err := Validate(payload); err != nil {
			c.bad("bad payload", topic, err)
			return
		}
	}
	m := &Message{Topic: string(topic), Payload: payload}
	select {
	case c.in <- m:
	case <-c.done:
	}
}

func (c *Component) bad(what string, topic []byte, err error) {
	n := c.badMessages.Add(1)
	c.log.Warn("skipping bad message: "+what, "topic", fmt.Sprintf("%q", topic), "err", err, "bad_total", n)
}

// probe publishes on topic (which we subscribe to) until a copy comes back
// through the backplane, or ctx ends.
func (c *Component) probe(ctx context.Context, topic string) error {
	ch := make(chan struct{}, 1)
	c.probeMu.Lock()
	c.probes[topic] = ch
	c.probeMu.Unlock()
	defer func() {
		c.probeMu.Lock()
		delete(c.probes, topic)
		c.probeMu.Unlock()
	}()
	msg := zmtp.NewTopicMsg(topic, []byte{0x80}) // an empty map, harmless to any receiver
	var sendErr error
	err := retry.Until(ctx, c.done, ErrClosed, ch, 5*time.Millisecond, 200*time.Millisecond, func() bool {
		sendErr = c.pub.Send(msg)
		return sendErr != nil
	})
	if sendErr != nil {
		return sendErr
	}
	return err
}

// Publish encodes payload with the Python-compatible codec (see Marshal) and
// sends it on topic. It never blocks: if the backplane cannot keep up, or is
// away, messages beyond the send queue are dropped and counted.
func (c *Component) Publish(topic string, payload any) error {
	return codec.MarshalPooled(payload, func(b []byte) error { return c.PublishRaw(topic, b) })
}

// PublishRaw sends payload bytes as they are (they should be msgpack for
// other Banyan components to read them).
func (c *Component) PublishRaw(topic string, payload []byte) error {
	if c.o.noPub {
		return ErrNoPublisher
	}
	if !utf8.ValidString(topic) {
		return fmt.Errorf("%w: %q", ErrInvalidTopic, topic)
	}
	if max := c.o.maxMsg; max > 0 && (int64(len(payload)) > max || int64(len(topic)) > max-int64(len(payload))) {
		return fmt.Errorf("%w: %d bytes of topic and payload, limit %d", ErrTooLarge, len(topic)+len(payload), max)
	}
	if err := c.pub.Send(zmtp.NewTopicMsg(topic, payload)); err != nil {
		return ErrClosed
	}
	c.published.Add(1)
	return nil
}

// Subscribe adds topic prefixes, as ZeroMQ does: "echo" also receives
// "echo2"; "" receives everything. It returns before the backplane has
// applied them; use SubscribeSync to wait.
func (c *Component) Subscribe(topics ...string) error {
	if c.o.noSub {
		return ErrNoSubscriber
	}
	for _, t := range topics {
		if !utf8.ValidString(t) {
			return fmt.Errorf("%w: %q", ErrInvalidTopic, t)
		}
	}
	for _, t := range topics {
		if err := c.sub.Subscribe([]byte(t)); err != nil {
			return ErrClosed
		}
	}
	return nil
}

// SubscribeSync subscribes and returns once the backplane forwards the
// topics to us (proved with a probe, as in Connect).
func (c *Component) SubscribeSync(ctx context.Context, topics ...string) error {
	if err := c.Subscribe(topics...); err != nil {
		return err
	}
	if c.o.noPub {
		return c.sub.Sync(ctx)
	}
	t := c.probePrefix + "sync/" + strconv.FormatUint(c.probeSeq.Add(1), 10)
	c.sub.Subscribe([]byte(t))
	defer c.sub.Unsubscribe([]byte(t))
	return c.probe(ctx, t)
}

// Unsubscribe removes topic prefixes (one count each: subscribing twice
// needs two Unsubscribes, as in ZeroMQ).
func (c *Component) Unsubscribe(topics ...string) error {
	if c.o.noSub {
		return ErrNoSubscriber
	}
	for _, t := range topics {
		if err := c.sub.Unsubscribe([]byte(t)); err != nil {
			return ErrClosed
		}
	}
	return nil
}

// Handler handles one message. A panic in it is recovered, logged and
// counted; the component keeps running.
type Handler func(*Message)

// Run delivers messages to h as soon as they arrive, in arrival order on one
// goroutine (or on WithWorkers goroutines), until ctx ends (it returns nil)
// or the component is closed (ErrClosed). With h nil it uses the
// WithExternalProcessor function. Use either Run or Messages, not both.
func (c *Component) Run(ctx context.Context, h Handler) error {
	if h == nil {
		if c.o.external == nil {
			return errors.New("banyan: Run needs a handler or WithExternalProcessor")
		}
		ext := c.o.external
		h = func(m *Message) {
			v, err := m.Value()
			if err != nil {
				c.bad("payload cannot be decoded", []byte(m.Topic), err)
				return
			}
			ext(m.Topic, v)
		}
	}
	n := max(c.o.workers, 1)
	if n == 1 {
		return c.loop(ctx, h, c.o.idle)
	}
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		idle := c.o.idle
		if i > 0 {
			idle = nil
		}
		go func() { errs <- c.loop(ctx, h, idle) }()
	}
	var err error
	for i := 0; i < n; i++ {
		if e := <-errs; e != nil {
			err = e
		}
	}
	return err
}

func (c *Component) loop(ctx context.Context, h Handler, idle func()) error {
	var idleC <-chan time.Time
	var timer *time.Timer
	if idle != nil {
		timer = time.NewTimer(c.o.loopTime)
		defer timer.Stop()
		idleC = timer.C
	}
	for {
		select {
		case m, ok := <-c.in:
			if !ok {
				return ErrClosed
			}
			c.handle(h, m)
			if timer != nil {
				timer.Reset(c.o.loopTime)
			}
		case <-idleC:
			c.call("idle callback", "", idle)
			timer.Reset(c.o.loopTime)
		case <-ctx.Done():
			return nil
		}
	}
}

func (c *Component) handle(h Handler, m *Message) {
	c.received.Add(1)
	c.call("handler", m.Topic, func() { h(m) })
}

// call runs f, turning a panic into a log line and a count.
func (c *Component) call(what, topic string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			n := c.panics.Add(1)
			c.log.Error(what+" panicked; message skipped", "topic", topic, "panic", r, "panics_total", n)
		}
	}()
	f()
}

// Messages is the channel form of Run, for select loops: each received
// message, in order. It is closed when the component closes. Messages taken
// here are counted in Stats().Received only by Run.
func (c *Component) Messages() <-chan *Message { return c.in }

// Close stops the component: queued outgoing messages get a bounded linger
// (1 s) to reach the backplane, then both connections close and Run
// returns ErrClosed.
func (c *Component) Close() error {
	err := ErrClosed
	c.closeOnce.Do(func() {
		close(c.done) // releases connection goroutines blocked on a full c.in
		c.pub.Close()
		c.sub.Close() // waits for them to end: nothing sends on c.in after it
		close(c.in)
		err = nil
	})
	return err
}

// Stats returns the counters.
func (c *Component) Stats() Stats {
	ps, ss := c.pub.Stats(), c.sub.Stats()
	return Stats{
		Published:     c.published.Load(),
		Received:      c.received.Load(),
		Dropped:       ps.Dropped,
		BadMessages:   c.badMessages.Load() + ss.Refused,
		HandlerPanics: c.panics.Load(),
		Connected:     (c.o.noPub || ps.Peers > 0) && (c.o.noSub || ss.Peers > 0),
		Reconnects:    ps.Connects + ss.Connects - min(ps.Connects, 1) - min(ss.Connects, 1),
	}
}
