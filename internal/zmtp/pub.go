package zmtp

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobanyan/banyan/internal/prefixset"
	"github.com/gobanyan/banyan/internal/retry"
)

// Pub is a PUB socket: it sends each message to every peer subscribed to a
// prefix of its first frame. Send never blocks: each peer has its own queue
// bounded by SendHWM, and a full queue drops for that peer only.
//
// Send is safe from any goroutine.
type Pub struct {
	s socket

	peersMu sync.Mutex                 // serialises changes to peers
	peers   atomic.Pointer[[]*pubPeer] // snapshot read lock-free by Send
	byEP    map[string]*pubPeer        // connect-side peers, kept across reconnects

	subscribed changes // fired when a peer's subscription is applied
	pongs      pongs   // Flushes waiting for their PONG
}

// pubPeer is one subscriber: an accepted connection, or a Connect endpoint
// whose queue and subscriptions survive reconnects (as libzmq's pipes do).
type pubPeer struct {
	hwm      int
	hwmBytes int64
	wake     chan struct{} // capacity 1: "the queue has something"

	mu       sync.Mutex
	q        []Msg
	qBytes   int64          // bytes queued or held by the writer, not yet written
	subs     map[string]int // prefix -> reference count
	subBytes int64          // total length of the prefixes in subs
	fresh    bool           // a new connection has not sent a subscription yet
	busy     bool           // the writer holds a batch not yet flushed
	conn     *conn
	drops    uint64
	logged   uint64 // drops count at the last log line
	refused  uint64 // subscriptions refused on this connection

	set prefixset.Set // the distinct prefixes of subs, matched lock-free
}

// NewPub returns a PUB socket. Call Bind and/or Connect, then Send.
func NewPub(opts Options) *Pub {
	p := &Pub{byEP: map[string]*pubPeer{}}
	p.s.init(kindPub, opts, p)
	empty := []*pubPeer{}
	p.peers.Store(&empty)
	return p
}

// Bind listens on endpoint ("tcp://host:port" or "host:port").
func (p *Pub) Bind(endpoint string) (net.Addr, error) { return p.s.Bind(endpoint) }

// Connect dials endpoint in the background, reconnecting until Close.
func (p *Pub) Connect(endpoint string) error { return p.s.Connect(endpoint) }

// Stats returns the socket's counters.
func (p *Pub) Stats() Stats { return p.s.stats() }

// Budget is the socket's bound on partially received messages (its own, or
// the one its Options gave), to share with another socket.
func (p *Pub) Budget() *Budget { return p.s.opts.Budget }

// Close waits up to the linger for queues to drain, then closes every
// connection. Messages still queued after the linger are dropped.
func (p *Pub) Close() error {
	return p.s.close(func() bool {
		for _, pp := range *p.peers.Load() {
			pp.mu.Lock()
			pending := (len(pp.q) > 0 || pp.busy) && pp.conn != nil
			pp.mu.Unlock()
			if pending {
				return false
			}
		}
		return true
	})
}

// Send queues m for every subscribed peer. It returns ErrClosed after Close.
func (p *Pub) Send(m Msg) error {
	if p.s.isClosed() {
		return ErrClosed
	}
	p.s.sent.Add(1)
	topic := m.Topic()
	min := 0 // a reserved topic needs a subscription at least this long
	if r := p.s.opts.Reserved; len(r) > 0 && bytes.HasPrefix(topic, r) {
		min = len(r)
	}
	for _, pp := range *p.peers.Load() {
		if pp.set.MatchAtLeast(topic, min) {
			if !pp.enqueue(m) {
				p.s.dropped.Add(1)
				pp.logDrop(p)
			}
		}
	}
	return nil
}

// SendFrames builds a message from frames and sends it.
func (p *Pub) SendFrames(frames ...[]byte) error { return p.Send(NewMsg(frames...)) }

// enqueue adds m unless the queue is at its high-water mark, in messages
// or in bytes. An empty queue always takes one message.
func (pp *pubPeer) enqueue(m Msg) bool {
	size := int64(len(m.raw))
	pp.mu.Lock()
	if pp.hwm > 0 && len(pp.q) >= pp.hwm || pp.hwmBytes > 0 && pp.qBytes > 0 && size > pp.hwmBytes-pp.qBytes {
		pp.drops++
		pp.mu.Unlock()
		return false
	}
	pp.q = append(pp.q, m)
	pp.qBytes += size
	pp.mu.Unlock()
	select {
	case pp.wake <- struct{}{}:
	default:
	}
	return true
}

// logDrop logs the first drop for a peer and then every time the count has
// grown tenfold, so a stalled peer is visible without flooding the log.
func (pp *pubPeer) logDrop(p *Pub) {
	pp.mu.Lock()
	n := pp.drops
	log := n >= 10*pp.logged || pp.logged == 0
	if log {
		pp.logged = n
	}
	remote := ""
	if pp.conn != nil {
		remote = pp.conn.remote
	}
	pp.mu.Unlock()
	if log {
		p.s.log.Warn("peer queue full, dropping messages for this peer", "remote", remote, "hwm", pp.hwm, "dropped", n)
	}
}

// subscribe applies a SUBSCRIBE (on=true) or CANCEL from the peer, in
// O(len(prefix)). A new prefix past the peer's bounds is refused.
func (pp *pubPeer) subscribe(p *Pub, prefix []byte, on bool) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.fresh {
		// First subscription on a new connection: the peer re-sends its
		// whole set, so forget what the previous connection asked for.
		clear(pp.subs)
		pp.set.Clear()
		pp.subBytes = 0
		pp.fresh = false
	}
	n, ok := pp.subs[string(prefix)]
	switch {
	case on && ok:
		pp.subs[string(prefix)] = n + 1
	case on:
		o := &p.s.opts
		if o.MaxSubscriptions > 0 && len(pp.subs) >= o.MaxSubscriptions ||
			o.MaxSubscriptionBytes > 0 && int64(len(prefix)) > o.MaxSubscriptionBytes-pp.subBytes {
			pp.refuseSubscription(p, len(prefix))
			return
		}
		k := string(prefix)
		pp.subs[k] = 1
		pp.subBytes += int64(len(k))
		pp.set.Add(k)
		p.subscribed.fire()
	case !ok:
	case n > 1:
		pp.subs[string(prefix)] = n - 1
	default:
		delete(pp.subs, string(prefix))
		pp.subBytes -= int64(len(prefix))
		pp.set.Remove(string(prefix))
	}
}

// refuseSubscription counts a subscription past the bounds; the first on a
// connection is logged at Warn, the rest at Debug. pp.mu is held.
func (pp *pubPeer) refuseSubscription(p *Pub, size int) {
	p.s.subsRefused.Add(1)
	pp.refused++
	level := slog.LevelDebug
	if pp.refused == 1 {
		level = slog.LevelWarn
	}
	remote := ""
	if pp.conn != nil {
		remote = pp.conn.remote
	}
	p.s.log.Log(context.Background(), level, "subscription refused: peer is at its subscription limit",
		"remote", remote, "subscriptions", len(pp.subs), "bytes", pp.subBytes, "prefix_len", size,
		"max_subscriptions", p.s.opts.MaxSubscriptions, "max_bytes", p.s.opts.MaxSubscriptionBytes, "refused", pp.refused)
}

func (p *Pub) addPeer(pp *pubPeer) {
	p.peersMu.Lock()
	defer p.peersMu.Unlock()
	old := *p.peers.Load()
	next := make([]*pubPeer, len(old), len(old)+1)
	copy(next, old)
	next = append(next, pp)
	p.peers.Store(&next)
}

func (p *Pub) removePeer(pp *pubPeer) {
	p.peersMu.Lock()
	defer p.peersMu.Unlock()
	old := *p.peers.Load()
	next := make([]*pubPeer, 0, len(old))
	for _, x := range old {
		if x != pp {
			next = append(next, x)
		}
	}
	p.peers.Store(&next)
}

// peerFor returns the peer record for a new connection.
func (p *Pub) peerFor(c *conn) *pubPeer {
	newPeer := func() *pubPeer {
		return &pubPeer{hwm: p.s.opts.SendHWM, hwmBytes: p.s.opts.SendHWMBytes, wake: make(chan struct{}, 1), subs: map[string]int{}}
	}
	if c.endpoint == "" {
		pp := newPeer()
		p.addPeer(pp)
		return pp
	}
	p.peersMu.Lock()
	pp := p.byEP[c.endpoint]
	p.peersMu.Unlock()
	if pp == nil {
		pp = newPeer()
		p.peersMu.Lock()
		p.byEP[c.endpoint] = pp
		p.peersMu.Unlock()
		p.addPeer(pp)
	}
	return pp
}

// serve runs one connection: a writer goroutine drains the peer's queue while
// this goroutine reads subscriptions and commands.
func (p *Pub) serve(c *conn) error {
	pp := p.peerFor(c)
	pp.mu.Lock()
	pp.conn = c
	pp.fresh = len(pp.subs) > 0
	pp.refused = 0
	pp.mu.Unlock()
	if c.unversioned {
		// A ZMTP 1.0 subscriber sends no subscriptions: as libzmq does,
		// act as if it had subscribed to everything (the first
		// subscription of the connection, so it replaces the old set).
		pp.subscribe(p, nil, true)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.writer(c, pp, stop)
	}()
	pp.wake <- struct{}{} // drain anything queued while disconnected
	err := p.readLoop(c, pp)

	close(stop)
	c.nc.Close()
	wg.Wait()
	pp.mu.Lock()
	pp.conn = nil
	pp.busy = false
	pp.mu.Unlock()
	if c.endpoint == "" {
		p.removePeer(pp)
	}
	return err
}

func (p *Pub) readLoop(c *conn, pp *pubPeer) error {
	for {
		m, name, data, err := c.next()
		switch {
		case err != nil:
			return err
		case name == "SUBSCRIBE":
			pp.subscribe(p, data, true)
		case name == "CANCEL":
			pp.subscribe(p, data, false)
		case name == "PONG":
			p.pongs.pong(data)
		case name != "": // other commands are ignored
		default:
			// ZMTP 3.0 form: a one-frame message starting with 1 or 0.
			if body := m.Frame(0); m.NumFrames() == 1 && len(body) > 0 && body[0] <= 1 {
				pp.subscribe(p, body[1:], body[0] == 1)
			}
		}
	}
}

// writer sends the peer's queued messages in batches and flushes only when
// the queue has run dry, so a burst costs few write syscalls.
func (p *Pub) writer(c *conn, pp *pubPeer, stop chan struct{}) {
	var batch []Msg
	for {
		select {
		case <-pp.wake:
		case <-stop:
			return
		}
		var written int64 // bytes of the last batch, still in qBytes
		for {
			pp.mu.Lock()
			pp.qBytes -= written
			batch, pp.q = pp.q, batch[:0]
			pp.busy = true
			pp.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			c.wmu.Lock()
			var err error
			written = 0
			for i := range batch {
				if err == nil {
					if c.fr.v1 {
						err = c.write10(batch[i])
					} else {
						_, err = c.w.Write(batch[i].raw)
					}
				}
				written += int64(len(batch[i].raw))
				batch[i] = Msg{}
			}
			c.wmu.Unlock()
			if err != nil {
				pp.mu.Lock()
				pp.qBytes -= written
				pp.mu.Unlock()
				c.nc.Close()
				return
			}
		}
		c.wmu.Lock()
		err := c.w.Flush()
		c.wmu.Unlock()
		pp.mu.Lock()
		pp.busy = len(pp.q) > 0
		pp.mu.Unlock()
		if err != nil {
			c.nc.Close()
			return
		}
	}
}

// write10 writes m re-framed for a ZMTP 1.0 peer (appendFrame10's form)
// into the write buffer, without allocating. c.wmu is held.
func (c *conn) write10(m Msg) error {
	for off := 0; ; {
		body, next, more, ok := m.frameAt(off)
		if !ok {
			return nil
		}
		var flags byte
		if more {
			flags = flagMore
		}
		if _, err := c.w.Write(appendHeader10(c.hdr[:0], flags, len(body))); err != nil {
			return err
		}
		if _, err := c.w.Write(body); err != nil {
			return err
		}
		if !more {
			return nil
		}
		off = next
	}
}

// pong answers a PING: its data is a 2-byte TTL then the context to echo.
func pong(ping []byte) []byte {
	var ctx []byte
	if len(ping) > 2 {
		ctx = ping[2:]
	}
	return appendCommand(nil, "PONG", ctx)
}

// QueueLengths reports each peer's queued message count (for tests and
// monitoring).
func (p *Pub) QueueLengths() []int {
	var out []int
	for _, pp := range *p.peers.Load() {
		pp.mu.Lock()
		out = append(out, len(pp.q))
		pp.mu.Unlock()
	}
	return out
}

// WaitSubscribed returns once some peer has subscribed to at least one
// prefix (a backplane's SUB subscribes to everything as soon as it
// connects), or when ctx ends. It wakes on each subscription applied.
func (p *Pub) WaitSubscribed(ctx context.Context) error {
	return retry.UntilChanged(ctx, p.s.done, ErrClosed, nil, p.subscribed.wait, time.Millisecond, 50*time.Millisecond, func() bool {
		for _, pp := range *p.peers.Load() {
			if pp.set.Len() > 0 {
				pp.mu.Lock()
				up := pp.conn != nil
				pp.mu.Unlock()
				if up {
					return true
				}
			}
		}
		return false
	})
}

// Flush returns once every peer connected now has received each message
// sent to it before the call, or when ctx ends. A ZMTP 3.1 peer proves it:
// Flush queues a PING behind those messages and waits for the PONG, which
// the peer sends after reading them (a connection is read in order). An
// older peer has no PING; for it Flush waits until they are written to the
// connection. A peer that is not connected is not waited for.
func (p *Pub) Flush(ctx context.Context) error {
	if p.s.isClosed() {
		return ErrClosed
	}
	var tokens []string
	var waits []chan struct{}
	var older []*pubPeer
	for _, pp := range *p.peers.Load() {
		pp.mu.Lock()
		c := pp.conn
		pp.mu.Unlock()
		switch {
		case c == nil:
		case c.version < Version31:
			older = append(older, pp)
		default:
			token, ch := p.pongs.add("flush")
			tokens, waits = append(tokens, token), append(waits, ch)
			pp.enqueueControl(Msg{raw: ping(token)})
		}
	}
	defer p.pongs.remove(tokens...)
	for _, ch := range waits {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-p.s.done:
			return ErrClosed
		}
	}
	return retry.Until(ctx, p.s.done, ErrClosed, nil, time.Millisecond, 20*time.Millisecond, func() bool {
		for _, pp := range older {
			pp.mu.Lock()
			drained := len(pp.q) == 0 && !pp.busy || pp.conn == nil
			pp.mu.Unlock()
			if !drained {
				return false
			}
		}
		return true
	})
}

// enqueueControl queues m (a command: it is not counted as a message)
// whatever the high-water mark, so a Flush is never dropped.
func (pp *pubPeer) enqueueControl(m Msg) {
	pp.mu.Lock()
	pp.q = append(pp.q, m)
	pp.qBytes += int64(len(m.raw))
	pp.mu.Unlock()
	select {
	case pp.wake <- struct{}{}:
	default:
	}
}
