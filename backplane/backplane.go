package backplane

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"syscall"

	"github.com/gobanyan/banyan/internal/zmtp"
)

// Default ports, as in Python Banyan. The names are from a component's point
// of view: components publish to the publisher port.
const (
	DefaultPublisherPort  = 43124
	DefaultSubscriberPort = 43125
)

// ErrPortInUse reports that a port is taken, most likely by another backplane.
var ErrPortInUse = errors.New("port already in use")

// Options configure a Backplane. The zero value is the Python defaults,
// bound on every interface.
type Options struct {
	// Name is shown in the banner (Python's -n).
	Name string
	// Bind is the interface address to listen on; "" means all interfaces.
	Bind string
	// PublisherPort is where components publish (default 43124). Use -1
	// for a free port chosen by the system (tests).
	PublisherPort int
	// SubscriberPort is where components subscribe (default 43125); -1 as above.
	SubscriberPort int
	// HWM is each subscriber's queue limit in messages: 0 means the default
	// 1000 (libzmq's), negative means unlimited (lossless, unbounded memory).
	HWM int
	// MaxMessageSize limits one incoming message; 0 means 64 MiB.
	MaxMessageSize int64
	// Logger receives connection events and faults; nil means slog.Default().
	Logger *slog.Logger
}

// Backplane is a running forwarder. Create it with New, then call Run.
type Backplane struct {
	opts     Options
	sub      *zmtp.Sub // components publish into it
	pub      *zmtp.Pub // components subscribe from it
	pubAddr  *net.TCPAddr
	subAddr  *net.TCPAddr
	runOnce  sync.Once // guards Close
	closeErr error
	closed   chan struct{}
}

// Stats are the backplane's counters.
type Stats struct {
	Forwarded   uint64 // messages received from publishers and offered to subscribers
	Dropped     uint64 // messages dropped at a full subscriber queue
	Publishers  int    // components connected to the publisher port
	Subscribers int    // components connected to the subscriber port
	BadInput    uint64 // connections closed for malformed or oversized input
}

func port(p, def int) int {
	switch {
	case p == 0:
		return def
	case p < 0:
		return 0
	}
	return p
}

// New binds both ports. A port that is taken gives an error wrapping
// ErrPortInUse whose text names the port.
func New(opts Options) (*Backplane, error) {
	zo := zmtp.DefaultOptions()
	switch {
	case opts.HWM > 0:
		zo.SendHWM = opts.HWM
	case opts.HWM < 0:
		zo.SendHWM = 0
	}
	zo.RecvHWM = 4096
	zo.MaxMessageSize = opts.MaxMessageSize
	zo.Logger = opts.Logger
	if zo.Logger == nil {
		zo.Logger = slog.Default()
	}
	b := &Backplane{opts: opts, closed: make(chan struct{})}
	b.pub = zmtp.NewPub(zo)
	// Each publisher's connection goroutine forwards its own messages
	// straight into the PUB's per-subscriber queues (Send never blocks).
	zo.Deliver = func(m zmtp.Msg) { b.pub.Send(m) }
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
		return fmt.Errorf("port %d already in use: is another backplane running? (%w)", port, ErrPortInUse)
	}
	return fmt.Errorf("cannot listen on port %d: %w", port, err)
}

// PublisherPort is the bound port components publish to.
func (b *Backplane) PublisherPort() int { return b.pubAddr.Port }

// SubscriberPort is the bound port components subscribe from.
func (b *Backplane) SubscriberPort() int { return b.subAddr.Port }

// Run forwards messages until ctx ends, then closes both sockets (waiting a
// bounded linger for queued messages) and returns nil.
func (b *Backplane) Run(ctx context.Context) error {
	select {
	case <-ctx.Done():
		b.Close()
	case <-b.closed:
	}
	<-b.closed
	return nil
}

// Close stops the backplane. Run returns after it.
func (b *Backplane) Close() error {
	b.runOnce.Do(func() {
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
	}
}
