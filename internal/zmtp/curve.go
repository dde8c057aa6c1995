package zmtp

import (
	"errors"
	"fmt"

	"github.com/gobanyan/banyan/internal/curve"
)

// mechCurve is the CURVE mechanism's name in the greeting.
const mechCurve = "CURVE"

// errCurveOld refuses a ZMTP 1.0 or 2.0 peer on a CURVE socket: those
// versions have no security mechanisms.
var errCurveOld = fmt.Errorf("%w: CURVE needs ZMTP 3.x; the peer speaks an older version", ErrProtocol)

// Curve turns on CURVE (RFC 26) for Options.Curve. A socket is the CURVE
// server on the connections it accepts (Bind) and a client on those it
// dials (Connect).
type Curve struct {
	// Server answers the handshakes of accepted connections, and decides
	// which client keys are admitted (curve.ServerOptions.Authorize). A
	// socket without one refuses to Bind.
	Server *curve.Server
	// ServerKey is the long-term public key of the servers a socket dials;
	// a socket without one refuses to Connect.
	ServerKey curve.Key
	// Public and Secret are our long-term key pair for dialed connections.
	Public, Secret curve.Key
}

// handshakeCurve runs the CURVE handshake after the greeting, in place of
// the NULL mechanism's READY exchange, and on success switches the
// connection to MESSAGE boxes both ways. It runs under the handshake
// deadline.
func (s *socket) handshakeCurve(c *conn) error {
	meta := properties("Socket-Type", string(s.kind))
	var sess *curve.Session
	var err error
	if c.endpoint == "" {
		sess, err = s.curveServer(c, meta)
	} else {
		sess, err = s.curveClient(c, meta)
	}
	if err != nil {
		return err
	}
	c.sealed = sess
	c.w.sess = sess
	c.open = newOpenReader(c.fr.r, sess, c.fr.limit, s.opts.Budget)
	c.fr.r = newReader(c.open, &s.pool)
	return nil
}

// curveCommand reads one handshake command and returns its body. An ERROR
// from the peer is reported with its reason.
func (c *conn) curveCommand(want string) ([]byte, error) {
	body, err := c.fr.readCommandBody()
	if err != nil {
		return nil, unexpected(err)
	}
	if name, data, perr := parseCommand(body); perr == nil && name == "ERROR" && want != "ERROR" {
		reason, _ := curve.ParseError(body)
		if reason == "" && len(data) > 0 {
			reason = string(data[1:])
		}
		return nil, fmt.Errorf("%w: peer refused the CURVE handshake: %q", ErrProtocol, reason)
	}
	return body, nil
}

func (s *socket) curveClient(c *conn, meta []byte) (*curve.Session, error) {
	cv := s.opts.Curve
	c.curveKey = cv.ServerKey
	cl, err := curve.NewClient(cv.ServerKey, cv.Public, cv.Secret, meta, nil)
	if err != nil {
		return nil, err
	}
	if _, err := c.nc.Write(appendFrame(nil, flagCommand, cl.Hello())); err != nil {
		return nil, err
	}
	body, err := c.curveCommand("WELCOME")
	if err != nil {
		return nil, err
	}
	if err := cl.Welcome(body); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	initiate, err := cl.Initiate()
	if err != nil {
		return nil, err
	}
	if _, err := c.nc.Write(appendFrame(nil, flagCommand, initiate)); err != nil {
		return nil, err
	}
	if body, err = c.curveCommand("READY"); err != nil {
		return nil, err
	}
	peerMeta, err := cl.Ready(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	if err := s.checkPeer(c, peerMeta); err != nil {
		return nil, err
	}
	return cl.Session(), nil
}

func (s *socket) curveServer(c *conn, meta []byte) (*curve.Session, error) {
	h := s.opts.Curve.Server.Handshake(meta)
	body, err := c.curveCommand("HELLO")
	if err != nil {
		return nil, err
	}
	welcome, err := h.Hello(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	if _, err := c.nc.Write(appendFrame(nil, flagCommand, welcome)); err != nil {
		return nil, err
	}
	if body, err = c.curveCommand("INITIATE"); err != nil {
		return nil, err
	}
	ready, client, peerMeta, err := h.Initiate(body)
	c.curveKey = client
	if errors.Is(err, curve.ErrUnauthorized) {
		c.nc.Write(appendFrame(nil, flagCommand, curve.ErrorCommand("400")))
		return nil, fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	if err := s.checkPeer(c, peerMeta); err != nil {
		return nil, err
	}
	if _, err := c.nc.Write(appendFrame(nil, flagCommand, ready)); err != nil {
		return nil, err
	}
	return h.Session(), nil
}

// closeWhere closes every connection whose handshake is done and for which
// match reports true, and returns how many it closed.
func (s *socket) closeWhere(match func(PeerInfo) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for c := range s.conns {
		if c.up.Load() && match(c.info()) {
			c.nc.Close()
			n++
		}
	}
	return n
}

// CloseWhere closes every connected peer for which match reports true
// (given what Peers would report, without counts: Remote, Endpoint,
// PeerType, Version, Since, CurveKey), and returns how many. A CURVE server
// whose authorized keys changed closes the peers whose CurveKey is no
// longer admitted.
func (p *Pub) CloseWhere(match func(PeerInfo) bool) int { return p.s.closeWhere(match) }

// CloseWhere closes every connected peer for which match reports true, as
// Pub.CloseWhere does, and returns how many.
func (sb *Sub) CloseWhere(match func(PeerInfo) bool) int { return sb.s.closeWhere(match) }
