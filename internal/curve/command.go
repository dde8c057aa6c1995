package curve

import (
	"encoding/binary"
	"fmt"
)

// Command names, and the sizes RFC 26 gives the handshake's commands.
// A command body is what a ZMTP command frame carries: a 1-byte name
// length, the name, then the data.
const (
	helloSize    = 1 + 5 + 2 + 72 + 32 + 8 + 80 // name, version, padding, C', nonce, signature
	welcomeSize  = 1 + 7 + 16 + 144             // name, nonce, box[S' + cookie]
	cookieSize   = 16 + 80                      // nonce, box[C' + s']
	initiateMin  = 1 + 8 + cookieSize + 8 + 144 // name, cookie, nonce, box[C + vouch nonce + vouch + metadata]
	readyMin     = 1 + 5 + 8 + 16               // name, nonce, box[metadata]
	messageMin   = 1 + 7 + 8 + 16 + 1           // name, nonce, box[flags + body]
	boxOverhead  = 16
	vouchBoxSize = 64 + boxOverhead
)

// Flags inside a MESSAGE box (RFC 26; libzmq also marks commands sent after
// the handshake, such as ZMTP 3.1's SUBSCRIBE and PING).
const (
	// FlagMore marks a frame that more frames of the same message follow.
	FlagMore = 0x01
	// FlagCommand marks a ZMTP command carried in a MESSAGE box.
	FlagCommand = 0x02
)

// Nonce prefixes (RFC 26).
const (
	prefixHello    = "CurveZMQHELLO---"
	prefixWelcome  = "WELCOME-"
	prefixCookie   = "COOKIE--"
	prefixInitiate = "CurveZMQINITIATE"
	prefixVouch    = "VOUCH---"
	prefixReady    = "CurveZMQREADY---"
	prefixClient   = "CurveZMQMESSAGEC" // MESSAGE from client to server
	prefixServer   = "CurveZMQMESSAGES" // MESSAGE from server to client
)

// shortNonce is a 24-byte nonce of a 16-byte prefix and an 8-byte
// big-endian counter.
func shortNonce(prefix string, n uint64) (nonce [24]byte) {
	copy(nonce[:], prefix)
	binary.BigEndian.PutUint64(nonce[16:], n)
	return nonce
}

// longNonce is a 24-byte nonce of an 8-byte prefix and 16 given bytes.
func longNonce(prefix string, b []byte) (nonce [24]byte) {
	copy(nonce[:], prefix)
	copy(nonce[8:], b)
	return nonce
}

// appendName appends a command's name with its length byte.
func appendName(dst []byte, name string) []byte {
	return append(append(dst, byte(len(name))), name...)
}

// commandData checks that body is the named command and returns its data.
// An ERROR in its place fails with ErrRefused and the peer's reason.
func commandData(body []byte, name string) ([]byte, error) {
	if len(body) < 1 || int(body[0]) > len(body)-1 {
		return nil, fmt.Errorf("%w: truncated command name", ErrMalformed)
	}
	got := body[1 : 1+int(body[0])]
	if string(got) == name {
		return body[1+len(got):], nil
	}
	if string(got) == "ERROR" {
		reason, err := ParseError(body)
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: ERROR %q in place of %s", ErrRefused, reason, name)
	}
	return nil, fmt.Errorf("%w: expected %s, got command %q", ErrMalformed, name, clip(got))
}

// ErrorCommand builds the body of an ERROR command (RFC 23): a 1-byte
// length and the reason, cut to 255 bytes. To a client refused by
// authentication libzmq sends the ZAP status code "400" as the reason, and
// a libzmq client reports a 3-digit reason as that status.
func ErrorCommand(reason string) []byte {
	if len(reason) > 255 {
		reason = reason[:255]
	}
	b := appendName(make([]byte, 0, 7+len(reason)), "ERROR")
	return append(append(b, byte(len(reason))), reason...)
}

// ParseError returns the reason of an ERROR command body.
func ParseError(body []byte) (string, error) {
	if len(body) < 6 || string(body[:6]) != "\x05ERROR" {
		return "", fmt.Errorf("%w: not an ERROR command", ErrMalformed)
	}
	data := body[6:]
	if len(data) < 1 || int(data[0]) != len(data)-1 {
		return "", fmt.Errorf("%w: ERROR reason length does not match its %d bytes", ErrMalformed, len(data))
	}
	return string(data[1:]), nil
}
