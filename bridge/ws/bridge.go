package ws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/service"
)

// subscribeTimeout bounds the wait for the backplane to forward a new
// browser's reply topic.
const subscribeTimeout = 10 * time.Second

// Bridge joins a Banyan backplane and browsers on WebSockets. Create it
// with New and run it with Run.
type Bridge struct {
	o      Options
	log    *slog.Logger
	comp   *banyan.Component
	ln     net.Listener
	static http.Handler

	// ctx is the browsers' connections' lifetime: cancelled, they close
	// with status 1001 (going away).
	ctx    context.Context
	cancel context.CancelFunc

	connMu   sync.Mutex // guards stopping and adding to conns
	stopping bool
	conns    sync.WaitGroup // connection handlers

	subMu sync.Mutex     // orders subscribing and unsubscribing
	refs  map[string]int // subscribed topics: browsers, plus one for each Options.Subscribe entry

	mu     sync.Mutex // guards routes
	routes map[string]map[*browser]struct{}

	budget *budget // Options.MaxDecodeBytes

	connects, disconnects, refused, forbidden, toBanyan, badJSON atomic.Uint64
	fromBanyan, unrouted, badPayload, toBrowsers, dropped        atomic.Uint64
	badUTF8, busy                                                atomic.Uint64
	busyLog, badUTF8Log                                          service.FirstWarn
	refusedOrigins                                               refusedOrigins // logged once each at Warn

	life service.Lifecycle
}

// browser is one WebSocket that has sent its id.
type browser struct {
	conn  *websocket.Conn
	id    string         // the topic it publishes on
	reply string         // the topic it receives
	q     *service.Queue // frames for the browser
	log   *slog.Logger
}

// New checks the options, starts listening and connects to the backplane
// (subscribed to Options.Subscribe and ready when it returns). Browsers
// can connect once Run runs.
func New(ctx context.Context, o Options) (*Bridge, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	g := &Bridge{
		o:      o,
		log:    o.Logger.With("bridge", "ws"),
		refs:   map[string]int{},
		routes: map[string]map[*browser]struct{}{},
		budget: newBudget(o.MaxDecodeBytes),
	}
	if o.Static != "" {
		g.static = http.FileServer(http.Dir(o.Static))
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("ws: listen on %s: %w", o.Listen, err)
	}
	opts := append([]banyan.Option{banyan.WithLogger(o.Logger)}, o.Backplane...)
	if len(o.Subscribe) > 0 {
		opts = append(opts, banyan.WithSubscriptions(o.Subscribe...))
	}
	comp, err := banyan.Connect(ctx, opts...)
	if err != nil {
		ln.Close()
		return nil, err
	}
	for _, t := range o.Subscribe {
		g.refs[t]++
	}
	g.ln, g.comp = ln, comp
	g.ctx, g.cancel = context.WithCancel(context.Background())
	return g, nil
}

// Addr is the address the bridge listens on (useful with port 0).
func (g *Bridge) Addr() net.Addr { return g.ln.Addr() }

// Stats returns the counters.
func (g *Bridge) Stats() Stats {
	g.mu.Lock()
	n := 0
	for _, set := range g.routes {
		n += len(set)
	}
	g.mu.Unlock()
	return Stats{
		Browsers:         n,
		Connects:         g.connects.Load(),
		Disconnects:      g.disconnects.Load(),
		Refused:          g.refused.Load(),
		Forbidden:        g.forbidden.Load(),
		ForbiddenOrigins: g.refusedOrigins.count(),
		ToBanyan:         g.toBanyan.Load(),
		BadJSON:          g.badJSON.Load(),
		BadUTF8:          g.badUTF8.Load(),
		Busy:             g.busy.Load(),
		Decoding:         g.budget.inUse(),
		FromBanyan:       g.fromBanyan.Load(),
		Unrouted:         g.unrouted.Load(),
		BadPayload:       g.badPayload.Load(),
		ToBrowsers:       g.toBrowsers.Load(),
		Dropped:          g.dropped.Load(),
		Backplane:        g.comp.Stats(),
	}
}

// Topics returns the Banyan topics the bridge is subscribed to, each with
// the number of browsers waiting for its messages: the reply topics of the
// connected browsers and Options.Subscribe (with 0 when no browser waits).
// A reply topic is subscribed when its first browser has sent its id and
// unsubscribed when its last browser leaves.
func (g *Bridge) Topics() map[string]int {
	g.subMu.Lock()
	defer g.subMu.Unlock()
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]int, len(g.refs))
	for t := range g.refs {
		out[t] = len(g.routes[t])
	}
	return out
}

// Run serves browsers and forwards messages both ways until ctx ends; then
// it closes the browsers' connections (status 1001, going away) and the
// backplane component, and returns nil. Close also ends it, and then it
// returns banyan.ErrClosed. Run may be called once.
func (g *Bridge) Run(ctx context.Context) error {
	if err := g.life.Start(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := &http.Server{
		Handler:           http.HandlerFunc(g.serveHTTP),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(g.log.Handler(), slog.LevelDebug),
	}
	var wg sync.WaitGroup
	var compErr, srvErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer cancel()
		compErr = g.comp.Run(ctx, g.fromBanyanMsg)
	}()
	go func() {
		defer wg.Done()
		defer cancel()
		srvErr = srv.Serve(g.ln)
	}()
	g.log.Info("serving WebSockets", "addr", g.ln.Addr().String(), "static", g.o.Static)
	<-ctx.Done()
	srv.Close()
	g.stopBrowsers()
	wg.Wait()
	if err := g.life.End(g.Close, compErr); errors.Is(err, banyan.ErrClosed) {
		return err
	}
	if srvErr != nil && !errors.Is(srvErr, http.ErrServerClosed) {
		return fmt.Errorf("ws: serve: %w", srvErr)
	}
	return nil
}

// Close stops listening, closes the browsers' connections and disconnects
// from the backplane, which also ends Run. A bridge that never ran must be
// closed; after Run it is not needed. It is safe to call more than once,
// from any goroutine.
func (g *Bridge) Close() error {
	g.life.Close(func() error {
		g.cancel()
		g.ln.Close()
		return g.comp.Close()
	})
	return nil
}

// stopBrowsers closes every browser connection and waits for their
// handlers.
func (g *Bridge) stopBrowsers() {
	g.connMu.Lock()
	g.stopping = true
	g.connMu.Unlock()
	g.cancel()
	g.conns.Wait()
}

// serveHTTP upgrades WebSocket requests and serves the static directory.
func (g *Bridge) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !isUpgrade(r) {
		if g.static != nil {
			g.static.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Upgrade", "websocket")
		http.Error(w, "Banyan WebSocket bridge: connect with a WebSocket", http.StatusUpgradeRequired)
		return
	}
	if err := g.checkOrigin(r); err != nil {
		g.logRefusal(r, err, g.forbidden.Add(1))
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	g.connMu.Lock()
	if g.stopping {
		g.connMu.Unlock()
		http.Error(w, "bridge shutting down", http.StatusServiceUnavailable)
		return
	}
	g.conns.Add(1)
	g.connMu.Unlock()
	defer g.conns.Done()

	// The origin is checked above, with rules websocket.Accept lacks
	// (the "null" origin, loopback names).
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		g.log.Debug("WebSocket handshake failed", "remote", r.RemoteAddr, "error", err)
		return
	}
	g.connects.Add(1)
	defer g.disconnects.Add(1)
	defer conn.CloseNow()
	closed := make(chan struct{})
	stop := context.AfterFunc(g.ctx, func() {
		defer close(closed)
		conn.Close(websocket.StatusGoingAway, "bridge shutting down")
	})
	defer func() {
		if !stop() {
			<-closed // shutting down: let the close handshake finish
		}
	}()
	g.handle(&msgReader{conn: conn, budget: g.budget, wait: g.o.DecodeWait, life: g.ctx}, g.log.With("remote", r.RemoteAddr))
}

// handle runs one connection: the id handshake, then this goroutine
// reads while another writes.
func (g *Bridge) handle(r *msgReader, log *slog.Logger) {
	conn := r.conn
	id, err := g.readID(r)
	if err != nil {
		if g.ctx.Err() != nil {
			return
		}
		n := g.refused.Add(1)
		if g.closeBad(conn, log, err) {
			return
		}
		log.Warn("browser refused", "error", err, "refused_total", n)
		if errors.Is(err, ErrNoID) || errors.Is(err, ErrBadID) {
			refuse(conn, websocket.StatusPolicyViolation, err)
		}
		return
	}
	reply, _ := ReplyTopic(id) // readID checked it
	b := &browser{conn: conn, id: id, reply: reply, q: service.NewQueue(g.o.Queue), log: log.With("id", id)}
	if err := g.register(b); err != nil {
		if g.ctx.Err() != nil {
			return
		}
		n := g.refused.Add(1)
		log.Warn("browser refused", "error", err, "refused_total", n)
		refuse(conn, websocket.StatusInternalError, err)
		return
	}
	b.log.Info("browser connected", "reply_topic", reply)
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		g.write(b)
	}()

	err = g.read(b, r)

	g.unregister(b)
	b.q.Stop()
	<-writerDone
	switch status := websocket.CloseStatus(err); {
	case g.ctx.Err() != nil:
		b.log.Info("browser connection closed")
	case g.closeBad(conn, b.log, err):
	case status == websocket.StatusNormalClosure || status == websocket.StatusGoingAway || status == websocket.StatusNoStatusRcvd:
		b.log.Info("browser disconnected", "status", status)
	default:
		b.log.Info("browser connection lost", "error", err)
	}
}

// readID reads the first message, at most maxIDMessage bytes, and returns
// its id, a topic starting with "to_". Then it sets the read limit to
// Options.MaxMessage.
func (g *Bridge) readID(r *msgReader) (string, error) {
	ctx, cancel := context.WithTimeout(g.ctx, g.o.IDTimeout)
	defer cancel()
	r.setLimit(min(g.o.MaxMessage, maxIDMessage))
	_, data, err := r.next(ctx)
	switch {
	case errors.Is(err, errBusy) || errors.Is(err, errNotUTF8):
		return "", err
	case errors.Is(err, context.DeadlineExceeded):
		return "", fmt.Errorf("no first message within %v: %w", g.o.IDTimeout, err)
	case err != nil:
		return "", fmt.Errorf("gone before sending its id: %w", err)
	}
	defer r.done()
	r.setLimit(g.o.MaxMessage)
	// At most maxIDMessage bytes: small enough to decode into values.
	var first map[string]json.RawMessage
	if err := json.Unmarshal(data, &first); err != nil {
		return "", fmt.Errorf("%w; got %.40q: %w", ErrNoID, data, err)
	}
	raw, ok := first["id"]
	if !ok || string(raw) == "null" {
		return "", fmt.Errorf("%w; got %.40q", ErrNoID, data)
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil {
		return "", fmt.Errorf("%w: the id %.40s is not a string", ErrBadID, raw)
	}
	if _, err := ReplyTopic(id); err != nil {
		return "", err
	}
	return id, nil
}

// closeBad closes a connection whose message was refused for the decode
// budget (status 1013) or for not being UTF-8 (status 1007), counting and
// logging it (the first at warning level, the rest at debug), and reports
// whether err was one of those.
func (g *Bridge) closeBad(conn *websocket.Conn, log *slog.Logger, err error) bool {
	var n uint64
	var level slog.Level
	var status websocket.StatusCode
	var msg, reason string
	var attrs []any
	switch {
	case errors.Is(err, errBusy):
		n, level, status = g.busy.Add(1), g.busyLog.Level(), websocket.StatusTryAgainLater
		msg, reason = "no room for the message in the decode budget; connection closed", "bridge busy, try again later"
		attrs = []any{"max_decode_bytes", g.o.MaxDecodeBytes, "decode_wait", g.o.DecodeWait, "busy_total", n}
	case errors.Is(err, errNotUTF8):
		n, level, status = g.badUTF8.Add(1), g.badUTF8Log.Level(), websocket.StatusInvalidFramePayloadData
		msg, reason = "text message not UTF-8; connection closed", "text message is not valid UTF-8"
		attrs = []any{"bad_utf8_total", n}
	default:
		return false
	}
	log.Log(context.Background(), level, msg, append(attrs, "status", int(status))...)
	conn.Close(status, reason)
	return true
}

// refuse sends a browser {"error": "<why>"} and closes the connection.
func refuse(conn *websocket.Conn, status websocket.StatusCode, why error) {
	frame, _ := json.Marshal(map[string]string{"error": why.Error()})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if conn.Write(ctx, websocket.MessageText, frame) != nil {
		return
	}
	reason := why.Error()
	if len(reason) > 120 { // a close reason is at most 123 bytes
		reason = reason[:120]
	}
	conn.Close(status, reason)
}

// register subscribes to b's reply topic if no browser did yet (and waits
// until the backplane forwards it), then routes its messages to b.
func (g *Bridge) register(b *browser) error {
	g.subMu.Lock()
	defer g.subMu.Unlock()
	if g.refs[b.reply] == 0 {
		ctx, cancel := context.WithTimeout(g.ctx, subscribeTimeout)
		defer cancel()
		if err := g.comp.SubscribeSync(ctx, b.reply); err != nil {
			g.comp.Unsubscribe(b.reply)
			return fmt.Errorf("ws: subscribe to %q: %w", b.reply, err)
		}
	}
	g.refs[b.reply]++
	g.mu.Lock()
	set := g.routes[b.reply]
	if set == nil {
		set = map[*browser]struct{}{}
		g.routes[b.reply] = set
	}
	set[b] = struct{}{}
	g.mu.Unlock()
	return nil
}

// unregister stops routing to b, and unsubscribes from its reply topic if
// b was the last browser for it.
func (g *Bridge) unregister(b *browser) {
	g.subMu.Lock()
	defer g.subMu.Unlock()
	g.mu.Lock()
	set := g.routes[b.reply]
	delete(set, b)
	if len(set) == 0 {
		delete(g.routes, b.reply)
	}
	g.mu.Unlock()
	g.refs[b.reply]--
	if g.refs[b.reply] <= 0 {
		delete(g.refs, b.reply)
		g.comp.Unsubscribe(b.reply)
		b.log.Debug("unsubscribed: last browser gone", "topic", b.reply)
	}
}

// read publishes the browser's messages until the connection ends.
func (g *Bridge) read(b *browser, r *msgReader) error {
	var bad service.FirstWarn // per connection
	for {
		_, data, err := r.next(context.Background())
		if err != nil {
			return err
		}
		payload, err := appendMsgpack(r.output(data), data)
		if err != nil {
			n := g.badJSON.Add(1)
			b.log.Log(context.Background(), bad.Level(), "browser message skipped", "error", err, "text", fmt.Sprintf("%.60q", data), "bad_json_total", n)
			r.done()
			continue
		}
		err = g.comp.PublishRaw(b.id, payload)
		r.done()
		if err != nil {
			return err
		}
		g.toBanyan.Add(1)
	}
}

// write sends the browser its queued frames. A failed or timed-out write
// closes the connection, which ends the reader too.
func (g *Bridge) write(b *browser) {
	err := b.q.Run(func(f []byte) error {
		ctx, cancel := context.WithTimeout(context.Background(), g.o.WriteTimeout)
		defer cancel()
		if err := b.conn.Write(ctx, websocket.MessageText, f); err != nil {
			return err
		}
		g.toBrowsers.Add(1)
		return nil
	})
	if err != nil {
		if g.ctx.Err() == nil {
			b.log.Warn("write to browser failed; closing", "error", err)
		}
		b.conn.CloseNow()
	}
}

// fromBanyanMsg converts one Banyan message to JSON and queues it for
// every browser waiting for its topic (exactly that topic, as Python's
// ws_gateway routes).
func (g *Bridge) fromBanyanMsg(m *banyan.Message) {
	g.fromBanyan.Add(1)
	g.mu.Lock()
	n := len(g.routes[m.Topic])
	g.mu.Unlock()
	if n == 0 {
		g.unrouted.Add(1)
		g.log.Debug("no browser for the topic; message dropped", "topic", m.Topic)
		return
	}
	var loc *time.Location
	if !g.o.KeepTimestamps {
		loc = g.o.Location
	}
	frame, err := ToJSON(m.Payload, loc)
	if err != nil {
		n := g.badPayload.Add(1)
		g.log.Warn("message for browsers skipped", "topic", m.Topic, "error", err, "bad_payload_total", n)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for b := range g.routes[m.Topic] {
		if ok, drops := b.q.Offer(frame); !ok {
			n := g.dropped.Add(1)
			if drops == 1 || drops%1000 == 0 {
				b.log.Warn("browser queue full; message dropped", "topic", m.Topic, "browser_drops", drops, "dropped_total", n)
			}
		}
	}
}
