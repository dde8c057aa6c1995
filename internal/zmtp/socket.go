package zmtp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gobanyan/banyan/internal/curve"
)

// kind is a socket type as named in READY metadata.
type kind string

const (
	kindPub kind = "PUB"
	kindSub kind = "SUB"
)

// typeByte is the socket type as ZMTP 2.0 numbers it (RFC 15; libzmq sends
// its ZMQ_PUB, ZMQ_SUB... constants, which are the same numbers).
func (k kind) typeByte() byte {
	if k == kindPub {
		return 1
	}
	return 2
}

// typeName names a ZMTP 2.0 socket-type byte as READY would. XPUB (9) and
// XSUB (10) are not in RFC 15, which says they are PUB and SUB on the wire,
// but libzmq 3.x sends its own type numbers, so they appear.
func typeName(b byte) string {
	switch b {
	case 1:
		return "PUB"
	case 2:
		return "SUB"
	case 9:
		return "XPUB"
	case 10:
		return "XSUB"
	}
	return fmt.Sprintf("type %d", b)
}

// compatible lists the peer types each of our types may talk to.
func (k kind) compatible(peer string) bool {
	switch k {
	case kindPub:
		return peer == "SUB" || peer == "XSUB"
	case kindSub:
		return peer == "PUB" || peer == "XPUB"
	}
	return false
}

// conn is one TCP connection after (or during) the handshake.
type conn struct {
	s       *socket
	nc      net.Conn
	fr      frameReader
	wmu     sync.Mutex // guards w, and writes to nc after the handshake
	w       writer
	raw     syscall.RawConn // nc's, for tryWrite; nil when nc has none
	writers sync.WaitGroup  // a PUB's writer goroutine for this connection
	refused atomic.Uint64   // messages over the size limit from this peer
	// version is what the connection speaks: the older of ours and the
	// peer's. It decides the framing (1.0 or the rest), commands (3.x),
	// the form of subscriptions (commands from 3.1, messages before) and
	// PING (3.1).
	version Version
	// unversioned is a ZMTP 1.0 peer without a revision byte (libzmq 2.x),
	// or any peer while we greet as 1.0: we send it no subscriptions, and a
	// PUB treats it as subscribed to everything, as libzmq does
	// (zmtp_engine.cpp: handshake_v1_0_unversioned sets
	// _subscription_required; process_routing_id_msg injects a
	// subscription to "").
	unversioned bool
	hdr         [10]byte // a ZMTP 1.0 frame header being written, under wmu
	peerType    string   // peer's Socket-Type ("" for ZMTP 1.0: unknown)
	endpoint    string   // what we dialed, or "" for an accepted connection
	remote      string
	since       time.Time   // when the handshake completed (set before serve)
	up          atomic.Bool // the handshake completed: since and curveKey are set
	// CURVE (Options.Curve): the peer's long-term public key (learnt by a
	// server in INITIATE, known to a client beforehand), the session that
	// seals what c.w writes, and the layer that opens what fr reads. nil
	// and zero on NULL connections.
	curveKey curve.Key
	sealed   *curve.Session
	open     *openReader
	// A Sub's counts of what this peer sent (Sub.Peers): messages and
	// their wire bytes, added by the connection's goroutine.
	msgs, bytes atomic.Uint64
}

// controlWriteTimeout bounds how long a SUB waits for a peer to take its
// control bytes (subscriptions, PING, PONG); see conn.write.
const controlWriteTimeout = 30 * time.Second

// write sends b and flushes, under the write lock (control traffic). A
// failed write closes the connection, so its reader ends it too. On a SUB,
// whose connections carry nothing else, a peer that takes nothing for
// s.controlTimeout fails the write: a PUB that stops reading (a PING flood
// unanswered, say) costs its own connection, not every Subscribe and Sync
// on the socket, which write under the subscription lock.
func (c *conn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if d := c.s.controlTimeout; d > 0 {
		c.nc.SetWriteDeadline(time.Now().Add(d))
		defer c.nc.SetWriteDeadline(time.Time{})
	}
	_, err := c.w.Write(b)
	if err == nil {
		err = c.w.Flush()
	}
	if err != nil {
		c.nc.Close()
	}
	return err
}

// next reads the next message, or the next command other than PING (which
// it answers with PONG itself): exactly one of m and name is set.
func (c *conn) next() (m Msg, name string, data []byte, err error) {
	for {
		m, cmd, err := c.fr.next()
		if err != nil {
			var skipped *skippedError
			if errors.As(err, &skipped) {
				continue // counted and logged when it began (refuse)
			}
			return m, "", nil, err
		}
		if cmd == nil {
			return m, "", nil, nil
		}
		name, data, err := parseCommand(cmd)
		if err != nil {
			return Msg{}, "", nil, err
		}
		if name != "PING" {
			return Msg{}, name, data, nil
		}
		if err := c.write(pong(data)); err != nil {
			return Msg{}, "", nil, err
		}
	}
}

// handler is what a socket type does with a connection once the handshake
// is done: serve it until it fails or the socket closes.
type handler interface {
	serve(c *conn) error
}

// socket is the machinery PUB and SUB share: listeners, dialers, the
// handshake, the list of live connections, counters and Close.
type socket struct {
	kind kind
	opts Options // opts.Version is the version we greet with
	log  *slog.Logger
	h    handler

	mu        sync.Mutex
	closed    bool
	listeners []net.Listener
	conns     map[*conn]struct{}
	done      chan struct{} // closed by Close
	wg        sync.WaitGroup
	pool      bufPool
	pending   atomic.Int64 // messages under way on every connection

	// controlTimeout bounds each control write (conn.write) on a SUB; 0
	// on a PUB, whose writes share the connection with its messages.
	controlTimeout time.Duration

	sent, received, dropped, filtered  atomic.Uint64
	connects, disconnects, protoErrors atomic.Uint64
	refused, subsRefused               atomic.Uint64
	peers                              atomic.Int64
}

// refuse counts a message over the size limit, logging the first from each
// peer at Warn and the rest at Debug.
func (s *socket) refuse(c *conn, size uint64) {
	s.refused.Add(1)
	level := slog.LevelDebug
	if c.refused.Add(1) == 1 {
		level = slog.LevelWarn
	}
	s.log.Log(context.Background(), level, "message over the size limit: reading past it and dropping it",
		"remote", c.remote, "size_at_least", size, "limit", c.fr.limit, "from_this_peer", c.refused.Load())
}

func (s *socket) init(k kind, opts Options, h handler) {
	s.kind = k
	if k == kindSub {
		s.controlTimeout = controlWriteTimeout
	}
	s.opts = opts.withDefaults()
	s.log = s.opts.Logger.With("zmtp", string(k))
	s.h = h
	s.conns = map[*conn]struct{}{}
	s.done = make(chan struct{})
}

// splitEndpoint accepts "tcp://host:port", "host:port" and "*" for all
// interfaces.
func splitEndpoint(ep string) (string, error) {
	addr := strings.TrimPrefix(ep, "tcp://")
	if strings.Contains(addr, "://") {
		return "", fmt.Errorf("zmtp: unsupported transport in %q (only tcp)", ep)
	}
	if strings.HasPrefix(addr, "*:") {
		addr = addr[1:]
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return "", fmt.Errorf("zmtp: bad endpoint %q: %w", ep, err)
	}
	return addr, nil
}

// Bind listens on endpoint and accepts peers until Close. It returns the
// address actually bound (useful with port 0).
func (s *socket) Bind(endpoint string) (net.Addr, error) {
	addr, err := splitEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	if cv := s.opts.Curve; cv != nil && cv.Server == nil {
		return nil, fmt.Errorf("zmtp: Bind %q: Curve has no Server for accepted connections", endpoint)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.listeners = append(s.listeners, ln)
	s.wg.Add(1)
	go s.acceptLoop(ln)
	return ln.Addr(), nil
}

func (s *socket) acceptLoop(ln net.Listener) {
	defer s.wg.Done()
	var delay time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and similar: back off, keep serving.
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else if delay < time.Second {
				delay *= 2
			}
			s.log.Warn("accept failed", "err", err, "retry_in", delay)
			select {
			case <-time.After(delay):
			case <-s.done:
				return
			}
			continue
		}
		delay = 0
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.runConn(nc, "")
		}()
	}
}

// Connect dials endpoint in the background and keeps reconnecting, with
// backoff, until Close. It returns at once; an endpoint that is not up yet is
// fine.
func (s *socket) Connect(endpoint string) error {
	addr, err := splitEndpoint(endpoint)
	if err != nil {
		return err
	}
	if cv := s.opts.Curve; cv != nil && cv.ServerKey == (curve.Key{}) {
		return fmt.Errorf("zmtp: Connect %q: Curve has no ServerKey for dialed connections", endpoint)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.wg.Add(1)
	go s.dialLoop(addr)
	return nil
}

func (s *socket) dialLoop(addr string) {
	defer s.wg.Done()
	backoff := s.opts.ReconnectMin
	d := net.Dialer{Timeout: s.opts.HandshakeTimeout}
	for {
		nc, err := s.dial(&d, addr)
		if err == nil {
			if s.runConn(nc, addr) {
				backoff = s.opts.ReconnectMin // it worked: start again from the bottom
			}
		} else if !s.isClosed() {
			s.log.Debug("connect failed", "addr", addr, "err", err, "retry_in", backoff)
		}
		select {
		case <-s.done:
			return
		case <-time.After(backoff):
		}
		backoff *= 2
		if backoff > s.opts.ReconnectMax {
			backoff = s.opts.ReconnectMax
		}
	}
}

// dial connects once, giving up early when the socket closes.
func (s *socket) dial(d *net.Dialer, addr string) (net.Conn, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	return d.DialContext(ctx, "tcp", addr)
}

func (s *socket) isClosed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// runConn does the handshake and serves the connection until it ends. It
// reports whether the handshake succeeded.
func (s *socket) runConn(nc net.Conn, endpoint string) bool {
	c := &conn{
		s:        s,
		nc:       nc,
		w:        writer{nc: nc, pool: &s.pool},
		endpoint: endpoint,
		remote:   nc.RemoteAddr().String(),
	}
	if sc, ok := nc.(syscall.Conn); ok {
		c.raw, _ = sc.SyscallConn()
	}
	c.fr = newFrameReader(newReader(c.readSource(), &s.pool), s.readLimit(), s.opts.Budget, &s.pending)
	c.fr.refused = func(size uint64) { s.refuse(c, size) }
	if !s.track(c) {
		nc.Close()
		return false
	}
	defer func() {
		s.untrack(c)
		c.fr.r.release()
		if c.open != nil {
			c.open.release()
		}
		c.wmu.Lock()
		c.w.release()
		c.wmu.Unlock()
	}()
	if err := s.handshake(c); err != nil {
		if !s.isClosed() && !errors.Is(err, io.EOF) {
			s.protoErrors.Add(1)
			attrs := []any{"remote", c.remote, "err", err}
			if c.curveKey != (curve.Key{}) {
				attrs = append(attrs, "curve_key", c.curveKey.String())
			}
			s.log.Warn("handshake failed", attrs...)
		}
		nc.Close()
		return false
	}
	c.since = time.Now()
	c.up.Store(true) // publishes since and curveKey to closeWhere
	s.connects.Add(1)
	s.peers.Add(1)
	s.log.Debug("peer connected", "remote", c.remote, "peer_type", c.peerType, "zmtp", c.version.String())
	err := s.h.serve(c)
	nc.Close()
	s.peers.Add(-1)
	s.disconnects.Add(1)
	switch {
	case s.isClosed(), err == nil, errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		s.log.Debug("peer disconnected", "remote", c.remote)
	case errors.Is(err, ErrProtocol), errors.Is(err, ErrTooLarge), errors.Is(err, ErrBudget):
		s.protoErrors.Add(1)
		s.log.Warn("closing connection", "remote", c.remote, "err", err)
	default:
		s.log.Info("peer disconnected", "remote", c.remote, "err", err)
	}
	return true
}

// readLimit is the largest message a peer may send us. A PUB's peers send
// only subscriptions (commands, or one-frame messages from a ZMTP 3.0 or
// older peer), so the command bound applies to their messages too: a
// subscriber cannot make a PUB buffer a message-sized "subscription".
func (s *socket) readLimit() int64 {
	limit := s.opts.MaxMessageSize
	if s.kind == kindPub && (limit <= 0 || limit > maxCommand) {
		limit = maxCommand
	}
	return limit
}

func (s *socket) track(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *socket) untrack(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// handshake finds the peer's version as libzmq does (RFC 23, "Detecting
// ZMTP 1.0 and 2.0 Peers"; zmtp_engine.cpp, receive_greeting), greeting in
// steps so that an older peer is never sent bytes it would misread:
//
//   - send the 10-byte signature, which a ZMTP 1.0 peer reads as our whole
//     (empty) identity frame;
//   - a first byte other than 0xff, or a 10th byte with bit 0 clear, is a
//     ZMTP 1.0 peer without a revision: its bytes are its identity frame,
//     and 1.0 framing follows both ways;
//   - otherwise send our major version (3) and read the peer's revision
//     byte. 1 is ZMTP 2.0 and 0 a ZMTP 1.0 peer with a revision byte: send
//     our socket-type byte, read the peer's, exchange identity frames and
//     go on in 2.0 framing (revision 1) or 1.0 framing (revision 0), as
//     libzmq's handshake_v2_0 and handshake_v1_0 do. 3 or more: send the
//     rest of the 3.x greeting, read the peer's, then READY. 2 is refused:
//     no version defines it (RFC 23 calls it 2.0, libzmq treats it as 3.x).
//
// Greeting as 2.0 sends the revision byte 1 and our socket type in place
// of the major version; greeting as 1.0 sends our identity frame and
// nothing else. Every read is under the handshake deadline.
func (s *socket) handshake(c *conn) error {
	c.nc.SetDeadline(time.Now().Add(s.opts.HandshakeTimeout))
	defer c.nc.SetDeadline(time.Time{})
	r := c.fr.r
	if s.opts.Version == Version10 {
		// RFC 13: an anonymous greeting is an empty identity frame.
		if _, err := c.nc.Write([]byte{1, 0}); err != nil {
			return err
		}
		c.setVersion(Version10, true)
		return c.readIdentity()
	}
	g := greeting(s.minor())
	if s.opts.Curve != nil {
		g = greetingFor(s.minor(), mechCurve, c.endpoint == "")
	}
	if _, err := c.nc.Write(g[:signatureLen]); err != nil {
		return err
	}
	sig, err := r.peek(1)
	if err != nil {
		return err
	}
	if sig[0] == 0xff {
		if sig, err = r.peek(signatureLen); err != nil {
			return unexpected(err)
		}
	}
	if sig[0] != 0xff || sig[signatureLen-1]&1 == 0 {
		if s.opts.Curve != nil {
			return errCurveOld
		}
		c.setVersion(Version10, true)
		return c.readIdentity()
	}
	peer := make([]byte, greetingLen)
	copy(peer, sig)
	r.advance(signatureLen)

	if s.opts.Version == Version20 {
		if _, err := c.nc.Write([]byte{1, s.kind.typeByte()}); err != nil {
			return err
		}
		if _, err := io.ReadFull(r, peer[10:12]); err != nil {
			return unexpected(err)
		}
		if peer[10] == 2 {
			return fmt.Errorf("%w: peer sent ZMTP revision 2, which no version defines", ErrProtocol)
		}
		return s.handshakeOld(c, peer[10], peer[11])
	}
	if _, err := c.nc.Write(g[10:11]); err != nil {
		return err
	}
	if peer[10], err = r.ReadByte(); err != nil {
		return unexpected(err)
	}
	switch peer[10] {
	case 0, 1:
		if s.opts.Curve != nil {
			return errCurveOld
		}
		if _, err := c.nc.Write([]byte{s.kind.typeByte()}); err != nil {
			return err
		}
		if peer[11], err = r.ReadByte(); err != nil {
			return unexpected(err)
		}
		return s.handshakeOld(c, peer[10], peer[11])
	case 2:
		return fmt.Errorf("%w: peer sent ZMTP revision 2, which no version defines", ErrProtocol)
	}
	if _, err := c.nc.Write(g[11:]); err != nil {
		return err
	}
	if _, err := io.ReadFull(r, peer[11:]); err != nil {
		return unexpected(err)
	}
	mech := "NULL"
	if s.opts.Curve != nil {
		mech = mechCurve
	}
	pg, err := parseGreetingFor(peer, mech)
	if err != nil {
		c.nc.Write(errorCommand(err.Error()))
		return err
	}
	// Both sides use the forms of the older version.
	c.version = s.opts.Version
	if pg.major == versionMajor && pg.minor == 0 {
		c.version = min(c.version, Version30)
	}
	if s.opts.Curve != nil {
		return s.handshakeCurve(c)
	}
	if _, err := c.nc.Write(readyCommand("Socket-Type", string(s.kind))); err != nil {
		return err
	}
	name, data, err := c.fr.readCommand()
	if err != nil {
		return err
	}
	switch name {
	case "READY":
	case "ERROR":
		reason := ""
		if len(data) > 0 && int(data[0]) <= len(data)-1 {
			reason = string(data[1 : 1+int(data[0])])
		}
		return fmt.Errorf("%w: peer refused the handshake: %q", ErrProtocol, reason)
	default:
		return fmt.Errorf("%w: expected READY, got %q", ErrProtocol, name)
	}
	return s.checkPeer(c, data)
}

// checkPeer reads the peer's READY (or INITIATE) metadata and checks its
// socket type, sending ERROR on a mismatch.
func (s *socket) checkPeer(c *conn, data []byte) error {
	props, err := parseProperties(data)
	if err != nil {
		return err
	}
	c.peerType = props["socket-type"]
	if !s.kind.compatible(c.peerType) {
		err := fmt.Errorf("%w: %s cannot talk to %q", ErrIncompatible, s.kind, c.peerType)
		c.nc.Write(errorCommand("invalid socket type"))
		return err
	}
	return nil
}

// minor is the minor version of our 3.x greeting.
func (s *socket) minor() byte {
	if s.opts.Version == Version30 {
		return 0
	}
	return versionMinor
}

// handshakeOld ends the handshake with a peer that sent revision 0 or 1
// and its socket-type byte: check the type (RFC 15: PUB accepts SUB, SUB
// accepts PUB, anything else is disconnected without a word), then send
// our empty identity frame and read the peer's, in the connection's
// framing.
func (s *socket) handshakeOld(c *conn, revision, peerType byte) error {
	if revision == 0 {
		c.setVersion(Version10, false)
	} else {
		c.setVersion(Version20, false)
	}
	c.peerType = typeName(peerType)
	if !s.kind.compatible(c.peerType) {
		return fmt.Errorf("%w: %s cannot talk to %q (ZMTP %s)", ErrIncompatible, s.kind, c.peerType, c.version)
	}
	identity := []byte{0, 0} // RFC 15: final-short, size 0
	if c.fr.v1 {
		identity = []byte{1, 0} // RFC 13: length 1 (the flags byte), flags 0
	}
	if _, err := c.nc.Write(identity); err != nil {
		return err
	}
	return c.readIdentity()
}

// setVersion fixes the connection's version and framing.
func (c *conn) setVersion(v Version, unversioned bool) {
	c.version = v
	c.unversioned = unversioned
	c.fr.v1 = v == Version10
	c.fr.noCmd = v < Version30
}

// readIdentity reads the peer's identity frame (ZMTP 1.0 or 2.0) and drops
// it: PUB and SUB have no use for identities. One longer than maxIdentity is
// refused before its body is read. A 1.0 identity's flags are not checked
// (RFC 13: "SHALL not be validated"; libzmq's own pseudo-signature has
// flags 0x7f).
func (c *conn) readIdentity() error {
	var size uint64
	var flags byte
	var err error
	if c.fr.v1 {
		_, size, err = c.fr.readHeader10()
	} else {
		flags, size, err = c.fr.readFrameHeader()
	}
	if err != nil {
		return unexpected(err)
	}
	if flags&flagMore != 0 {
		// RFC 15: the identity is one final frame.
		return fmt.Errorf("%w: identity frame with MORE set", ErrProtocol)
	}
	if size > maxIdentity {
		return fmt.Errorf("%w: identity frame of %d bytes (at most %d)", ErrProtocol, size, maxIdentity)
	}
	return unexpected(c.fr.r.discard(size))
}

// close stops listeners and dialers, waits up to the linger for drain (via
// the drained callback), then closes every connection and waits for all
// goroutines.
func (s *socket) close(drained func() bool) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.closed = true
	close(s.done)
	for _, ln := range s.listeners {
		ln.Close()
	}
	s.mu.Unlock()

	if drained != nil && s.opts.Linger > 0 {
		deadline := time.Now().Add(s.opts.Linger)
		for !drained() && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
		}
	}
	s.mu.Lock()
	for c := range s.conns {
		c.nc.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

func (s *socket) stats() Stats {
	return Stats{
		Peers:          int(s.peers.Load()),
		Sent:           s.sent.Load(),
		Received:       s.received.Load(),
		Dropped:        s.dropped.Load(),
		Filtered:       s.filtered.Load(),
		Connects:       s.connects.Load(),
		Disconnects:    s.disconnects.Load(),
		ProtocolErrors: s.protoErrors.Load(),

		Refused:              s.refused.Load(),
		SubscriptionsRefused: s.subsRefused.Load(),
		Pending:              int(s.pending.Load()),
		PendingBytes:         s.opts.Budget.InUse(),
	}
}
