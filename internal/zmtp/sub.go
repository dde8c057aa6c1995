package zmtp

import (
	"cmp"
	"context"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/gobanyan/banyan/internal/prefixset"
	"github.com/gobanyan/banyan/internal/retry"
)

// Sub is a SUB socket: it receives messages from every peer, fair-queued into
// one channel, keeping those whose first frame starts with a subscribed
// prefix. Subscriptions are sent to every peer and re-sent on every new
// connection, so a restarted publisher or backplane gets them again.
//
// Subscribe, Unsubscribe and Recv are safe from any goroutine.
type Sub struct {
	s  socket
	ch chan Msg

	subMu sync.Mutex
	subs  map[string]subEntry // prefix -> count and order
	seq   uint64              // order of the latest new prefix
	conns map[*conn]struct{}
	set   prefixset.Set // the prefixes of subs, matched lock-free

	pongs  pongs   // Syncs waiting for their PONG
	joined changes // fired when a connection joins conns
}

// NewSub returns a SUB socket with no subscriptions (it receives nothing
// until Subscribe).
func NewSub(opts Options) *Sub {
	sb := &Sub{subs: map[string]subEntry{}, conns: map[*conn]struct{}{}}
	sb.s.init(kindSub, opts, sb)
	sb.ch = make(chan Msg, sb.s.opts.RecvHWM)
	return sb
}

// Bind listens on endpoint ("tcp://host:port" or "host:port").
func (sb *Sub) Bind(endpoint string) (net.Addr, error) { return sb.s.Bind(endpoint) }

// Connect dials endpoint in the background, reconnecting until Close.
func (sb *Sub) Connect(endpoint string) error { return sb.s.Connect(endpoint) }

// Stats returns the socket's counters.
func (sb *Sub) Stats() Stats { return sb.s.stats() }

// Messages is the receive channel. It is closed after Close.
func (sb *Sub) Messages() <-chan Msg { return sb.ch }

// Recv returns the next message, or ctx's error, or ErrClosed.
func (sb *Sub) Recv(ctx context.Context) (Msg, error) {
	select {
	case m, ok := <-sb.ch:
		if !ok {
			return Msg{}, ErrClosed
		}
		return m, nil
	case <-ctx.Done():
		return Msg{}, ctx.Err()
	}
}

// Close closes every connection and then the Messages channel.
func (sb *Sub) Close() error {
	err := sb.s.close(nil)
	if err == nil {
		close(sb.ch)
	}
	return err
}

// Subscribe adds a prefix ("" = everything). Subscriptions are counted:
// subscribing twice needs two Unsubscribes.
func (sb *Sub) Subscribe(prefix []byte) error { return sb.change(prefix, true) }

// Unsubscribe removes one count of a prefix.
func (sb *Sub) Unsubscribe(prefix []byte) error { return sb.change(prefix, false) }

// subEntry is one subscribed prefix: how many times, and when it was first
// subscribed (a reconnect re-sends in that order).
type subEntry struct {
	count int
	seq   uint64
}

// change applies a local (un)subscription in O(len(prefix)).
func (sb *Sub) change(prefix []byte, on bool) error {
	if sb.s.isClosed() {
		return ErrClosed
	}
	sb.subMu.Lock()
	defer sb.subMu.Unlock()
	e, ok := sb.subs[string(prefix)]
	switch {
	case on && ok:
		e.count++
		sb.subs[string(prefix)] = e
		return nil
	case on:
		sb.seq++
		k := string(prefix)
		sb.subs[k] = subEntry{count: 1, seq: sb.seq}
		sb.set.Add(k)
	case !ok:
		return nil
	case e.count > 1:
		e.count--
		sb.subs[string(prefix)] = e
		return nil
	default:
		delete(sb.subs, string(prefix))
		sb.set.Remove(string(prefix))
	}
	for c := range sb.conns {
		// A failed write shows up as a read error on that connection.
		if b := subscription(c, prefix, on); b != nil {
			c.write(b)
		}
	}
	sb.s.sent.Add(1)
	return nil
}

// subscription encodes a (un)subscription in the form the peer expects:
// a command for ZMTP 3.1 and later, a 1/0-prefixed message for 3.0 and 2.0
// (RFC 23 and RFC 15, "Publish-Subscribe"), the same message in 1.0
// framing for a 1.0 peer that sent a revision byte (libzmq's v1_encoder
// encodes subscriptions too), and nothing (nil) for a 1.0 peer without one:
// RFC 13 has subscribers send nothing, a libzmq PUB subscribes such a peer
// to everything itself, and our SUB filters what arrives anyway.
func subscription(c *conn, prefix []byte, on bool) []byte {
	if c.unversioned {
		return nil
	}
	if c.version >= Version31 {
		name := "CANCEL"
		if on {
			name = "SUBSCRIBE"
		}
		return appendCommand(nil, name, prefix)
	}
	body := make([]byte, 0, 1+len(prefix))
	if on {
		body = append(body, 1)
	} else {
		body = append(body, 0)
	}
	body = append(body, prefix...)
	if c.fr.v1 {
		return appendFrame10(nil, 0, body)
	}
	return appendFrame(nil, 0, body)
}

// matches costs the same with 1 or 100,000 subscriptions (a trie).
func (sb *Sub) matches(topic []byte) bool { return sb.set.Match(topic) }

// serve sends our subscriptions to a new peer and reads its messages.
func (sb *Sub) serve(c *conn) error {
	sb.subMu.Lock()
	// In subscription order: a peer that processes them in order has them
	// all once it has the last one (and Sync's PING, written after them
	// under subMu, proves it).
	type ordered struct {
		prefix string
		seq    uint64
	}
	order := make([]ordered, 0, len(sb.subs))
	for k, e := range sb.subs {
		order = append(order, ordered{k, e.seq})
	}
	slices.SortFunc(order, func(a, b ordered) int { return cmp.Compare(a.seq, b.seq) })
	var all []byte
	for _, o := range order {
		all = append(all, subscription(c, []byte(o.prefix), true)...)
	}
	err := error(nil)
	if len(all) > 0 {
		err = c.write(all)
	}
	if err != nil {
		// Not in conns: Sync must never count a connection that did not
		// get our subscriptions.
		sb.subMu.Unlock()
		return err
	}
	sb.conns[c] = struct{}{}
	sb.subMu.Unlock()
	sb.joined.fire() // a Sync in progress PINGs the new connection at once
	defer func() {
		sb.subMu.Lock()
		delete(sb.conns, c)
		sb.subMu.Unlock()
	}()
	var msgs, size uint64 // counted, not yet added to c's counters
	for {
		m, name, data, err := c.next()
		if err != nil {
			return err
		}
		if name != "" {
			if name == "PONG" {
				sb.pongs.pong(data)
			}
			continue // other commands are ignored
		}
		// The peer's counts (Peers) are added once per read, when what
		// was read is used up: a burst costs two atomic adds, not two per
		// message. (A peer that stops in the middle of a message shows
		// the counts up to the read before.)
		msgs, size = msgs+1, size+uint64(len(m.raw))
		more := len(c.fr.r.buffered()) > 0 || c.open != nil && c.open.pending()
		if !more {
			c.msgs.Add(msgs)
			c.bytes.Add(size)
			msgs, size = 0, 0
		}
		if !sb.matches(m.Topic()) {
			sb.s.filtered.Add(1)
			continue
		}
		if deliver := sb.s.opts.Deliver; deliver != nil {
			sb.s.received.Add(1)
			deliver(m, more)
			continue
		}
		// Counted before the hand-off (and taken back if it never
		// happens), so Stats never trails what a receiver has.
		sb.s.received.Add(1)
		select {
		case sb.ch <- m:
		case <-sb.s.done:
			sb.s.received.Add(^uint64(0))
			return nil
		}
	}
}

// Sync returns once a peer has answered a PING sent after every
// subscription made so far. A peer handles commands in order on a
// connection, so by then it has applied our subscriptions: the SUB is
// ready. It retries every interval (connections may still be coming up)
// until ctx ends. Only ZMTP 3.1 peers are sent PING: a 3.0, 2.0 or 1.0
// peer has none, and for it being connected counts (its subscriptions were
// written before it joined the set Sync looks at).
func (sb *Sub) Sync(ctx context.Context) error {
	token, ch := sb.pongs.add("sync")
	defer sb.pongs.remove(token)
	cmd := ping(token)
	return retry.UntilChanged(ctx, sb.s.done, ErrClosed, ch, sb.joined.wait, 5*time.Millisecond, 200*time.Millisecond, func() bool {
		sb.subMu.Lock() // orders the PING after any subscription write
		defer sb.subMu.Unlock()
		old := false
		for c := range sb.conns {
			if c.version < Version31 {
				old = true
				continue
			}
			c.write(cmd)
		}
		return old
	})
}
