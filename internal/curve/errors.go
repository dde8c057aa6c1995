package curve

import "errors"

// Errors reported by the decoders and the mechanism. They are wrapped with
// detail; test for them with errors.Is.
var (
	// ErrMalformed is input of the wrong size or shape: a command, a Z85
	// string, a ZPL file, a key file.
	ErrMalformed = errors.New("curve: malformed input")
	// ErrBoxOpen is a box that failed to open: tampered, or sealed for
	// other keys (a client that has the wrong server key gets this from
	// WELCOME).
	ErrBoxOpen = errors.New("curve: box failed to open")
	// ErrReplay is a nonce not greater than the last one from that peer,
	// or a handshake command that comes a second time.
	ErrReplay = errors.New("curve: replayed nonce or command")
	// ErrCookie is an INITIATE whose cookie is expired, foreign (sealed
	// by another server or cookie key) or from another connection.
	ErrCookie = errors.New("curve: invalid cookie")
	// ErrVouch is an INITIATE whose vouch does not name this connection's
	// short-term key and this server.
	ErrVouch = errors.New("curve: invalid vouch")
	// ErrUnauthorized is a client whose long-term public key the server's
	// Authorize refused.
	ErrUnauthorized = errors.New("curve: client key not authorized")
	// ErrRefused is an ERROR command from the peer instead of the next
	// handshake step; the detail is the peer's reason.
	ErrRefused = errors.New("curve: refused by peer")
	// ErrState is a step taken out of order (INITIATE before HELLO, a
	// session before the handshake is done).
	ErrState = errors.New("curve: handshake step out of order")
	// ErrNoSecret is a key file that holds no secret key where one is needed.
	ErrNoSecret = errors.New("curve: no secret key in file")
	// ErrTooLarge is a file over its size limit.
	ErrTooLarge = errors.New("curve: file too large")
)
