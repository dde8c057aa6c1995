package curve

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/nacl/box"
)

// DefaultCookieRotation is how often a Server takes a new cookie key when
// ServerOptions.CookieRotation is zero: RFC 26 has the server discard its
// cookie key every minute.
const DefaultCookieRotation = time.Minute

// ServerOptions are a Server's settings; the zero value (or nil) admits
// every client.
type ServerOptions struct {
	// Authorize decides whether a client, known by its long-term public
	// key, may connect; a non-nil error refuses it. nil admits all.
	// It is called from the goroutines that run handshakes, concurrently.
	Authorize func(client Key) error
	// CookieRotation is how often the cookie key is replaced (by the
	// first HELLO after that much time). A cookie is accepted for at least
	// that long after WELCOME and at most twice as long. Zero means
	// DefaultCookieRotation.
	CookieRotation time.Duration
	// Rand supplies random bytes; nil means crypto/rand's Reader.
	Rand io.Reader
	// Now tells the time for the cookie keys; nil means time.Now.
	Now func() time.Time
}

// Server is the server side of CurveZMQ for one long-term key pair, shared
// by every connection: it holds the cookie keys and the options. Each
// connection's handshake is a ServerHandshake from Handshake. A Server is
// safe for concurrent use.
type Server struct {
	public, secret Key
	opts           ServerOptions
	cookies        cookieJar
}

// NewServer returns a Server with the long-term key pair public, secret.
func NewServer(public, secret Key, opts *ServerOptions) *Server {
	s := &Server{public: public, secret: secret}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.CookieRotation <= 0 {
		s.opts.CookieRotation = DefaultCookieRotation
	}
	if s.opts.Rand == nil {
		s.opts.Rand = rand.Reader
	}
	if s.opts.Now == nil {
		s.opts.Now = time.Now
	}
	s.cookies.rotation = s.opts.CookieRotation
	return s
}

// Public returns the server's long-term public key.
func (s *Server) Public() Key { return s.public }

// Handshake starts the server side of one connection's handshake. metadata
// is sent in READY: ZMTP properties in READY's encoding (Socket-Type, ...).
func (s *Server) Handshake(metadata []byte) *ServerHandshake {
	return &ServerHandshake{srv: s, metadata: append([]byte(nil), metadata...)}
}

// ServerHandshake is the server side of one connection's handshake:
// Hello with the client's HELLO, then Initiate with its INITIATE; then
// Session gives the connection's MESSAGE boxes. Between the two it keeps
// only the client's short-term public key (to check that the cookie is
// this connection's) and HELLO's nonce; the server's short-term secret key
// travels in the cookie, as RFC 26 intends. It is for one goroutine.
type ServerHandshake struct {
	srv         *Server
	metadata    []byte
	clientShort Key
	helloNonce  uint64
	step        int
	session     *Session
}

// Hello reads the client's HELLO command body and returns the WELCOME
// command body. A second HELLO fails with ErrReplay, a signature box that
// does not open with ErrBoxOpen (the client has another server key).
func (h *ServerHandshake) Hello(cmd []byte) (welcome []byte, err error) {
	switch h.step {
	case stepStart:
	case stepFailed:
		return nil, fmt.Errorf("%w: HELLO after a failed handshake", ErrState)
	default:
		return nil, fmt.Errorf("%w: second HELLO", ErrReplay)
	}
	h.step = stepFailed
	data, err := commandData(cmd, "HELLO")
	if err != nil {
		return nil, err
	}
	if len(cmd) != helloSize {
		return nil, fmt.Errorf("%w: HELLO of %d bytes, want %d", ErrMalformed, len(cmd), helloSize)
	}
	if data[0] != 1 || data[1] != 0 {
		return nil, fmt.Errorf("%w: HELLO version %d.%d, want 1.0", ErrMalformed, data[0], data[1])
	}
	copy(h.clientShort[:], data[74:106])
	h.helloNonce = binary.BigEndian.Uint64(data[106:114])
	nonce := shortNonce(prefixHello, h.helloNonce)
	var sig [64]byte
	if _, ok := box.Open(sig[:0], data[114:], &nonce, (*[32]byte)(&h.clientShort), (*[32]byte)(&h.srv.secret)); !ok {
		return nil, fmt.Errorf("%w: HELLO signature (the client has another server key?)", ErrBoxOpen)
	}
	if sig != [64]byte{} {
		return nil, fmt.Errorf("%w: HELLO signature is not 64 zero bytes", ErrMalformed)
	}

	s := h.srv
	shortPub, shortSec, err := GenerateKeyPair(s.opts.Rand)
	if err != nil {
		return nil, err
	}
	plain := make([]byte, 0, 32+cookieSize)
	plain = append(plain, shortPub[:]...)
	if plain, err = s.cookies.seal(plain, s.opts.Now(), s.opts.Rand, &h.clientShort, &shortSec); err != nil {
		return nil, err
	}
	var wn [16]byte
	if _, err := io.ReadFull(s.opts.Rand, wn[:]); err != nil {
		return nil, fmt.Errorf("curve: WELCOME nonce: %w", err)
	}
	b := make([]byte, 0, welcomeSize)
	b = appendName(b, "WELCOME")
	b = append(b, wn[:]...)
	wnonce := longNonce(prefixWelcome, wn[:])
	b = box.Seal(b, plain, &wnonce, (*[32]byte)(&h.clientShort), (*[32]byte)(&s.secret))
	h.step = stepWelcome
	return b, nil
}

// Initiate reads the client's INITIATE command body. It checks the cookie
// (ErrCookie: expired, another server's or another connection's), the
// nonce (ErrReplay), the boxes (ErrBoxOpen), the vouch (ErrVouch: it must
// name this connection's C' and this server's S) and then asks Authorize
// about the client's long-term key (ErrUnauthorized, also wrapping
// Authorize's error). It returns the READY command body, the client's
// long-term public key and its metadata. On ErrUnauthorized, client is
// the refused key; send ErrorCommand("400") as libzmq does.
func (h *ServerHandshake) Initiate(cmd []byte) (ready []byte, client Key, metadata []byte, err error) {
	switch h.step {
	case stepWelcome:
	case stepInitiate:
		return nil, client, nil, fmt.Errorf("%w: second INITIATE", ErrReplay)
	default:
		return nil, client, nil, fmt.Errorf("%w: INITIATE before a WELCOME", ErrState)
	}
	h.step = stepInitiate // whatever the outcome: there is no second try
	data, err := commandData(cmd, "INITIATE")
	if err != nil {
		return nil, client, nil, err
	}
	if len(cmd) < initiateMin {
		return nil, client, nil, fmt.Errorf("%w: INITIATE of %d bytes, want at least %d", ErrMalformed, len(cmd), initiateMin)
	}
	s := h.srv
	clientShort, shortSec, err := s.cookies.open(data[:cookieSize], s.opts.Now())
	if err != nil {
		return nil, client, nil, err
	}
	if clientShort != h.clientShort {
		return nil, client, nil, fmt.Errorf("%w: the cookie is another connection's", ErrCookie)
	}
	n := binary.BigEndian.Uint64(data[cookieSize:])
	if n <= h.helloNonce {
		return nil, client, nil, fmt.Errorf("%w: INITIATE nonce %d not above HELLO's %d", ErrReplay, n, h.helloNonce)
	}
	var shared [32]byte
	box.Precompute(&shared, (*[32]byte)(&clientShort), (*[32]byte)(&shortSec))
	nonce := shortNonce(prefixInitiate, n)
	plain, ok := box.OpenAfterPrecomputation(nil, data[cookieSize+8:], &nonce, &shared)
	if !ok {
		return nil, client, nil, fmt.Errorf("%w: INITIATE", ErrBoxOpen)
	}
	copy(client[:], plain[:32])
	vnonce := longNonce(prefixVouch, plain[32:48])
	var vouch [64]byte
	if _, ok := box.Open(vouch[:0], plain[48:48+vouchBoxSize], &vnonce, (*[32]byte)(&client), (*[32]byte)(&shortSec)); !ok {
		return nil, client, nil, fmt.Errorf("%w: vouch (not sealed by the client's long-term key)", ErrBoxOpen)
	}
	if Key(vouch[:32]) != clientShort || Key(vouch[32:]) != s.public {
		return nil, client, nil, fmt.Errorf("%w: it names another connection or server", ErrVouch)
	}
	metadata = plain[48+vouchBoxSize:]
	if s.opts.Authorize != nil {
		if aerr := s.opts.Authorize(client); aerr != nil {
			return nil, client, metadata, fmt.Errorf("%w: %s: %w", ErrUnauthorized, client, aerr)
		}
	}
	b := make([]byte, 0, readyMin+len(h.metadata))
	b = appendName(b, "READY")
	b = binary.BigEndian.AppendUint64(b, 1)
	rnonce := shortNonce(prefixReady, 1)
	b = box.SealAfterPrecomputation(b, h.metadata, &rnonce, &shared)
	h.session = newSession(&shared, prefixServer, prefixClient, 1, n)
	return b, client, metadata, nil
}

// Session returns the connection's MESSAGE boxes once Initiate has
// succeeded, nil before.
func (h *ServerHandshake) Session() *Session { return h.session }
