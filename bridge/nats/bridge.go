package nats

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/loopguard"
	"github.com/gobanyan/banyan/internal/msgjson"
	"github.com/gobanyan/banyan/internal/service"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Bridge forwards messages between a Banyan backplane and NATS. Its
// methods are safe from any goroutine.
type Bridge struct {
	o    Options
	log  *slog.Logger
	comp *banyan.Component
	nc   *natsgo.Conn
	subs []*natsgo.Subscription // core NATS imports, all into in
	in   chan *natsgo.Msg       // read by one goroutine: imports keep the wire order
	quit chan struct{}          // ends that goroutine (Close)
	done chan struct{}          // it has ended

	js       jetstream.JetStream      // nil without Options.JetStream
	consumer jetstream.ConsumeContext // the durable import
	exp      *exporter                // acknowledged exports

	// imported remembers what we published on Banyan from NATS: our own
	// Banyan subscription brings it back, and it must not be exported.
	imported *loopguard.Guard
	closed   chan struct{} // the NATS connection is closed
	life     service.Lifecycle

	// Exports, touched only by Run's goroutine: the subject and headers of
	// each topic (at most maxRoutes topics are kept), and the message and
	// JSON buffer reused for every core publish (PublishMsg keeps neither).
	routes  map[string]route
	msg     natsgo.Msg
	jsonBuf []byte

	exportLog, importLog, dropLog service.FirstWarn

	nExported, nImported, exportErrors, importErrors atomic.Uint64
	dropped, ownSkipped, echoes                      atomic.Uint64
	disconnects, reconnects                          atomic.Uint64
}

// route is how one topic is exported to core NATS.
type route struct {
	subject string
	header  natsgo.Header
}

const maxRoutes = 4096

// Stats are a bridge's counters.
type Stats struct {
	Exported     uint64 // Banyan messages published to NATS (with JetStream: acknowledged by the stream)
	Imported     uint64 // NATS messages published to Banyan
	ExportErrors uint64 // Banyan messages skipped: topic or payload could not be converted
	ImportErrors uint64 // NATS messages skipped: subject, header or payload could not be converted, or refused by the component
	Dropped      uint64 // Banyan messages not exported: the reconnect buffer or the JetStream pending limit was full, or the publish failed
	SlowDropped  uint64 // NATS messages nats.go dropped because the bridge fell behind (slow consumer)
	OwnSkipped   uint64 // NATS messages carrying this bridge's id, not imported (loop guard)
	Echoes       uint64 // imported messages that came back on the bridge's Banyan subscription, not exported again (loop guard)
	Disconnects  uint64 // NATS connections lost
	Reconnects   uint64 // NATS connections re-established
	Connected    bool   // the NATS connection is up now
	// JetStream only:
	Pending uint64 // exports waiting for the stream's acknowledgement
	Resent  uint64 // exports published again after a failed or unanswered publish
	// Backplane is the Banyan component's own counters.
	Backplane banyan.Stats
}

// jsonOptions are the settings of the one msgpack<->JSON converter for
// NATS: compact text, bytes as {"$bin": ...} so that they come back as
// bytes, NaN and the infinities as null, nesting as the Banyan codec.
func jsonOptions() msgjson.Options {
	return msgjson.Options{MaxDepth: banyan.MaxNesting, MaxSize: math.MaxInt, Bin: msgjson.BinObject}
}

// New connects to the backplane and to NATS, and returns when both are
// ready: the bridge's Banyan subscriptions are in place and the NATS
// server has its subscriptions (or, with JetStream, the stream and the
// durable consumer exist). From then on NATS messages are imported to
// Banyan; Run exports Banyan messages to NATS.
//
// New retries the servers for Options.ConnectTimeout (ctx bounds the wait
// too), then fails with an error wrapping ErrServer; refused credentials
// and a certificate that does not verify fail at once. A backplane that
// does not answer gives banyan.ErrBackplaneNotRunning. After New, a lost
// connection is re-established for ever.
func New(ctx context.Context, opts Options) (*Bridge, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	b := &Bridge{
		o:        o,
		log:      o.Logger.With("component", "nats-bridge", "bridge_id", o.BridgeID),
		imported: loopguard.New(0, 0, nil),
		closed:   make(chan struct{}),
		routes:   map[string]route{},
	}
	bopts := append([]banyan.Option{banyan.WithName("NATS Gateway"), banyan.WithLogger(o.Logger)}, o.Backplane...)
	if len(o.Topics) > 0 {
		bopts = append(bopts, banyan.WithSubscriptions(o.Topics...))
	}
	if b.comp, err = banyan.Connect(ctx, bopts...); err != nil {
		return nil, err
	}
	if err := b.connect(ctx); err != nil {
		b.comp.Close()
		return nil, err
	}
	fail := func(err error) (*Bridge, error) {
		b.nc.Close()
		if b.quit != nil {
			close(b.quit)
			<-b.done
		}
		b.comp.Close()
		return nil, err
	}
	if o.JetStream != "" {
		if err := b.startJetStream(ctx); err != nil {
			return fail(err)
		}
	} else {
		// One channel for every subject, read by one goroutine: nats.go
		// fills it in wire order, so messages keep the order NATS sent them
		// in, across subjects too.
		b.in, b.quit, b.done = make(chan *natsgo.Msg, importQueue), make(chan struct{}), make(chan struct{})
		go b.importLoop()
		for _, s := range o.Subjects {
			sub, err := b.nc.ChanSubscribe(s, b.in)
			if err != nil {
				return fail(fmt.Errorf("%w: subscribe %q: %w", ErrServer, s, err))
			}
			b.subs = append(b.subs, sub)
		}
		if err := b.nc.FlushTimeout(o.ConnectTimeout); err != nil {
			return fail(fmt.Errorf("%w: subscriptions not confirmed: %w", ErrServer, err))
		}
		if err := b.nc.LastError(); err != nil {
			return fail(fmt.Errorf("%w: %w", ErrServer, err))
		}
	}
	return b, nil
}

// connect dials NATS, retrying until Options.ConnectTimeout.
func (b *Bridge) connect(ctx context.Context) error {
	o := b.o
	nopts := []natsgo.Option{
		natsgo.Name("banyan-bridge-" + o.BridgeID),
		natsgo.MaxReconnects(-1),
		natsgo.ReconnectWait(500 * time.Millisecond),
		natsgo.ReconnectBufSize(o.ReconnectBuffer),
		natsgo.Timeout(min(o.ConnectTimeout, 5*time.Second)),
		natsgo.DrainTimeout(o.DrainTimeout),
		natsgo.DisconnectErrHandler(func(_ *natsgo.Conn, err error) {
			b.disconnects.Add(1)
			b.log.Warn("lost the NATS connection; reconnecting", "err", err)
		}),
		natsgo.ReconnectHandler(func(c *natsgo.Conn) {
			n := b.reconnects.Add(1)
			b.log.Info("reconnected to NATS", "server", c.ConnectedUrlRedacted(), "reconnects", n)
		}),
		natsgo.ClosedHandler(func(*natsgo.Conn) { close(b.closed) }),
		natsgo.ErrorHandler(func(_ *natsgo.Conn, _ *natsgo.Subscription, err error) {
			b.log.Log(context.Background(), b.dropLog.Level(), "NATS error", "err", err)
		}),
	}
	if o.TLS != nil {
		nopts = append(nopts, natsgo.Secure(o.TLS))
	}
	if o.User != "" {
		nopts = append(nopts, natsgo.UserInfo(o.User, o.Password))
	}
	if o.Token != "" {
		nopts = append(nopts, natsgo.Token(o.Token))
	}
	if o.NKeyFile != "" {
		opt, err := natsgo.NkeyOptionFromSeed(o.NKeyFile)
		if err != nil {
			return fmt.Errorf("%w: NKey seed file: %w", ErrOptions, err)
		}
		nopts = append(nopts, opt)
	}
	if o.CredsFile != "" {
		nopts = append(nopts, natsgo.UserCredentials(o.CredsFile))
	}
	url := strings.Join(o.Servers, ",")
	deadline := time.Now().Add(o.ConnectTimeout)
	for {
		nc, err := natsgo.Connect(url, nopts...)
		if err == nil {
			b.nc = nc
			b.log.Info("connected to NATS", "server", nc.ConnectedUrlRedacted())
			return nil
		}
		if permanent(err) {
			return fmt.Errorf("%w %s: %w", ErrServer, url, err)
		}
		b.log.Debug("NATS connection attempt failed", "servers", url, "err", err)
		if time.Now().After(deadline) {
			return fmt.Errorf("%w %s: not connected within %v: %w", ErrServer, url, o.ConnectTimeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// permanent reports whether a connection failure will recur on every
// attempt: refused credentials, or a certificate that does not verify.
func permanent(err error) bool {
	return errors.Is(err, natsgo.ErrAuthorization) || errors.Is(err, natsgo.ErrAuthExpired) ||
		errors.Is(err, natsgo.ErrAuthRevoked) || errors.Is(err, natsgo.ErrAccountAuthExpired) ||
		service.BadCertificate(err)
}

// Run exports Banyan messages to NATS until ctx ends; then it drains and
// closes both connections and returns nil. Close also ends it, and then it
// returns banyan.ErrClosed. Run may be called once (ErrRunning).
func (b *Bridge) Run(ctx context.Context) error {
	if err := b.life.Start(); err != nil {
		return err
	}
	return b.life.End(b.Close, b.comp.Run(ctx, b.handleBanyan))
}

// handleBanyan exports one Banyan message.
func (b *Bridge) handleBanyan(m *banyan.Message) {
	if !b.o.noLoopGuard && b.imported.IsEcho(m.Topic, m.Payload) {
		b.echoes.Add(1)
		return
	}
	r, err := b.route(m.Topic)
	if err != nil {
		b.failed(&b.exportErrors, &b.exportLog, "to NATS", m.Topic, err)
		return
	}
	if b.exp != nil {
		// Kept until acknowledged: the message's own payload and headers
		// (the exporter adds its Nats-Msg-Id).
		data, err := b.encode(nil, m.Payload)
		if err != nil {
			b.failed(&b.exportErrors, &b.exportLog, "to NATS", m.Topic, err)
			return
		}
		if !b.exp.add(&natsgo.Msg{Subject: r.subject, Data: data, Header: maps.Clone(r.header)}) {
			b.drop(m.Topic, "JetStream pending limit reached")
		}
		return
	}
	// PublishMsg keeps neither the message nor its payload: both are reused.
	data := m.Payload
	if b.o.Encoding == JSON {
		if b.jsonBuf, err = b.encode(b.jsonBuf[:0], m.Payload); err != nil {
			b.failed(&b.exportErrors, &b.exportLog, "to NATS", m.Topic, err)
			return
		}
		data = b.jsonBuf
		if cap(b.jsonBuf) > 1<<20 {
			b.jsonBuf = nil // do not keep a large message's buffer
		}
	}
	b.msg = natsgo.Msg{Subject: r.subject, Header: r.header, Data: data}
	if err := b.nc.PublishMsg(&b.msg); err != nil {
		b.drop(m.Topic, err.Error())
		return
	}
	b.nExported.Add(1)
}

// route is how topic is exported: its subject and headers, cached for up
// to maxRoutes topics (the cache is touched only by Run's goroutine).
func (b *Bridge) route(topic string) (route, error) {
	if r, ok := b.routes[topic]; ok {
		return r, nil
	}
	subject, err := Subject(b.o.SubjectPrefix, topic)
	if err != nil {
		return route{}, err
	}
	r := route{subject, b.headers(topic)}
	if len(b.routes) < maxRoutes {
		b.routes[topic] = r
	}
	return r, nil
}

// encode appends a Banyan payload to dst in the bridge's encoding (with
// MsgPack, a copy).
func (b *Bridge) encode(dst, payload []byte) ([]byte, error) {
	if b.o.Encoding != JSON {
		return append(dst, payload...), nil
	}
	out, err := msgjson.AppendJSON(dst, payload, jsonOptions())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConversion, err)
	}
	return out, nil
}

// headers are the headers of an exported message on topic.
func (b *Bridge) headers(topic string) natsgo.Header {
	return natsgo.Header{
		HeaderTopic:    {headerTopic(topic)},
		HeaderBridge:   {b.o.BridgeID},
		HeaderEncoding: {string(b.o.Encoding)},
	}
}

// importQueue is how many core NATS messages may wait for the import
// goroutine; beyond that nats.go drops them (Stats.SlowDropped).
const importQueue = 65536

// importLoop imports the core NATS messages, in order, until Close; then
// it imports what is still queued (what the drain delivered) and ends.
func (b *Bridge) importLoop() {
	defer close(b.done)
	for {
		select {
		case m := <-b.in:
			b.importMsg(m.Subject, m.Header, m.Data)
		case <-b.quit:
			for {
				select {
				case m := <-b.in:
					b.importMsg(m.Subject, m.Header, m.Data)
				default:
					return
				}
			}
		}
	}
}

// importMsg publishes one NATS message on Banyan, unless it is our own
// (or cannot be converted: then it is counted and skipped).
func (b *Bridge) importMsg(subject string, h natsgo.Header, data []byte) {
	// A bad message must cost that message, not the process.
	defer func() {
		if r := recover(); r != nil {
			b.failed(&b.importErrors, &b.importLog, "from NATS", subject, fmt.Errorf("import panicked: %v", r))
		}
	}()
	if !b.o.noLoopGuard && h.Get(HeaderBridge) == b.o.BridgeID {
		b.ownSkipped.Add(1)
		return
	}
	topic, err := b.topicOf(subject, h)
	if err != nil {
		b.failed(&b.importErrors, &b.importLog, "from NATS", subject, err)
		return
	}
	payload, err := b.fromNATS(h, data)
	if err != nil {
		b.failed(&b.importErrors, &b.importLog, "from NATS", subject, err)
		return
	}
	guard := !b.o.noLoopGuard && b.exports(topic)
	if guard {
		b.imported.Expect(topic, payload)
	}
	if err := b.comp.PublishRaw(topic, payload); err != nil {
		if guard {
			b.imported.IsEcho(topic, payload) // it will not come back
		}
		b.failed(&b.importErrors, &b.importLog, "from NATS", subject, err)
		return
	}
	b.nImported.Add(1)
}

// topicOf is the Banyan topic of a NATS message: its Banyan-Topic header,
// else its subject mapped back.
func (b *Bridge) topicOf(subject string, h natsgo.Header) (string, error) {
	var topic string
	if v := h.Get(HeaderTopic); v != "" {
		t, ok := topicFromHeader(v)
		if !ok {
			return "", fmt.Errorf("%w: header %s %.64q", ErrSubject, HeaderTopic, v)
		}
		topic = t
	} else {
		t, err := Topic(b.o.SubjectPrefix, subject)
		if err != nil {
			return "", err
		}
		topic = t
	}
	if strings.HasPrefix(topic, banyan.ReservedPrefix) {
		return "", fmt.Errorf("%w: topic %q is reserved", ErrSubject, topic)
	}
	return topic, nil
}

// fromNATS converts a NATS payload to msgpack, in the encoding its header
// names, else the bridge's.
func (b *Bridge) fromNATS(h natsgo.Header, data []byte) ([]byte, error) {
	enc := b.o.Encoding
	if v := h.Get(HeaderEncoding); v != "" {
		enc = Encoding(v)
	}
	switch enc {
	case MsgPack:
		if err := banyan.Validate(data); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConversion, err)
		}
		return data, nil // nats.go gives every message its own bytes
	case JSON:
		out, err := msgjson.AppendMsgpack(make([]byte, 0, len(data)+8), data, jsonOptions())
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConversion, err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: encoding %.32q", ErrConversion, enc)
}

// exports reports whether a topic is under one of the exported prefixes
// (so that publishing it on Banyan brings it back to the bridge).
func (b *Bridge) exports(topic string) bool {
	for _, p := range b.o.Topics {
		if strings.HasPrefix(topic, p) {
			return true
		}
	}
	return false
}

// failed counts and logs a message that could not be forwarded: the
// first of each direction at Warn, the rest at Debug.
func (b *Bridge) failed(counter *atomic.Uint64, lvl *service.FirstWarn, dir, where string, err error) {
	n := counter.Add(1)
	b.log.Log(context.Background(), lvl.Level(), "message not forwarded "+dir, "at", where, "err", err, "errors_total", n)
}

func (b *Bridge) drop(topic, why string) {
	n := b.dropped.Add(1)
	if n == 1 || n%1000 == 0 {
		b.log.Warn("message to NATS dropped", "topic", topic, "why", why, "dropped_total", n)
	}
}

// Stats returns the counters.
func (b *Bridge) Stats() Stats {
	s := Stats{
		Exported:     b.nExported.Load(),
		Imported:     b.nImported.Load(),
		ExportErrors: b.exportErrors.Load(),
		ImportErrors: b.importErrors.Load(),
		Dropped:      b.dropped.Load(),
		OwnSkipped:   b.ownSkipped.Load(),
		Echoes:       b.echoes.Load(),
		Disconnects:  b.disconnects.Load(),
		Reconnects:   b.reconnects.Load(),
		Connected:    b.nc.IsConnected(),
		Backplane:    b.comp.Stats(),
	}
	for _, sub := range b.subs {
		if n, err := sub.Dropped(); err == nil {
			s.SlowDropped += uint64(n)
		}
	}
	if b.exp != nil {
		s.Pending, s.Resent = b.exp.stats()
	}
	return s
}

// ID is the bridge's id, carried in HeaderBridge.
func (b *Bridge) ID() string { return b.o.BridgeID }

// Options returns the options in effect, defaults filled in.
func (b *Bridge) Options() Options { return b.o }

// String describes the bridge's routes, for a start-up line.
func (b *Bridge) String() string {
	mode := "core NATS"
	if b.o.JetStream != "" {
		mode = "JetStream stream " + b.o.JetStream + ", durable " + b.o.Durable
	}
	return fmt.Sprintf("Banyan %q -> NATS %s<topic>; NATS %q -> Banyan; %s, %s, bridge id %s, servers %s",
		b.o.Topics, b.o.SubjectPrefix, b.o.Subjects, mode, b.o.Encoding, b.o.BridgeID, strings.Join(b.o.Servers, ","))
}

// Close stops exporting, sends what is pending (JetStream exports waiting
// for their acknowledgement, up to DrainTimeout), drains the NATS
// connection (in-flight imports reach Banyan) and disconnects from the
// backplane, which also ends Run. A bridge that never ran must be closed;
// after Run it is not needed. It is safe to call more than once, from any
// goroutine.
func (b *Bridge) Close() error {
	return b.life.Close(func() error {
		deadline := time.Now().Add(b.o.DrainTimeout)
		if b.exp != nil {
			b.exp.stop(deadline)
		}
		if b.consumer != nil {
			b.consumer.Drain()
		}
		if err := b.nc.Drain(); err != nil {
			b.nc.Close()
		}
		select {
		case <-b.closed:
		case <-time.After(time.Until(deadline) + time.Second):
			b.nc.Close()
			<-b.closed
		}
		if b.in != nil {
			close(b.quit) // after importing what the drain delivered
			<-b.done
		}
		return b.comp.Close()
	})
}
