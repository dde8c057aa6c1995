package tcp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gobanyan/banyan"
)

// DefaultPort is tgw's device port.
const DefaultPort = 31335

// DefaultMaxFrame bounds a frame body when the length field allows more
// (4-byte mode), so that a corrupt length cannot make us allocate gigabytes.
const DefaultMaxFrame = 1 << 20

var (
	// ErrFrameTooLarge is a frame body longer than the length field can
	// express (255 bytes in tgw's 1-byte mode) or than MaxFrame.
	ErrFrameTooLarge = errors.New("tcp: frame too large")
	// ErrBadFrame is a frame body that is not what the framing requires:
	// not exactly one msgpack value, or (topic framing) not a two-element
	// array of a topic string and a msgpack value.
	ErrBadFrame = errors.New("tcp: bad frame")
	// ErrBadFraming is a Framing that cannot be used: a length field other
	// than 1, 2 or 4 bytes, or a negative MaxFrame.
	ErrBadFraming = errors.New("tcp: bad framing")
)

// Framing says how messages are cut on the TCP stream. The zero value is
// tgw's: a 1-byte length, then that many bytes of msgpack payload, with no
// topic.
//
// Every frame is a big-endian unsigned length of LengthBytes bytes, then
// that many bytes of body. The body is:
//
//   - without Topic: the Banyan payload itself (one msgpack value), as tgw
//     and its MicroPython scripts expect. The topic is not sent.
//   - with Topic: a msgpack array of two elements, the topic (a msgpack
//     str) and the payload (one msgpack value), that is
//     umsgpack.dumps([topic, payload]) on a MicroPython device. The payload
//     is spliced in as it is, never decoded and re-encoded. Example: topic
//     "figura" and payload {'Led_0': 0} give the 1-byte-mode frame
//     10 92 a6 66 69 67 75 72 61 81 a5 4c 65 64 5f 30 00.
//
// A zero-length frame carries nothing: the bridge ignores it, so a device
// may send one as a keep-alive.
type Framing struct {
	// LengthBytes is the size of the length field: 1 (tgw, the default when
	// 0), 2 or 4.
	LengthBytes int
	// Topic selects the topic-carrying body described above.
	Topic bool
	// MaxFrame bounds a body, in bytes, in both directions, below the
	// length field's own limit. 0 means DefaultMaxFrame.
	MaxFrame int
}

func (f Framing) check() error {
	switch f.LengthBytes {
	case 0, 1, 2, 4:
	default:
		return fmt.Errorf("%w: length field of %d bytes: must be 1, 2 or 4", ErrBadFraming, f.LengthBytes)
	}
	if f.MaxFrame < 0 {
		return fmt.Errorf("%w: negative MaxFrame %d", ErrBadFraming, f.MaxFrame)
	}
	return nil
}

func (f Framing) lengthBytes() int {
	if f.LengthBytes == 0 {
		return 1
	}
	return f.LengthBytes
}

// Max is the largest body a frame may carry: the smaller of what the length
// field can express and MaxFrame.
func (f Framing) Max() int {
	limit := DefaultMaxFrame
	if f.MaxFrame > 0 {
		limit = f.MaxFrame
	}
	switch f.lengthBytes() {
	case 1:
		return min(limit, 0xff)
	case 2:
		return min(limit, 0xffff)
	default:
		// A variable, not a constant, so that int(field) compiles where
		// int has 32 bits (and limit cannot exceed it there).
		field := uint64(1<<32 - 1)
		if uint64(limit) > field {
			return int(field)
		}
		return limit
	}
}

// Encode returns the frame (length field and body) that carries payload,
// and topic with topic framing (topic is ignored without it). A body over
// Max is refused with ErrFrameTooLarge.
func (f Framing) Encode(topic string, payload []byte) ([]byte, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	n, limit := f.lengthBytes(), f.Max()
	// Each length is checked before it is added to, so the sum cannot wrap
	// (int has 32 bits on some platforms).
	if len(payload) > limit || (f.Topic && len(topic) > limit) {
		return nil, fmt.Errorf("%w: payload of %d bytes, topic of %d, limit %d", ErrFrameTooLarge, len(payload), len(topic), limit)
	}
	size := uint64(len(payload))
	if f.Topic {
		size += uint64(1 + strHeaderLen(len(topic)) + len(topic))
	}
	if size > uint64(limit) {
		return nil, fmt.Errorf("%w: body of %d bytes, limit %d", ErrFrameTooLarge, size, limit)
	}
	body := int(size) // at most limit, an int
	b := make([]byte, n, n+body)
	switch n {
	case 1:
		b[0] = byte(body)
	case 2:
		binary.BigEndian.PutUint16(b, uint16(body))
	default:
		binary.BigEndian.PutUint32(b, uint32(body))
	}
	if f.Topic {
		b = append(b, 0x92) // fixarray of 2
		b = appendStrHeader(b, len(topic))
		b = append(b, topic...)
	}
	return append(b, payload...), nil
}

func strHeaderLen(n int) int {
	switch {
	case n < 32:
		return 1
	case n <= 0xff:
		return 2
	case n <= 0xffff:
		return 3
	default:
		return 5
	}
}

func appendStrHeader(b []byte, n int) []byte {
	switch {
	case n < 32:
		return append(b, 0xa0|byte(n))
	case n <= 0xff:
		return append(b, 0xd9, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 0xda), uint16(n))
	default:
		return binary.BigEndian.AppendUint32(append(b, 0xdb), uint32(n))
	}
}

// readChunk is the most ReadFrame allocates ahead of the bytes it has
// received: a body is read in pieces that double from here, so memory
// follows what the peer sends, not what its length field claims.
const readChunk = 64 << 10

// ReadFrame reads one whole frame from r and returns its body (a new slice).
// It reads with io.ReadFull, so short reads never cut a frame. At a clean end
// of stream it returns io.EOF; a stream that ends inside a frame gives
// io.ErrUnexpectedEOF. A length over Max gives ErrFrameTooLarge, with
// nothing more read: the stream cannot be trusted after it. Memory grows
// with the bytes that arrive (at most twice them, plus 64 KiB), whatever
// the length field says.
func (f Framing) ReadFrame(r io.Reader) ([]byte, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	var hdr [4]byte
	n := f.lengthBytes()
	if _, err := io.ReadFull(r, hdr[:n]); err != nil {
		return nil, err
	}
	var claimed uint64
	switch n {
	case 1:
		claimed = uint64(hdr[0])
	case 2:
		claimed = uint64(binary.BigEndian.Uint16(hdr[:2]))
	default:
		claimed = uint64(binary.BigEndian.Uint32(hdr[:4]))
	}
	if claimed > uint64(f.Max()) {
		return nil, fmt.Errorf("%w: length field says %d bytes, limit %d", ErrFrameTooLarge, claimed, f.Max())
	}
	size := int(claimed) // at most Max, an int
	body := make([]byte, 0, min(size, readChunk))
	for len(body) < size {
		if len(body) == cap(body) {
			body = slices.Grow(body, min(size-len(body), len(body)))
		}
		k, err := io.ReadFull(r, body[len(body):min(cap(body), size)])
		body = body[:len(body)+k]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return body, nil
}

// Split checks a non-empty frame body and returns the topic (with topic
// framing; "" without) and the msgpack payload, which aliases body. Errors
// wrap ErrBadFrame. A topic must be valid UTF-8, non-empty, and outside
// Banyan's reserved "__banyan/" space.
func (f Framing) Split(body []byte) (topic string, payload []byte, err error) {
	payload = body
	if f.Topic {
		topic, payload, err = splitTopic(body)
		if err != nil {
			return "", nil, err
		}
	}
	if err := banyan.Validate(payload); err != nil {
		return "", nil, fmt.Errorf("%w: payload: %w", ErrBadFrame, err)
	}
	return topic, payload, nil
}

func splitTopic(b []byte) (string, []byte, error) {
	// The array header: fixarray 2, or array16/array32 holding 2.
	switch {
	case len(b) >= 1 && b[0] == 0x92:
		b = b[1:]
	case len(b) >= 3 && b[0] == 0xdc && b[1] == 0 && b[2] == 2:
		b = b[3:]
	case len(b) >= 5 && b[0] == 0xdd && binary.BigEndian.Uint32(b[1:5]) == 2:
		b = b[5:]
	default:
		return "", nil, fmt.Errorf("%w: topic framing needs a msgpack array [topic, payload]", ErrBadFrame)
	}
	if len(b) == 0 {
		return "", nil, fmt.Errorf("%w: topic missing", ErrBadFrame)
	}
	// The str header: h bytes, then n bytes of text. n is compared with
	// what is there as a uint64 before it becomes an int: str32 says up to
	// 4 GiB, and int may have 32 bits.
	var n uint64
	var h int
	switch c := b[0]; {
	case c&0xe0 == 0xa0:
		n, h = uint64(c&0x1f), 1
	case c == 0xd9 && len(b) >= 2:
		n, h = uint64(b[1]), 2
	case c == 0xda && len(b) >= 3:
		n, h = uint64(binary.BigEndian.Uint16(b[1:3])), 3
	case c == 0xdb && len(b) >= 5:
		n, h = uint64(binary.BigEndian.Uint32(b[1:5])), 5
	default:
		return "", nil, fmt.Errorf("%w: topic is not a msgpack str", ErrBadFrame)
	}
	if n > uint64(len(b)-h) {
		return "", nil, fmt.Errorf("%w: topic of %d bytes truncated", ErrBadFrame, n)
	}
	end := h + int(n) // within b
	topic := string(b[h:end])
	switch {
	case topic == "":
		return "", nil, fmt.Errorf("%w: empty topic", ErrBadFrame)
	case !utf8.ValidString(topic):
		return "", nil, fmt.Errorf("%w: topic is not valid UTF-8", ErrBadFrame)
	case strings.HasPrefix(topic, banyan.ReservedPrefix):
		return "", nil, fmt.Errorf("%w: topic %q is in Banyan's reserved space", ErrBadFrame, topic)
	}
	if len(b) == end {
		return "", nil, fmt.Errorf("%w: payload missing", ErrBadFrame)
	}
	return topic, b[end:], nil
}
