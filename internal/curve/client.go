package curve

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"

	"golang.org/x/crypto/nacl/box"
)

// Steps of a handshake, client or server.
const (
	stepStart = iota
	stepHello
	stepWelcome
	stepInitiate
	stepDone
	stepFailed
)

// Client is the client side of one connection's CurveZMQ handshake (RFC 26):
// Hello, then Welcome with the server's answer, Initiate, and Ready with
// the server's answer; then Session gives the connection's MESSAGE boxes.
// A Client is for one connection and one goroutine.
type Client struct {
	server         Key // S, the server's long-term public key
	public, secret Key // C, c
	short, shortS  Key // C', c'
	serverShort    Key // S', from WELCOME
	cookie         [cookieSize]byte
	shared         [32]byte // precomputed from S' and c'
	metadata       []byte
	rand           io.Reader
	nonce          uint64 // the last short nonce we sent
	step           int
	session        *Session
}

// NewClient starts a handshake with the server whose long-term public key
// is server, as the client with the long-term key pair public, secret.
// metadata is sent in INITIATE: ZMTP properties in READY's encoding
// (Socket-Type and so on). Random bytes come from rnd, or crypto/rand's
// Reader when nil.
func NewClient(server, public, secret Key, metadata []byte, rnd io.Reader) (*Client, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	c := &Client{server: server, public: public, secret: secret, rand: rnd,
		metadata: append([]byte(nil), metadata...)}
	var err error
	if c.short, c.shortS, err = GenerateKeyPair(rnd); err != nil {
		return nil, err
	}
	return c, nil
}

// Hello returns the HELLO command body: version 1.0, 72 bytes of padding,
// the client's short-term public key C', a short nonce and the signature,
// a box of 64 zero bytes from C' to S.
func (c *Client) Hello() []byte {
	c.nonce++
	c.step = stepHello
	b := make([]byte, 0, helloSize)
	b = appendName(b, "HELLO")
	b = append(b, 1, 0)
	b = append(b, make([]byte, 72)...)
	b = append(b, c.short[:]...)
	b = binary.BigEndian.AppendUint64(b, c.nonce)
	nonce := shortNonce(prefixHello, c.nonce)
	var zeros [64]byte
	return box.Seal(b, zeros[:], &nonce, (*[32]byte)(&c.server), (*[32]byte)(&c.shortS))
}

// Welcome reads the server's WELCOME command body: it opens the box (from
// S to C') that holds the server's short-term key S' and the cookie. A
// server that does not have the secret key of S fails with ErrBoxOpen; an
// ERROR command with ErrRefused.
func (c *Client) Welcome(cmd []byte) error {
	if err := c.expect(stepHello); err != nil {
		return err
	}
	c.step = stepFailed
	data, err := commandData(cmd, "WELCOME")
	if err != nil {
		return err
	}
	if len(cmd) != welcomeSize {
		return fmt.Errorf("%w: WELCOME of %d bytes, want %d", ErrMalformed, len(cmd), welcomeSize)
	}
	nonce := longNonce(prefixWelcome, data[:16])
	var plain [32 + cookieSize]byte
	if _, ok := box.Open(plain[:0], data[16:], &nonce, (*[32]byte)(&c.server), (*[32]byte)(&c.shortS)); !ok {
		return fmt.Errorf("%w: WELCOME (is the server key right?)", ErrBoxOpen)
	}
	copy(c.serverShort[:], plain[:32])
	copy(c.cookie[:], plain[32:])
	box.Precompute(&c.shared, (*[32]byte)(&c.serverShort), (*[32]byte)(&c.shortS))
	c.step = stepWelcome
	return nil
}

// Initiate returns the INITIATE command body: the cookie, a short nonce and
// a box from C' to S' holding the client's long-term key C, the vouch (a
// box of C' and S from C to S', under a long nonce) and the metadata.
func (c *Client) Initiate() ([]byte, error) {
	if err := c.expect(stepWelcome); err != nil {
		return nil, err
	}
	c.step = stepFailed
	var vn [16]byte
	if _, err := io.ReadFull(c.rand, vn[:]); err != nil {
		return nil, fmt.Errorf("curve: vouch nonce: %w", err)
	}
	var vouchPlain [64]byte
	copy(vouchPlain[:32], c.short[:])
	copy(vouchPlain[32:], c.server[:])
	vnonce := longNonce(prefixVouch, vn[:])
	plain := make([]byte, 0, 32+16+vouchBoxSize+len(c.metadata))
	plain = append(plain, c.public[:]...)
	plain = append(plain, vn[:]...)
	plain = box.Seal(plain, vouchPlain[:], &vnonce, (*[32]byte)(&c.serverShort), (*[32]byte)(&c.secret))
	plain = append(plain, c.metadata...)

	c.nonce++
	b := make([]byte, 0, initiateMin+len(c.metadata))
	b = appendName(b, "INITIATE")
	b = append(b, c.cookie[:]...)
	b = binary.BigEndian.AppendUint64(b, c.nonce)
	nonce := shortNonce(prefixInitiate, c.nonce)
	b = box.SealAfterPrecomputation(b, plain, &nonce, &c.shared)
	c.step = stepInitiate
	return b, nil
}

// Ready reads the server's READY command body and returns the server's
// metadata (ZMTP properties). A server that refused the client (its key
// not authorized) sends ERROR instead: ErrRefused with the reason.
func (c *Client) Ready(cmd []byte) (metadata []byte, err error) {
	if err := c.expect(stepInitiate); err != nil {
		return nil, err
	}
	c.step = stepFailed
	data, err := commandData(cmd, "READY")
	if err != nil {
		return nil, err
	}
	if len(cmd) < readyMin {
		return nil, fmt.Errorf("%w: READY of %d bytes", ErrMalformed, len(cmd))
	}
	n := binary.BigEndian.Uint64(data)
	nonce := shortNonce(prefixReady, n)
	meta, ok := box.OpenAfterPrecomputation(nil, data[8:], &nonce, &c.shared)
	if !ok {
		return nil, fmt.Errorf("%w: READY", ErrBoxOpen)
	}
	c.session = newSession(&c.shared, prefixClient, prefixServer, c.nonce, n)
	c.step = stepDone
	return meta, nil
}

// Session returns the connection's MESSAGE boxes once Ready has succeeded,
// nil before.
func (c *Client) Session() *Session { return c.session }

// expect checks that the handshake is at the given step.
func (c *Client) expect(step int) error {
	switch {
	case c.step == step:
		return nil
	case c.step > step && c.step != stepFailed:
		return fmt.Errorf("%w: that handshake step was taken already", ErrReplay)
	}
	return fmt.Errorf("%w: client at step %d, not %d", ErrState, c.step, step)
}
