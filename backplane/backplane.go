package backplane

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/gobanyan/banyan/internal/curve"
	"github.com/gobanyan/banyan/internal/zmtp"
)

// Default ports, as in Python Banyan. The names are from a component's point
// of view: components publish to the publisher port.
const (
	DefaultPublisherPort  = 43124
	DefaultSubscriberPort = 43125
)

// FreePort, as Options.PublisherPort or SubscriberPort, asks the system
// for a free port; PublisherPort and SubscriberPort tell which it chose.
// (0 is the default port, so that the zero Options are Python's.) The CLI
// spells it "-p 0", as net.Listen spells it ":0".
const FreePort = -1

// Unlimited, as a limit in Options (HWM, HWMBytes, MaxMessageSize,
// MaxSubscriptions), means no limit; 0 there means the default. It has the
// value and meaning of banyan.Unlimited.
const Unlimited = -1

// DefaultHWM is the default per-subscriber queue limit in messages
// (libzmq's).
const DefaultHWM = 1000

// DefaultMaxMessageSize is the default limit on one message, topic and
// payload together.
const DefaultMaxMessageSize = zmtp.DefaultMaxMessageSize

// ErrPortInUse reports that a port is taken, most likely by another
// backplane. New's error wraps it and names the port.
var ErrPortInUse = errors.New("backplane: port already in use")

// Options configure a Backplane. The zero value is the Python defaults,
// bound on every interface.
type Options struct {
	// Name is shown in the banner (Python's -n).
	Name string
	// Bind is the interface address to listen on; "" means all interfaces.
	Bind string
	// PublisherPort is where components publish: 0 means 43124, FreePort
	// a free port chosen by the system (tests).
	PublisherPort int
	// SubscriberPort is where components subscribe: 0 means 43125,
	// FreePort as above.
	SubscriberPort int
	// HWM is each subscriber's queue limit in messages: 0 means DefaultHWM,
	// Unlimited (any negative value) no limit (lossless, unbounded memory).
	HWM int
	// HWMBytes is each subscriber's queue limit in bytes, beside HWM, so a
	// stalled subscriber cannot pin gigabytes: 0 means 64 MiB (no limit
	// when HWM is Unlimited), Unlimited no limit. A message always passes
	// to an empty queue.
	HWMBytes int64
	// MaxMessageSize limits one incoming message, topic and payload counted
	// alike (frame headers are not): 0 means 256 MiB, Unlimited no
	// limit. A larger message is read past and dropped; the publisher's
	// connection stays up, and the refusal is logged with its address and
	// counted (Stats.Refused).
	MaxMessageSize int64
	// MaxSubscriptions bounds the distinct prefixes one subscriber may hold
	// (0 means 100,000; Unlimited, no limit). Subscriptions past it are
	// ignored, logged and counted (Stats.SubscriptionsRefused).
	MaxSubscriptions int
	// FlowControl, when positive, turns on flow control: once this many
	// bytes wait in subscriber queues together, the backplane stops
	// reading publishers' connections (TCP then slows the publishers)
	// until the queues have drained back to it. Memory then follows this
	// bound instead of each subscriber's HWM, and a lossless flood loses
	// nothing, at the price of the slowest subscriber setting everyone's
	// pace. A subscriber that takes nothing for a second is no longer
	// waited for (its queue fills to its HWM and drops, as without flow
	// control), so one stalled subscriber cannot stop the bus. 0, the
	// default, is libzmq's behaviour: never slow a publisher, drop at a
	// full queue.
	FlowControl int64
	// PendingBudget bounds the memory that partially received messages hold
	// across all connections: 0 means 4 x MaxMessageSize (at least 1 GiB).
	// A publisher whose message would pass it is disconnected (BadInput).
	PendingBudget int64
	// CurveSecretKey, when not all zero, turns on CURVE (RFC 26) for both
	// ports, with this long-term secret key (its public key is what
	// components give as the server key): every connection is encrypted,
	// and a component that does not speak CURVE (every Python Banyan
	// component, and ours without banyan.WithCurve) is refused. The zero
	// value is NULL, Python Banyan's.
	CurveSecretKey [32]byte
	// Authorize, with CURVE on, decides which components are admitted, by
	// their long-term public key; an error refuses one, before any
	// message passes (it is logged with the key, and counted in
	// Stats.Unauthorized). nil admits every key: the traffic is encrypted,
	// but anyone with the server's public key may connect. It is called
	// from the handshakes' goroutines, concurrently.
	Authorize func(clientKey [32]byte) error
	// Logger receives connection events and faults; nil means slog.Default().
	Logger *slog.Logger
}

// Backplane is a running forwarder: New starts it, Close stops it (see
// the package doc, Lifecycle).
type Backplane struct {
	opts     Options
	sub      *zmtp.Sub // components publish into it
	pub      *zmtp.Pub // components subscribe from it
	pubAddr  *net.TCPAddr
	subAddr  *net.TCPAddr
	runOnce  sync.Once // guards Close
	closeErr error
	closing  chan struct{} // closed when Close begins: flow control lets go
	closed   chan struct{}
	observer atomic.Pointer[watcher] // Watch's, or nil

	log          *slog.Logger
	curvePublic  curve.Key     // with CURVE on: our long-term public key
	unauthorized atomic.Uint64 // CURVE clients Authorize refused
}

// Stats are the backplane's counters.
type Stats struct {
	Forwarded   uint64 // messages received from publishers and offered to subscribers
	Dropped     uint64 // messages dropped at a full subscriber queue
	Publishers  int    // components connected to the publisher port
	Subscribers int    // components connected to the subscriber port
	BadInput    uint64 // connections closed for malformed input or refused in the handshake

	Refused              uint64 // messages over MaxMessageSize, dropped
	SubscriptionsRefused uint64 // subscriptions past MaxSubscriptions, ignored
	PendingBytes         int64  // memory held by partially received messages
	Unauthorized         uint64 // CURVE clients refused by Options.Authorize
}

// port is the port to bind for an Options port: def for 0, and for
// FreePort (any negative) net.Listen's 0.
func port(p, def int) int {
	switch {
	case p == 0:
		return def
	case p < 0:
		return 0
	}
	return p
}

// reservedPrefix is banyan.ReservedPrefix (this package cannot import the
// root one): topics Banyan keeps for itself, forwarded only to subscribers
// that subscribed into them (so old Go Banyan's readiness probes never
// reach a Python monitor).
const reservedPrefix = "__banyan/"

// New binds both ports and starts forwarding: when it returns, components
// can connect. A port that is taken gives an error wrapping ErrPortInUse
// whose text names the port. Call Close to stop it.
func New(opts Options) (*Backplane, error) {
	zo := zmtp.DefaultOptions()
	switch { // zmtp's SendHWM, as libzmq's, is 0 for no limit
	case opts.HWM == 0:
		zo.SendHWM = DefaultHWM
	case opts.HWM > 0:
		zo.SendHWM = opts.HWM
	default:
		zo.SendHWM = 0
	}
	zo.RecvHWM = 4096
	zo.SendHWMBytes = opts.HWMBytes
	zo.MaxMessageSize = opts.MaxMessageSize
	zo.MaxSubscriptions = opts.MaxSubscriptions
	zo.FlowControl = opts.FlowControl
	if opts.PendingBudget > 0 {
		zo.Budget = zmtp.NewBudget(opts.PendingBudget)
	}
	zo.Logger = opts.Logger
	if zo.Logger == nil {
		zo.Logger = slog.Default()
	}
	b := &Backplane{opts: opts, closing: make(chan struct{}), closed: make(chan struct{}), log: zo.Logger}
	if opts.CurveSecretKey != ([32]byte{}) {
		secret := curve.Key(opts.CurveSecretKey)
		b.curvePublic = curve.PublicFromSecret(secret)
		zo.Curve = &zmtp.Curve{Server: curve.NewServer(b.curvePublic, secret, &curve.ServerOptions{Authorize: b.authorize})}
	}
	zo.Reserved = []byte(reservedPrefix) // a PUB option: the SUB ignores it
	b.pub = zmtp.NewPub(zo)
	if zo.Budget == nil {
		zo.Budget = b.pub.Budget() // both sockets share one budget
	}
	// Each publisher's connection goroutine forwards its own messages
	// straight into the PUB's per-subscriber queues (Send never blocks):
	// the last message of what has arrived is written at once to idle
	// subscribers from this goroutine; one with more behind it is queued,
	// to go out in one write with the rest of the burst.
	zo.Deliver = func(m zmtp.Msg, more bool) {
		b.pub.SendBurst(m, more)
		b.observe(m)
		b.pub.WaitFlow(b.closing) // returns at once without flow control
	}
	b.sub = zmtp.NewSub(zo)
	b.sub.Subscribe(nil)
	pp := port(opts.PublisherPort, DefaultPublisherPort)
	a, err := b.sub.Bind(net.JoinHostPort(opts.Bind, strconv.Itoa(pp)))
	if err != nil {
		b.sub.Close()
		b.pub.Close()
		return nil, bindError(pp, err)
	}
	b.pubAddr = a.(*net.TCPAddr)
	sp := port(opts.SubscriberPort, DefaultSubscriberPort)
	a, err = b.pub.Bind(net.JoinHostPort(opts.Bind, strconv.Itoa(sp)))
	if err != nil {
		b.sub.Close()
		b.pub.Close()
		return nil, bindError(sp, err)
	}
	b.subAddr = a.(*net.TCPAddr)
	return b, nil
}

func bindError(port int, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return &portInUseError{port: port, err: err}
	}
	return fmt.Errorf("backplane: cannot listen on port %d: %w", port, err)
}

// portInUseError is ErrPortInUse for one port, in one line.
type portInUseError struct {
	port int
	err  error // the listener's
}

func (e *portInUseError) Error() string {
	return fmt.Sprintf("backplane: port %d already in use: is another backplane running?", e.port)
}

func (e *portInUseError) Is(target error) bool { return target == ErrPortInUse }

func (e *portInUseError) Unwrap() error { return e.err }

// PublisherPort is the bound port components publish to.
func (b *Backplane) PublisherPort() int { return b.pubAddr.Port }

// SubscriberPort is the bound port components subscribe from.
func (b *Backplane) SubscriberPort() int { return b.subAddr.Port }

// Run is for programs whose main loop is the backplane (`banyan
// backplane`): it waits for ctx to end, then calls Close, and returns nil.
// It returns early, also nil, when Close is called. Forwarding does not
// depend on it: it runs from New to Close.
func (b *Backplane) Run(ctx context.Context) error {
	select {
	case <-ctx.Done():
		b.Close()
	case <-b.closed:
	}
	<-b.closed
	return nil
}

// Close stops the backplane: it closes both sockets, waiting a bounded
// linger for queued messages, and returns when their goroutines have
// ended. It may be called more than once; a running Run returns.
func (b *Backplane) Close() error {
	b.runOnce.Do(func() {
		close(b.closing)
		b.sub.Close()
		b.closeErr = b.pub.Close()
		close(b.closed)
	})
	return b.closeErr
}

// Stats returns the counters.
func (b *Backplane) Stats() Stats {
	in, out := b.sub.Stats(), b.pub.Stats()
	return Stats{
		Forwarded:   in.Received,
		Dropped:     out.Dropped,
		Publishers:  in.Peers,
		Subscribers: out.Peers,
		BadInput:    in.ProtocolErrors + out.ProtocolErrors,

		Refused:              in.Refused + out.Refused,
		SubscriptionsRefused: out.SubscriptionsRefused,
		PendingBytes:         in.PendingBytes,
		Unauthorized:         b.unauthorized.Load(),
	}
}
