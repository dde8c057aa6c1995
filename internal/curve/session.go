package curve

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/nacl/box"
)

// MessageOverhead is how much longer a MESSAGE command body is than the
// frame it carries: name, short nonce, box overhead and the flags byte.
const MessageOverhead = messageMin

// maxScratch bounds the plaintext buffer a Session keeps for Seal; a
// larger frame gets a buffer of its own for that call.
const maxScratch = 64 << 10

// Session seals and opens the MESSAGE commands of one connection after
// the handshake, with the short-term keys' shared key (precomputed once)
// and a short nonce that counts up in each direction. Seal and Open may
// run concurrently with each other (a writer and a reader), but each is
// for one goroutine at a time.
type Session struct {
	shared     [32]byte
	sendPrefix string
	recvPrefix string
	sent       uint64 // the last nonce sealed
	received   uint64 // the last nonce opened
	scratch    []byte // Seal's plaintext
}

// newSession continues the nonces of the handshake: sent is the last one
// we used, received the last one the peer used.
func newSession(shared *[32]byte, sendPrefix, recvPrefix string, sent, received uint64) *Session {
	return &Session{shared: *shared, sendPrefix: sendPrefix, recvPrefix: recvPrefix, sent: sent, received: received}
}

// Seal appends to dst the MESSAGE command body that carries one frame:
// flags (FlagMore, FlagCommand) and body, in a box under the next nonce.
// On the wire it travels as the body of a data frame of its own, with
// flags 0 (LONG as its size needs), never MORE: libzmq sends MESSAGE so,
// and reads a frame with the COMMAND flag as a command even after
// decrypting it. The frame's own MORE or COMMAND is the flags argument.
// It allocates nothing when dst has room for MessageOverhead+len(body)
// more bytes and body is at most 64 KiB (after the first such call).
func (s *Session) Seal(dst []byte, flags byte, body []byte) []byte {
	s.sent++ // 2^64 frames would take millennia: it does not wrap
	dst = append(dst, "\x07MESSAGE"...)
	dst = binary.BigEndian.AppendUint64(dst, s.sent)
	var plain []byte
	if len(body) < maxScratch {
		plain = append(s.scratch[:0], flags)
		plain = append(plain, body...)
		s.scratch = plain
	} else {
		plain = make([]byte, 0, 1+len(body))
		plain = append(append(plain, flags), body...)
	}
	nonce := shortNonce(s.sendPrefix, s.sent)
	return box.SealAfterPrecomputation(dst, plain, &nonce, &s.shared)
}

// Open opens a MESSAGE command body (a data frame's body, as Seal
// describes) and appends the frame's body to dst,
// returning its flags and dst extended by the body (append's contract).
// dst must not overlap cmd. A nonce not above the last one opened fails
// with ErrReplay, a box that does not open with ErrBoxOpen; neither
// changes the session. It allocates nothing when dst has room for the
// body.
func (s *Session) Open(dst, cmd []byte) (flags byte, body []byte, err error) {
	if len(cmd) < messageMin || string(cmd[:8]) != "\x07MESSAGE" {
		return 0, nil, fmt.Errorf("%w: not a MESSAGE command of at least %d bytes", ErrMalformed, messageMin)
	}
	n := binary.BigEndian.Uint64(cmd[8:16])
	if n <= s.received {
		return 0, nil, fmt.Errorf("%w: MESSAGE nonce %d not above %d", ErrReplay, n, s.received)
	}
	nonce := shortNonce(s.recvPrefix, n)
	base := len(dst)
	out, ok := box.OpenAfterPrecomputation(dst, cmd[16:], &nonce, &s.shared)
	if !ok {
		return 0, nil, fmt.Errorf("%w: MESSAGE %d", ErrBoxOpen, n)
	}
	s.received = n
	flags = out[base]
	copy(out[base:], out[base+1:])
	return flags, out[:len(out)-1], nil
}
