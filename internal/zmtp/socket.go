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
	"time"
)

// kind is a socket type as named in READY metadata.
type kind string

const (
	kindPub kind = "PUB"
	kindSub kind = "SUB"
)

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
	s        *socket
	nc       net.Conn
	fr       frameReader
	wmu      sync.Mutex // guards w
	w        writer
	refused  atomic.Uint64 // messages over the size limit from this peer
	minor    byte          // peer's ZMTP minor version (0 for 3.0)
	peerType string        // peer's Socket-Type
	endpoint string        // what we dialed, or "" for an accepted connection
	remote   string
}

// write sends b and flushes, under the write lock (control traffic).
func (c *conn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if _, err := c.w.Write(b); err != nil {
		return err
	}
	return c.w.Flush()
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
	kind  kind
	minor byte // the ZMTP minor version we greet with: 1, or 0 in tests of the 3.0 forms
	opts  Options
	log   *slog.Logger
	h     handler

	mu        sync.Mutex
	closed    bool
	listeners []net.Listener
	conns     map[*conn]struct{}
	done      chan struct{} // closed by Close
	wg        sync.WaitGroup
	pool      bufPool
	pending   atomic.Int64 // messages under way on every connection

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
	s.minor = versionMinor
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
		fr:       newFrameReader(newReader(nc, &s.pool), s.opts.MaxMessageSize, s.opts.Budget, &s.pending),
		w:        writer{nc: nc, pool: &s.pool},
		endpoint: endpoint,
		remote:   nc.RemoteAddr().String(),
	}
	c.fr.refused = func(size uint64) { s.refuse(c, size) }
	if !s.track(c) {
		nc.Close()
		return false
	}
	defer func() {
		s.untrack(c)
		c.fr.r.release()
		c.wmu.Lock()
		c.w.release()
		c.wmu.Unlock()
	}()
	if err := s.handshake(c); err != nil {
		if !s.isClosed() && !errors.Is(err, io.EOF) {
			s.protoErrors.Add(1)
			s.log.Warn("handshake failed", "remote", c.remote, "err", err)
		}
		nc.Close()
		return false
	}
	s.connects.Add(1)
	s.peers.Add(1)
	s.log.Debug("peer connected", "remote", c.remote, "peer_type", c.peerType, "zmtp", fmt.Sprintf("3.%d", c.minor))
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

// handshake exchanges greetings and READY, and checks the peer's type.
func (s *socket) handshake(c *conn) error {
	c.nc.SetDeadline(time.Now().Add(s.opts.HandshakeTimeout))
	defer c.nc.SetDeadline(time.Time{})
	if _, err := c.nc.Write(greeting(s.minor)); err != nil {
		return err
	}
	g := make([]byte, greetingLen)
	if _, err := io.ReadFull(c.fr.r, g[:10]); err != nil {
		return err
	}
	if g[0] != 0xff || g[9]&1 != 1 {
		return fmt.Errorf("%w: not a ZMTP 3 peer (signature % x)", ErrProtocol, g[:10])
	}
	if _, err := io.ReadFull(c.fr.r, g[10:]); err != nil {
		return unexpected(err)
	}
	pg, err := parseGreeting(g)
	if err != nil {
		c.nc.Write(errorCommand(err.Error()))
		return err
	}
	// Both sides use the forms of the lower version.
	c.minor = min(pg.minor, s.minor)
	if pg.major > 3 {
		c.minor = s.minor
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
