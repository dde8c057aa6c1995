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
// A message for a peer whose connection is idle (nothing queued, nobody
// writing) is written at once by the goroutine that sends it, with one
// non-blocking write: no other goroutine is woken. What the socket buffer
// does not take at once is queued, ahead of anything queued meanwhile, for a
// writer goroutine, which exists only while a peer has a backlog: it writes
// the whole queue in batches and flushes when the queue has run dry. Send
// takes the direct path only after a pause in that peer's traffic
// (directGap); in a stream, messages are queued and batched, as they were
// before the direct path existed.
//
// Send is safe from any goroutine.
type Pub struct {
	s socket

	peersMu sync.Mutex                 // serialises changes to peers
	peers   atomic.Pointer[[]*pubPeer] // snapshot read lock-free by Send
	byEP    map[string]*pubPeer        // connect-side peers, kept across reconnects

	subscribed changes   // fired when a peer's subscription is applied
	pongs      pongs     // Flushes waiting for their PONG
	epoch      time.Time // the zero of pubPeer.last
	// afterDirectWrite, for tests, runs after each direct write, before
	// the peer's lock is taken again: the window in which others queue.
	afterDirectWrite func(n, size int)

	backlog atomic.Int64 // bytes queued for peers not stalled (Options.FlowControl)
	drained changes      // fired when backlog falls to FlowControl or below
}

// pubPeer is one subscriber: an accepted connection, or a Connect endpoint
// whose queue and subscriptions survive reconnects (as libzmq's pipes do).
type pubPeer struct {
	pub      *Pub
	hwm      int
	hwmBytes int64

	mu       sync.Mutex
	q        []Msg
	spare    []Msg          // the writer's last batch, emptied: the next queue (no regrowth)
	tailOf   *conn          // q[0] is the tail of a message partly written to this connection
	qBytes   int64          // bytes queued or held by the writer, not yet written
	subs     map[string]int // prefix -> reference count
	subBytes int64          // total length of the prefixes in subs
	fresh    bool           // a new connection has not sent a subscription yet
	// writing: a goroutine (the writer, or a sender on the direct path)
	// has the right to write to conn; everyone else queues. The writer
	// goroutine runs only while writing is held for it.
	writing bool
	last    int64 // when Send last found this peer idle (monotonic ns)
	wrote   int64 // when the queue last moved: bytes began to wait, or some were written (monotonic ns; flow control)
	stalled bool  // left out of the flow-control backlog until its queue empties
	conn    *conn
	drops   uint64
	msgs    uint64 // messages queued or written directly (Peers)
	bytes   uint64 // their wire bytes
	logged  uint64 // drops count at the last log line
	refused uint64 // subscriptions refused on this connection

	set prefixset.Set // the distinct prefixes of subs, matched lock-free
}

// NewPub returns a PUB socket. Call Bind and/or Connect, then Send.
func NewPub(opts Options) *Pub {
	p := &Pub{byEP: map[string]*pubPeer{}, epoch: time.Now()}
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
			pending := (len(pp.q) > 0 || pp.writing) && pp.conn != nil
			pp.mu.Unlock()
			if pending {
				return false
			}
		}
		return true
	})
}

// directGap is the pause after which Send, finding a peer idle, writes a
// message directly instead of queueing it for the writer goroutine: the
// time since it last found that peer idle. A sensor publishing a few
// thousand messages a second gets the direct path (no goroutine woken, one
// write); a stream denser than this is batched (one write for many
// messages), so a flood costs what it did.
const directGap = 20 * time.Microsecond

// Send queues m for every subscribed peer, or writes it at once to a peer
// whose connection is idle and whose traffic has paused (see Pub). It never
// blocks, and returns ErrClosed after Close.
func (p *Pub) Send(m Msg) error { return p.send(m, sendAuto) }

// SendBurst is Send for a caller that knows whether more messages follow at
// once, such as a forwarder that has the next message already read: with
// more, m is queued for the writer, to go out in one write with what
// follows; without, it takes the direct path to every idle peer, whatever
// the pause. Order per peer is kept either way.
func (p *Pub) SendBurst(m Msg, more bool) error {
	if more {
		return p.send(m, sendQueue)
	}
	return p.send(m, sendDirect)
}

// How send may deliver to an idle peer.
const (
	sendAuto   = iota // directly after a pause of directGap, else queued
	sendQueue         // always queued for the writer
	sendDirect        // directly when the peer is idle
)

func (p *Pub) send(m Msg, how int) error {
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
			if !pp.enqueue(m, how) {
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
// or in bytes (an empty queue always takes one message), or writes it
// directly when the connection is idle and how allows it.
func (pp *pubPeer) enqueue(m Msg, how int) bool {
	size := int64(len(m.raw))
	pp.mu.Lock()
	if pp.hwm > 0 && len(pp.q) >= pp.hwm || pp.hwmBytes > 0 && pp.qBytes > 0 && size > pp.hwmBytes-pp.qBytes {
		pp.drops++
		pp.mu.Unlock()
		return false
	}
	pp.msgs++
	pp.bytes += uint64(size)
	c := pp.conn
	idle := c != nil && !pp.writing && len(pp.q) == 0 && !c.fr.v1 && c.sealed == nil // CURVE: nonces in write order, so always the writer
	direct := idle && how == sendDirect
	if idle && how == sendAuto {
		// The clock is read only here: a peer with a backlog is simply
		// queued for, so a flood costs no clock reads.
		now := int64(time.Since(pp.pub.epoch))
		direct = now-pp.last >= int64(directGap)
		pp.last = now
	}
	if direct {
		pp.writeDirect(c, m) // unlocks
		return true
	}
	pp.q = append(pp.q, m)
	pp.grow(size)
	pp.kick()
	pp.mu.Unlock()
	return true
}

// writeDirect writes m to c from the calling goroutine with one
// non-blocking write; what the socket does not take is queued first in
// line for the writer. pp.mu is held on entry and released on return.
func (pp *pubPeer) writeDirect(c *conn, m Msg) {
	pp.writing = true
	pp.grow(int64(len(m.raw)))
	pp.mu.Unlock()
	n, err := c.tryWrite(m.raw)
	if hook := pp.pub.afterDirectWrite; hook != nil {
		hook(n, len(m.raw))
	}
	pp.mu.Lock()
	defer pp.mu.Unlock()
	pp.writing = false
	if n > 0 {
		pp.touch()
	}
	pp.grow(-int64(len(m.raw)))
	switch {
	case err != nil:
		c.nc.Close() // the read loop sees it and ends the connection
	case pp.conn != c:
		// The connection went away meanwhile; a tail written to it must
		// not start the next one.
	case n < len(m.raw):
		rest := Msg{raw: m.raw[n:]}
		pp.q = append(pp.q, Msg{})
		copy(pp.q[1:], pp.q)
		pp.q[0] = rest
		pp.tailOf = c // meaningless on any other connection (serve drops it)
		pp.grow(int64(len(rest.raw)))
	}
	pp.kick()
}

// kick starts the writer goroutine when the queue has something, the
// connection is up and nobody is writing. pp.mu is held.
func (pp *pubPeer) kick() {
	c := pp.conn
	if pp.writing || c == nil || len(pp.q) == 0 {
		return
	}
	pp.writing = true
	c.writers.Add(1)
	go pp.writer(c)
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
		return &pubPeer{pub: p, hwm: p.s.opts.SendHWM, hwmBytes: p.s.opts.SendHWMBytes, subs: map[string]int{}}
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

// serve runs one connection: this goroutine reads subscriptions and
// commands, while messages go out directly from senders or from a writer
// goroutine started for a backlog (kick).
func (p *Pub) serve(c *conn) error {
	pp := p.peerFor(c)
	pp.mu.Lock()
	pp.conn = c
	pp.fresh = len(pp.subs) > 0
	pp.refused = 0
	pp.kick() // send what was queued while disconnected
	pp.mu.Unlock()
	if c.unversioned {
		// A ZMTP 1.0 subscriber sends no subscriptions: as libzmq does,
		// act as if it had subscribed to everything (the first
		// subscription of the connection, so it replaces the old set).
		pp.subscribe(p, nil, true)
	}

	err := p.readLoop(c, pp)

	pp.mu.Lock()
	pp.conn = nil // no new writer or direct write for c
	pp.mu.Unlock()
	c.nc.Close()
	c.writers.Wait()
	p.pongs.lost(c) // PINGs c took and did not answer: Flush goes on
	pp.mu.Lock()
	if pp.tailOf == c {
		// The rest of a message c took only part of: the next
		// connection must start on a message boundary.
		pp.grow(-int64(len(pp.q[0].raw)))
		n := copy(pp.q, pp.q[1:])
		pp.q[n] = Msg{}
		pp.q = pp.q[:n]
		pp.tailOf = nil
	}
	pp.mu.Unlock()
	if c.endpoint == "" {
		p.removePeer(pp)
		pp.mu.Lock()
		for _, m := range pp.q {
			if isCommand(m) {
				// Gone peers are not waited for: a Flush waiting on it
				// goes on.
				p.pongs.pong(pingContext(m))
			}
		}
		clear(pp.q)
		pp.q = pp.q[:0]
		pp.grow(-pp.qBytes) // nobody will write it
		pp.mu.Unlock()
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

// writer sends the peer's queued messages to c in batches and flushes only
// when the queue has run dry, so a burst costs few write syscalls; then it
// gives up the write right and ends. It runs with pp.writing held for it
// (kick).
func (pp *pubPeer) writer(c *conn) {
	defer c.writers.Done()
	var batch []Msg
	var written int64               // bytes of the last batch, still in qBytes
	noPing := c.version < Version31 // a queued PING is passed, not sent
	defer func() {                  // keep the batch's array for the next writer's queue
		pp.mu.Lock()
		if cap(batch) > cap(pp.spare) {
			pp.spare = batch[:0]
		}
		pp.mu.Unlock()
	}()
	for {
		pp.mu.Lock()
		if written > 0 {
			pp.touch()
			pp.grow(-written)
			written = 0
		}
		if pp.conn != c {
			pp.writing = false
			pp.mu.Unlock()
			return
		}
		if len(pp.q) == 0 {
			pp.mu.Unlock()
			c.wmu.Lock()
			err := c.w.Flush()
			c.wmu.Unlock()
			pp.mu.Lock()
			if err != nil || len(pp.q) == 0 || pp.conn != c {
				pp.writing = false
				pp.mu.Unlock()
				if err != nil {
					c.nc.Close()
				}
				return
			}
		}
		if batch == nil {
			batch, pp.spare = pp.spare, nil
		}
		batch, pp.q = pp.q, batch[:0]
		tail := pp.tailOf == c // batch[0] is the rest of a message, not a whole one
		pp.tailOf = nil
		pp.mu.Unlock()
		c.wmu.Lock()
		var err error
		for i := range batch {
			ping := !(tail && i == 0) && isCommand(batch[i]) // a Flush's PING
			if ping {
				// It goes with c: answered by a PONG, passed below, or
				// released when c ends (serve, pongs.lost), which every
				// failed write here brings about.
				pp.pub.pongs.sent(pingContext(batch[i]), c)
			}
			if err == nil {
				switch {
				case ping && noPing:
					// A PING on a connection without PING (an older peer,
					// or one that replaced the connection it was queued
					// for): what is before it is written once the buffer
					// is flushed, which is all Flush can know.
					if err = c.w.Flush(); err == nil {
						pp.pub.pongs.pong(pingContext(batch[i]))
					}
				case c.fr.v1:
					err = c.write10(batch[i])
				default:
					_, err = c.w.Write(batch[i].raw)
				}
			}
			written += int64(len(batch[i].raw))
			batch[i] = Msg{}
		}
		c.wmu.Unlock()
		if err != nil {
			pp.mu.Lock()
			pp.grow(-written)
			pp.writing = false
			pp.mu.Unlock()
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
// older peer has no PING: there the writer passes the PING without
// sending it, once what is before it is written to the connection, however
// much is sent after it. A peer that is not connected is not waited for,
// nor one whose connection ends before it answers.
func (p *Pub) Flush(ctx context.Context) error {
	if p.s.isClosed() {
		return ErrClosed
	}
	var tokens []string
	var waits []chan struct{}
	for _, pp := range *p.peers.Load() {
		token, ch := p.pongs.add("flush")
		if !pp.enqueueControl(Msg{raw: ping(token)}) {
			p.pongs.remove(token)
			continue
		}
		tokens, waits = append(tokens, token), append(waits, ch)
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
	return nil
}

// isCommand tells a queued command (a Flush's PING) from a message: only
// a command frame has the COMMAND flag. m must be whole, not a tail.
func isCommand(m Msg) bool { return len(m.raw) > 0 && m.raw[0]&flagCommand != 0 }

// pingContext is the context (the token) of a PING made by ping.
func pingContext(m Msg) []byte {
	h := 2
	if m.raw[0]&flagLong != 0 {
		h = 9
	}
	if len(m.raw) < h {
		return nil
	}
	name, data, err := parseCommand(m.raw[h:])
	if err != nil || name != "PING" || len(data) < 2 {
		return nil
	}
	return data[2:]
}

// enqueueControl queues m (a Flush's PING: it is not counted as a
// message) whatever the high-water mark, so a Flush is never dropped, and
// reports true, if the peer is connected; false, queueing nothing, if not.
// Once queued, the PING is answered, passed by the writer, or released
// when its connection fails: by serve when the connection whose writer
// took it ends (pongs.lost), or by serve for an accepted peer's queue.
func (pp *pubPeer) enqueueControl(m Msg) bool {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.conn == nil {
		return false
	}
	pp.q = append(pp.q, m)
	pp.grow(int64(len(m.raw)))
	pp.kick()
	return true
}

// grow changes the peer's queued bytes by delta, and with flow control
// the socket's backlog, firing drained when it falls back to the bound. A
// stalled peer (see WaitFlow) rejoins the backlog once its queue is empty.
// pp.mu is held.
func (pp *pubPeer) grow(delta int64) {
	bound := pp.pub.s.opts.FlowControl
	if bound <= 0 {
		pp.qBytes += delta
		return
	}
	if pp.qBytes == 0 && delta > 0 {
		pp.touch() // bytes start to wait: the stall clock starts
	}
	pp.qBytes += delta
	if pp.stalled {
		pp.stalled = pp.qBytes > 0
		return
	}
	if n := pp.pub.backlog.Add(delta); delta < 0 && n <= bound && n-delta > bound {
		pp.pub.drained.fire()
	}
}

// touch notes, for flow control, that the peer's queue moved. pp.mu is
// held.
func (pp *pubPeer) touch() {
	if pp.pub.s.opts.FlowControl > 0 {
		pp.wrote = int64(time.Since(pp.pub.epoch))
	}
}

// stallAfter is how long a peer's queue may hold bytes without its writer
// writing any before flow control stops waiting for it.
const stallAfter = time.Second

// WaitFlow is flow control (Options.FlowControl): it returns at once while
// the bytes queued for peers are at most the bound, and otherwise waits
// until writers have brought them back to it, stop is closed, or the
// socket closes. A forwarder calls it after each Send on a publisher's
// connection goroutine: that connection is then read no faster than the
// subscribers take what it brings. A peer whose writer has written nothing for
// stallAfter while bytes wait for it (a stalled subscriber) is left out of
// the count until its queue has emptied, so one dead peer cannot stop the
// bus: its queue fills to its HWM and drops, as without flow control.
func (p *Pub) WaitFlow(stop <-chan struct{}) {
	bound := p.s.opts.FlowControl
	if bound <= 0 || p.backlog.Load() <= bound {
		return
	}
	tick := time.NewTicker(stallAfter / 4)
	defer tick.Stop()
	for {
		ch := p.drained.wait()
		if p.backlog.Load() <= bound {
			return
		}
		select {
		case <-ch:
		case <-tick.C:
			p.leaveOutStalled()
		case <-stop:
			return
		case <-p.s.done:
			return
		}
	}
}

// leaveOutStalled takes peers whose queue has not moved for stallAfter
// out of the flow-control backlog.
func (p *Pub) leaveOutStalled() {
	now := int64(time.Since(p.epoch))
	for _, pp := range *p.peers.Load() {
		pp.mu.Lock()
		if !pp.stalled && pp.qBytes > 0 && now-pp.wrote > int64(stallAfter) {
			if n := p.backlog.Add(-pp.qBytes); n <= p.s.opts.FlowControl {
				p.drained.fire()
			}
			pp.stalled = true
			p.s.log.Warn("flow control: a subscriber has taken nothing for a while; not waiting for it",
				"remote", remoteOf(pp.conn), "queued_bytes", pp.qBytes, "after", stallAfter)
		}
		pp.mu.Unlock()
	}
}

// remoteOf is c's remote address, or "" for no connection.
func remoteOf(c *conn) string {
	if c == nil {
		return ""
	}
	return c.remote
}

// Backlog is the number of bytes queued for the peers flow control waits
// for (0 without Options.FlowControl).
func (p *Pub) Backlog() int64 { return p.backlog.Load() }
