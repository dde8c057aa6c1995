package multi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"

	"github.com/gobanyan/banyan"
)

// Handler handles one message; backplane is the name (from the spec) of
// the backplane that delivered it.
type Handler func(backplane string, m *banyan.Message)

// Component is one component connected to several backplanes, as described
// by a routing spec. Each row with a port is a banyan.Component of its own,
// with the same guarantees: ready when Open returns, reconnection after a
// backplane restart, bad input skipped and counted. Every method is safe
// from any goroutine.
type Component struct {
	spec      Spec
	log       *slog.Logger
	conns     []*conn // spec order
	byName    map[string]*conn
	done      chan struct{}
	closeOnce sync.Once
}

// conn is one row and its connection (nil when the row has no port).
type conn struct {
	bp Backplane
	c  *banyan.Component
}

func (k *conn) canPublish() bool   { return k.bp.PublisherPort != 0 }
func (k *conn) canSubscribe() bool { return k.bp.SubscriberPort != 0 }

// OpenFile reads the routing spec at path (see ReadSpec) and opens it (see
// Open).
func OpenFile(ctx context.Context, path string, opts ...Option) (*Component, error) {
	spec, err := ReadSpec(path, opts...)
	if err != nil {
		return nil, err
	}
	return Open(ctx, spec, opts...)
}

// Open validates the whole spec, then connects to every backplane at once
// and returns when all are ready: each connection is up and the topics of
// its row are subscribed (see banyan.Connect). If the spec is invalid
// nothing is connected; if any backplane fails to answer, the connections
// already made are closed and the error names the row.
func Open(ctx context.Context, spec *Spec, opts ...Option) (*Component, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	o := buildOptions(opts)
	for name := range o.per {
		if !slices.ContainsFunc(spec.Backplanes, func(b Backplane) bool { return b.Name == name }) {
			return nil, fmt.Errorf("multi: WithBackplaneOptions: %w: %q is not in the spec", ErrUnknownBackplane, name)
		}
	}
	m := &Component{
		spec:   Spec{File: spec.File},
		log:    o.log.With("component", o.name),
		byName: map[string]*conn{},
		done:   make(chan struct{}),
	}
	plans := make([][]banyan.Option, len(spec.Backplanes))
	for i, b := range spec.Backplanes {
		b.Topics = append([]string(nil), b.Topics...)
		m.spec.Backplanes = append(m.spec.Backplanes, b)
		k := &conn{bp: b}
		m.conns = append(m.conns, k)
		m.byName[b.Name] = k
		if k.canPublish() || k.canSubscribe() {
			p, err := o.connectOptions(b)
			if err != nil {
				return nil, &SpecError{File: spec.File, Line: b.Line, Row: i + 1, Backplane: b.Name, Err: err}
			}
			plans[i] = p
		}
	}

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(m.conns))
	var wg sync.WaitGroup
	for i, k := range m.conns {
		if plans[i] == nil {
			continue
		}
		wg.Go(func() {
			c, err := banyan.Connect(cctx, plans[i]...)
			if err != nil {
				errs[i] = err
				cancel() // no point waiting for the others
				return
			}
			k.c = c
		})
	}
	wg.Wait()
	failed := -1
	for i, err := range errs {
		// Report the first row that failed by itself, not one we cancelled.
		if err != nil && (failed < 0 || errors.Is(errs[failed], context.Canceled) && !errors.Is(err, context.Canceled)) {
			failed = i
		}
	}
	if failed >= 0 {
		m.Close()
		b := m.conns[failed].bp
		where := spec.File
		if where == "" {
			where = "routing spec"
		}
		if b.Line > 0 {
			where += ":" + strconv.Itoa(b.Line)
		}
		return nil, fmt.Errorf("multi: %s: row %d (%s): backplane at %s: %w", where, failed+1, b.Name, b.Address, errs[failed])
	}
	for _, k := range m.conns {
		if k.c == nil {
			m.log.Warn("backplane has no port in the spec; not connected", "backplane", k.bp.Name)
			continue
		}
		m.log.Info("connected", "backplane", k.bp.Name, "address", k.bp.Address,
			"publisher_port", k.bp.PublisherPort, "subscriber_port", k.bp.SubscriberPort, "topics", k.bp.Topics)
	}
	return m, nil
}

// connectOptions are the banyan options for one row's connection.
func (o *options) connectOptions(b Backplane) ([]banyan.Option, error) {
	pub, sub := b.PublisherPort, b.SubscriberPort
	name := b.Name
	if o.name != "" {
		name = o.name + "@" + b.Name
	}
	opts := append([]banyan.Option(nil), o.component...)
	opts = append(opts, o.per[b.Name]...)
	opts = append(opts,
		banyan.WithBackplane(b.Address),
		banyan.WithPorts(pub, sub),
		banyan.WithName(name),
		banyan.WithLogger(o.log.With("backplane", b.Name)),
	)
	if o.timeout > 0 {
		opts = append(opts, banyan.WithConnectTimeout(o.timeout))
	}
	// A row with one port gets a one-sided connection, as in Python.
	if pub == 0 {
		opts = append(opts, banyan.WithoutPublisher())
	}
	if sub == 0 {
		opts = append(opts, banyan.WithoutSubscriber())
	}
	if b.SubscriberPort != 0 && len(b.Topics) > 0 {
		opts = append(opts, banyan.WithSubscriptions(b.Topics...))
	}
	return opts, nil
}

func (m *Component) lookup(name string) (*conn, error) {
	k := m.byName[name]
	if k == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownBackplane, name)
	}
	return k, nil
}

func (m *Component) publisher(name string) (*banyan.Component, error) {
	k, err := m.lookup(name)
	if err != nil {
		return nil, err
	}
	if !k.canPublish() {
		return nil, fmt.Errorf("%w: %q", ErrNoPublisher, name)
	}
	return k.c, nil
}

func (m *Component) subscriber(name string) (*banyan.Component, error) {
	k, err := m.lookup(name)
	if err != nil {
		return nil, err
	}
	if !k.canSubscribe() {
		return nil, fmt.Errorf("%w: %q", ErrNoSubscriber, name)
	}
	return k.c, nil
}

// Publish encodes payload (see banyan.Marshal) and sends it on topic to
// the named backplane. It never blocks (see banyan.Component.Publish).
func (m *Component) Publish(backplane, topic string, payload any) error {
	c, err := m.publisher(backplane)
	if err != nil {
		return err
	}
	return c.Publish(topic, payload)
}

// PublishRaw sends payload bytes as they are to the named backplane.
func (m *Component) PublishRaw(backplane, topic string, payload []byte) error {
	c, err := m.publisher(backplane)
	if err != nil {
		return err
	}
	return c.PublishRaw(topic, payload)
}

// Broadcast encodes payload once and sends it on topic to every backplane
// that has a publisher port (Python's publisher_socket "BROADCAST"). It
// tries them all; the error joins the failures, each naming its backplane.
func (m *Component) Broadcast(topic string, payload any) error {
	data, err := banyan.Marshal(payload)
	if err != nil {
		return err
	}
	var errs []error
	sent := false
	for _, k := range m.conns {
		if !k.canPublish() {
			continue
		}
		sent = true
		if err := k.c.PublishRaw(topic, data); err != nil {
			errs = append(errs, fmt.Errorf("backplane %q: %w", k.bp.Name, err))
		}
	}
	if !sent {
		return fmt.Errorf("%w: no row has one", ErrNoPublisher)
	}
	return errors.Join(errs...)
}

// Subscribe adds topic prefixes on the named backplane ("" receives
// everything). It returns before the backplane applies them; see
// SubscribeSync.
func (m *Component) Subscribe(backplane string, topics ...string) error {
	c, err := m.subscriber(backplane)
	if err != nil {
		return err
	}
	return c.Subscribe(topics...)
}

// SubscribeSync subscribes on the named backplane and returns once that
// backplane forwards the topics to us.
func (m *Component) SubscribeSync(ctx context.Context, backplane string, topics ...string) error {
	c, err := m.subscriber(backplane)
	if err != nil {
		return err
	}
	return c.SubscribeSync(ctx, topics...)
}

// Unsubscribe removes topic prefixes on the named backplane (one count
// each, as in ZeroMQ).
func (m *Component) Unsubscribe(backplane string, topics ...string) error {
	c, err := m.subscriber(backplane)
	if err != nil {
		return err
	}
	return c.Unsubscribe(topics...)
}

// Run delivers the messages of every backplane to h as soon as they arrive,
// with the name of the backplane that delivered each. Messages from one
// backplane keep their order; calls to h never overlap, so h needs no
// locking. A panic in h is recovered, logged and counted in that
// backplane's Stats. Run returns nil when ctx ends and banyan.ErrClosed
// when the component (or one of its connections) is closed. Call it once
// at a time.
func (m *Component) Run(ctx context.Context, h Handler) error {
	if h == nil {
		return errors.New("multi: Run needs a handler")
	}
	var subs []*conn
	for _, k := range m.conns {
		if k.canSubscribe() {
			subs = append(subs, k)
		}
	}
	if len(subs) == 0 {
		select {
		case <-ctx.Done():
			return nil
		case <-m.done:
			return banyan.ErrClosed
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex // one handler call at a time, whichever backplane
	errs := make(chan error, len(subs))
	for _, k := range subs {
		name := k.bp.Name
		go func() {
			err := k.c.Run(ctx, func(msg *banyan.Message) {
				mu.Lock()
				defer mu.Unlock()
				h(name, msg)
			})
			if err != nil {
				err = fmt.Errorf("backplane %q: %w", name, err)
				cancel() // one connection closed: stop them all
			}
			errs <- err
		}()
	}
	var first error
	for range subs {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	select {
	case <-m.done:
		return banyan.ErrClosed
	default:
	}
	return first
}

// Backplanes returns the spec's rows, in file order.
func (m *Component) Backplanes() []Backplane {
	out := make([]Backplane, len(m.spec.Backplanes))
	for i, b := range m.spec.Backplanes {
		b.Topics = append([]string(nil), b.Topics...)
		out[i] = b
	}
	return out
}

// Conn returns the connection to the named backplane, or nil when there is
// no such row or the row has no port (Python's find_socket). Use it for
// what this package does not wrap, such as Stats or Messages; closing it
// makes Run return.
func (m *Component) Conn(backplane string) *banyan.Component {
	if k := m.byName[backplane]; k != nil {
		return k.c
	}
	return nil
}

// Stats returns each connected backplane's counters, by name.
func (m *Component) Stats() map[string]banyan.Stats {
	s := map[string]banyan.Stats{}
	for _, k := range m.conns {
		if k.c != nil {
			s[k.bp.Name] = k.c.Stats()
		}
	}
	return s
}

// Close closes every connection (each with banyan.Component.Close's
// bounded linger). Run returns banyan.ErrClosed. Closing twice returns
// banyan.ErrClosed.
func (m *Component) Close() error {
	err := banyan.ErrClosed
	m.closeOnce.Do(func() {
		close(m.done)
		var wg sync.WaitGroup
		for _, k := range m.conns {
			if k.c != nil {
				wg.Go(func() { k.c.Close() })
			}
		}
		wg.Wait()
		err = nil
	})
	return err
}
