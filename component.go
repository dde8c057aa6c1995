package banyan

import (
	"bytes"
	"context"
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
	"github.com/gobanyan/banyan/internal/zmtp"
)

// ReservedPrefix starts the topics reserved for Banyan itself. This version
// sends nothing on them (readiness leaves no trace on the bus); Go Banyan
// before it sent readiness probes there. Messages on them never reach
// handlers, and the bridges refuse to publish into them.
const ReservedPrefix = "__banyan/"

var reserved = []byte(ReservedPrefix)

// waitNotice is how long Connect waits before it says, once, that it is
// still waiting for the backplane (a message for people, not a timeout).
const waitNotice = time.Second

// Component is one Banyan component: a PUB connection to the backplane's
// publisher port and a SUB connection to its subscriber port. Every method
// is safe from any goroutine.
type Component struct {
	o     options
	log   *slog.Logger
	pub   *zmtp.Pub
	sub   *zmtp.Sub
	where string // for messages: host and ports

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
// ready: both connections are up, the backplane is taking what we publish
// and our subscriptions (those given with WithSubscriptions) are in effect.
// So a message published right after Connect returns is not lost to the
// "slow joiner" race. Nothing Connect does is seen by other components:
// it publishes nothing and changes no subscription beyond the user's.
//
// The proof is two facts the backplane gives on its own (see
// ARCHITECTURE.md, "Readiness"): on the publisher connection, the
// backplane's SUB has subscribed to everything, so what we send from then
// on is forwarded; on the subscriber connection, the backplane has answered
// a ZMTP 3.1 PING sent after our subscriptions, and a peer reads a
// connection in order. Our backplane applies subscriptions before it reads
// the PING; libzmq's has read them and queued them to its socket, which
// applies them at its next command check, before it forwards anything
// that arrived after. A backplane speaking ZMTP 3.0 or older (libzmq
// before 4.2, JeroMQ before 0.5) has no PING: there, Connect returns once
// the subscriptions are written to the connection, unproven.
//
// If no backplane answers within the connect timeout (default 5 s, see
// WithConnectTimeout; zero waits without bound) it returns an error
// wrapping ErrBackplaneNotRunning. ctx bounds the wait too. A wait that
// lasts more than a second is logged once, at Warn, with the address.
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
		o:     o,
		log:   o.log.With("component", o.name),
		where: net.JoinHostPort(host, strconv.Itoa(o.pubPort)) + "/" + strconv.Itoa(o.subPort),
		in:    make(chan *Message, o.queue),
		done:  make(chan struct{}),
	}
	zo := zmtp.DefaultOptions()
	zo.SendHWM = o.hwm
	zo.MaxMessageSize = o.maxMsg
	if o.maxMsg <= 0 {
		zo.MaxMessageSize = -1
	}
	zo.Logger = c.log
	zo.Curve = o.curve
	c.pub = zmtp.NewPub(zo)
	zo.Deliver = c.route
	c.sub = zmtp.NewSub(zo)
	for _, t := range o.subscriptions {
		c.sub.Subscribe([]byte(t))
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
	if err := c.ready(ctx); err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w (no answer from %s within %v)", ErrBackplaneNotRunning, c.where, o.timeout)
	}
	return c, nil
}

// ready waits for both halves of readiness (see Connect) at once, within
// the connect timeout, and says once if the wait is long.
func (c *Component) ready(ctx context.Context) error {
	var cancel context.CancelFunc
	if c.o.timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, c.o.timeout)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	defer cancel()
	errc := make(chan error, 2)
	n := 0
	if !c.o.noPub {
		n++
		go func() { errc <- c.pub.WaitSubscribed(ctx) }()
	}
	if !c.o.noSub {
		n++
		go func() { errc <- c.sub.Sync(ctx) }()
	}
	// Said only when the wait may outlast the notice: a probe with a
	// short bound (the launcher's "is one running?") stays quiet.
	var noticeC <-chan time.Time
	if c.o.timeout <= 0 || c.o.timeout > waitNotice {
		notice := time.NewTimer(waitNotice)
		defer notice.Stop()
		noticeC = notice.C
	}
	var first error
	for n > 0 {
		select {
		case err := <-errc:
			n--
			if err != nil && first == nil {
				first = err
				cancel() // the other half stops too
			}
		case <-noticeC:
			if ctx.Err() != nil {
				continue // ending anyway
			}
			c.log.Warn("waiting for the backplane", "backplane", c.where, "timeout", timeoutText(c.o.timeout))
		}
	}
	return first
}

func timeoutText(d time.Duration) string {
	if d <= 0 {
		return "none"
	}
	return d.String()
}

// route handles one message from the SUB socket, on the goroutine reading
// its connection (zmtp Options.Deliver: no extra hand-off): reserved
// topics are dropped, bad input is counted and skipped, the rest goes to the
// delivery channel. A full channel holds the connection back (TCP
// back-pressure), as libzmq's RCVHWM does.
func (c *Component) route(zm zmtp.Msg, _ bool) {
	topic := zm.Topic()
	if bytes.HasPrefix(topic, reserved) {
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

// Publish encodes payload with the Python-compatible codec (see Marshal) and
// sends it on topic. It never blocks: if the backplane cannot keep up, or is
// away, messages beyond the send queue are dropped and counted.
func (c *Component) Publish(topic string, payload any) error {
	return codec.MarshalPooled(payload, func(b []byte) error { return c.PublishRaw(topic, b) })
}

// PublishRaw sends payload bytes as they are (they should be msgpack for
// other Banyan components to read them). With WithMsgpack(MsgpackLegacy)
// they are rewritten to the old spec first, and must be msgpack.
func (c *Component) PublishRaw(topic string, payload []byte) error {
	if c.o.noPub {
		return ErrNoPublisher
	}
	if !utf8.ValidString(topic) {
		return fmt.Errorf("%w: %q", ErrInvalidTopic, topic)
	}
	if c.o.msgpack == MsgpackLegacy && !codec.IsLegacy(payload) {
		lp, err := codec.AppendLegacy(nil, payload)
		if err != nil {
			return fmt.Errorf("banyan: WithMsgpack(MsgpackLegacy): %w", err)
		}
		payload = lp
	}
	if max := c.o.maxMsg; max > 0 && (int64(len(payload)) > max || int64(len(topic)) > max-int64(len(payload))) {
		return fmt.Errorf("%w: %d bytes of topic and payload, limit %d", ErrTooLarge, len(topic)+len(payload), max)
	}
	// Counted before the send: the message may reach a subscriber (and
	// its answer come back) before Send returns, and Stats must not lag.
	c.published.Add(1)
	if err := c.pub.Send(zmtp.NewTopicMsg(topic, payload)); err != nil {
		c.published.Add(^uint64(0)) // not sent after all
		return ErrClosed
	}
	return nil
}

// Flush returns once the backplane has received every message published
// before the call (or ctx ends): the PONG to a ZMTP 3.1 PING queued behind
// them on the publisher connection proves it, and publishes nothing. On a
// ZMTP 3.0 or older backplane it returns once they are written to the
// connection. Messages dropped at the send queue's high-water mark are not
// waited for, and neither is a connection that ends before it answers:
// what it carried may be lost with it (a reconnect does not resend).
func (c *Component) Flush(ctx context.Context) error {
	if c.o.noPub {
		return ErrNoPublisher
	}
	return closedErr(c.pub.Flush(ctx))
}

// closedErr is err with the socket's ErrClosed given as ours.
func closedErr(err error) error {
	if errors.Is(err, zmtp.ErrClosed) {
		return ErrClosed
	}
	return err
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
// topics to us: proved, as in Connect, by the backplane's answer to a PING
// sent after them (unproven on a ZMTP 3.0 or older backplane). Like
// Connect, it publishes nothing and subscribes to nothing else.
func (c *Component) SubscribeSync(ctx context.Context, topics ...string) error {
	if err := c.Subscribe(topics...); err != nil {
		return err
	}
	return closedErr(c.sub.Sync(ctx))
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
