package zmtp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync/atomic"
)

// Errors reported for protocol faults. They are wrapped with detail.
var (
	// ErrProtocol is a malformed greeting, command or frame from the peer.
	ErrProtocol = errors.New("zmtp: protocol error")
	// ErrTooLarge is a message larger than the socket's maximum size.
	ErrTooLarge = errors.New("zmtp: message too large")
	// ErrIncompatible is a peer whose socket type cannot talk to ours.
	ErrIncompatible = errors.New("zmtp: incompatible socket type")
	// ErrBudget is a connection closed because partially received messages
	// already hold the whole Budget.
	ErrBudget = errors.New("zmtp: budget for partially received messages exhausted")
	// ErrClosed is returned by operations on a closed socket.
	ErrClosed = errors.New("zmtp: socket closed")
)

const (
	greetingLen = 64
	// signatureLen is the part of the greeting that every version from
	// 2.0 on starts with, and that a ZMTP 1.0 peer reads as a whole empty
	// identity frame (RFC 23, "Detecting ZMTP 1.0 and 2.0 Peers").
	signatureLen = 10
	// maxIdentity bounds a ZMTP 1.0 or 2.0 identity frame, which we read
	// and drop: RFC 13 and RFC 23 allow identities of at most 255 bytes.
	maxIdentity = 255

	flagMore    = 0x01
	flagLong    = 0x02
	flagCommand = 0x04

	// Our greeting advertises 3.1.
	versionMajor = 3
	versionMinor = 1
)

// greeting returns our 64-byte greeting: signature, version 3.minor, NULL
// mechanism, as-server 0, filler. The signature's padding holds our
// identity's length plus one (1: we have none), so that to a ZMTP 1.0 peer
// the signature is a whole empty identity frame: a long length of 1 (the
// flags byte) and flags 0x7f, as libzmq sends it (zmtp_engine.cpp,
// plug_internal; RFC 23, "Detecting ZMTP 1.0 and 2.0 Peers").
func greeting(minor byte) []byte { return greetingFor(minor, "NULL", false) }

// greetingFor is greeting with another mechanism and the as-server flag.
func greetingFor(minor byte, mechanism string, asServer bool) []byte {
	g := make([]byte, greetingLen)
	g[0] = 0xff
	g[8] = 1
	g[9] = 0x7f
	g[10] = versionMajor
	g[11] = minor
	copy(g[12:32], mechanism)
	if asServer {
		g[32] = 1
	}
	return g
}

// peerGreeting is what we learn from the peer's greeting.
type peerGreeting struct {
	major, minor byte
	mechanism    string
}

// parseGreeting checks a peer's 64-byte greeting (mechanism NULL).
func parseGreeting(g []byte) (peerGreeting, error) { return parseGreetingFor(g, "NULL") }

// parseGreetingFor checks a peer's 64-byte greeting, which must name
// mechanism. The as-server flag is not checked: libzmq 4.3 sends 0 even as a
// CURVE server.
func parseGreetingFor(g []byte, mechanism string) (peerGreeting, error) {
	var pg peerGreeting
	if len(g) != greetingLen {
		return pg, fmt.Errorf("%w: greeting is %d bytes, want %d", ErrProtocol, len(g), greetingLen)
	}
	if g[0] != 0xff || g[9]&0x01 != 0x01 {
		return pg, fmt.Errorf("%w: bad greeting signature % x", ErrProtocol, g[:10])
	}
	pg.major, pg.minor = g[10], g[11]
	if pg.major < 3 {
		return pg, fmt.Errorf("%w: peer speaks ZMTP %d.%d, need 3.x", ErrProtocol, pg.major, pg.minor)
	}
	pg.mechanism = string(bytes.TrimRight(g[12:32], "\x00"))
	if pg.mechanism != mechanism {
		return pg, fmt.Errorf("%w: peer's security mechanism is %q, ours %q", ErrProtocol, pg.mechanism, mechanism)
	}
	return pg, nil
}

// appendFrame appends one frame in wire form to dst: the ZMTP 3.x form,
// which is also ZMTP 2.0's. RFC 15 defines 2.0 frames as a flags byte (bit 0
// MORE, bit 1 LONG, the rest reserved and zero) then a 1-byte size, or with
// LONG an 8-byte big-endian one, then the body; RFC 23 keeps that layout for
// 3.x and only adds bit 2 (COMMAND). So a message frame in 3.x form is a
// valid 2.0 frame as it is (libzmq speaks both with one encoder,
// v2_encoder.cpp), and a Msg goes to a 2.0 peer unchanged.
func appendFrame(dst []byte, flags byte, body []byte) []byte {
	if len(body) > 255 {
		dst = append(dst, flags|flagLong)
		dst = binary.BigEndian.AppendUint64(dst, uint64(len(body)))
	} else {
		dst = append(dst, flags, byte(len(body)))
	}
	return append(dst, body...)
}

// appendFrame10 appends one frame in ZMTP 1.0 form (RFC 13) to dst: a
// length that counts the flags byte too, one byte below 255 and otherwise
// 0xff and 8 bytes big-endian (as libzmq's v1_encoder.cpp chooses), the
// flags byte (bit 0 MORE) and the body.
func appendFrame10(dst []byte, flags byte, body []byte) []byte {
	return append(appendHeader10(dst, flags, len(body)), body...)
}

// appendHeader10 appends the ZMTP 1.0 header of a frame of size body bytes.
func appendHeader10(dst []byte, flags byte, size int) []byte {
	if n := uint64(size) + 1; n < 255 {
		dst = append(dst, byte(n))
	} else {
		dst = append(dst, 0xff)
		dst = binary.BigEndian.AppendUint64(dst, n)
	}
	return append(dst, flags&flagMore)
}

// appendCommand appends a command frame (name, then data) to dst.
func appendCommand(dst []byte, name string, data ...[]byte) []byte {
	n := 1 + len(name)
	for _, d := range data {
		n += len(d)
	}
	body := make([]byte, 0, n)
	body = append(body, byte(len(name)))
	body = append(body, name...)
	for _, d := range data {
		body = append(body, d...)
	}
	return appendFrame(dst, flagCommand, body)
}

// readyCommand builds READY with the given properties (name, value pairs).
func readyCommand(props ...string) []byte { return appendCommand(nil, "READY", properties(props...)) }

// properties encodes READY metadata (name, value pairs).
func properties(props ...string) []byte {
	var data []byte
	for i := 0; i+1 < len(props); i += 2 {
		data = append(data, byte(len(props[i])))
		data = append(data, props[i]...)
		data = binary.BigEndian.AppendUint32(data, uint32(len(props[i+1])))
		data = append(data, props[i+1]...)
	}
	return data
}

// errorCommand builds ERROR with a reason of at most 255 bytes.
func errorCommand(reason string) []byte {
	if len(reason) > 255 {
		reason = reason[:255]
	}
	return appendCommand(nil, "ERROR", append([]byte{byte(len(reason))}, reason...))
}

// parseCommand splits a command body into name and data.
func parseCommand(body []byte) (name string, data []byte, err error) {
	if len(body) < 1 || int(body[0]) > len(body)-1 {
		return "", nil, fmt.Errorf("%w: truncated command name", ErrProtocol)
	}
	n := int(body[0])
	return string(body[1 : 1+n]), body[1+n:], nil
}

// parseProperties decodes READY metadata. Names are case-insensitive, so they
// are returned lower-cased.
func parseProperties(data []byte) (map[string]string, error) {
	props := map[string]string{}
	for len(data) > 0 {
		n := int(data[0])
		if len(data) < 1+n+4 {
			return nil, fmt.Errorf("%w: truncated property name", ErrProtocol)
		}
		name := strings.ToLower(string(data[1 : 1+n]))
		data = data[1+n:]
		vlen := binary.BigEndian.Uint32(data)
		data = data[4:]
		if uint64(vlen) > uint64(len(data)) {
			return nil, fmt.Errorf("%w: truncated value of property %q", ErrProtocol, name)
		}
		props[name] = string(data[:vlen])
		data = data[vlen:]
	}
	return props, nil
}

// Limits on what one peer may make us hold.
const (
	// maxFrames bounds the frames of one message, so empty frames cannot
	// grow a message past the size limit through their headers.
	maxFrames = 1 << 16
	// maxCommand bounds one command frame (SUBSCRIBE, PING, ...).
	maxCommand = 1 << 20
	// maxHandshakeCommand bounds READY and ERROR.
	maxHandshakeCommand = 1 << 16
	// firstChunk is the most a frame body reserves before its bytes arrive.
	firstChunk = 4 << 10
)

// frameReader reads frames and assembles messages. Every size from the wire
// is compared with a limit before it is added to anything or converted, and
// a body is read in chunks that grow with the bytes that have arrived, so a
// header claiming a huge frame reserves nothing.
type frameReader struct {
	r       *reader
	limit   uint64  // most body bytes (all frames) in one message
	budget  *Budget // shared bound on partially received messages; may be nil
	pending *atomic.Int64
	// refused, if set, hears of each message over the limit as soon as
	// its size shows it (before its bytes are read past).
	refused func(size uint64)
	// v1 reads ZMTP 1.0 frames (RFC 13); noCmd refuses the COMMAND flag
	// (ZMTP 1.0 and 2.0 have no commands). Both are set by the handshake.
	v1, noCmd bool
}

// newFrameReader reads from r. maxSize <= 0 means the largest message this
// process can address (a quarter of the int range).
func newFrameReader(r *reader, maxSize int64, budget *Budget, pending *atomic.Int64) frameReader {
	limit := uint64(math.MaxInt / 4)
	if maxSize > 0 && uint64(maxSize) < limit {
		limit = uint64(maxSize)
	}
	if pending == nil {
		pending = new(atomic.Int64)
	}
	return frameReader{r: r, limit: limit, budget: budget, pending: pending}
}

// skippedError reports a message larger than the limit: its bytes were read
// and dropped, and the connection is still in step.
type skippedError struct{ size uint64 }

func (e *skippedError) Error() string {
	return fmt.Sprintf("%s: message of at least %d bytes skipped", ErrTooLarge, e.size)
}

func (e *skippedError) Is(target error) bool { return target == ErrTooLarge }

// readFrameHeader reads flags and size, in the framing of the connection's
// version. What it returns is in 3.x terms: flags MORE and COMMAND, the size
// of the body alone.
func (fr *frameReader) readFrameHeader() (flags byte, size uint64, err error) {
	if fr.v1 {
		flags, size, err = fr.readHeader10()
		if err == nil && flags&^flagMore != 0 {
			// RFC 13: bits 1-7 are reserved. libzmq ignores them; we
			// refuse them, as we refuse reserved bits from later versions.
			return 0, 0, fmt.Errorf("%w: reserved flag bits set in a ZMTP 1.0 frame (0x%02x)", ErrProtocol, flags)
		}
		return flags, size, err
	}
	flags, err = fr.r.ReadByte()
	if err != nil {
		return 0, 0, err
	}
	allowed := byte(flagMore | flagLong | flagCommand)
	if fr.noCmd {
		allowed = flagMore | flagLong // RFC 15: bits 2-7 are reserved
	}
	if flags&^allowed != 0 {
		return 0, 0, fmt.Errorf("%w: reserved flag bits set (0x%02x)", ErrProtocol, flags)
	}
	if flags&flagLong != 0 {
		var b [8]byte
		if _, err = io.ReadFull(fr.r, b[:]); err != nil {
			return 0, 0, unexpected(err)
		}
		size = binary.BigEndian.Uint64(b[:])
	} else {
		var b byte
		if b, err = fr.r.ReadByte(); err != nil {
			return 0, 0, unexpected(err)
		}
		size = uint64(b)
	}
	if flags&flagCommand != 0 && flags&flagMore != 0 {
		return 0, 0, fmt.Errorf("%w: command frame with MORE flag", ErrProtocol)
	}
	return flags, size, nil
}

// readHeader10 reads a ZMTP 1.0 frame header (RFC 13): a length of 1 byte,
// or 0xff and 8 bytes big-endian, that counts the flags byte too, then the
// flags byte, returned unchecked. size is the body's length. A length of 0
// (no room for the flags byte) is a protocol error, as in libzmq's
// v1_decoder.cpp.
func (fr *frameReader) readHeader10() (flags byte, size uint64, err error) {
	b, err := fr.r.ReadByte()
	if err != nil {
		return 0, 0, err
	}
	n := uint64(b)
	if b == 0xff {
		var l [8]byte
		if _, err = io.ReadFull(fr.r, l[:]); err != nil {
			return 0, 0, unexpected(err)
		}
		n = binary.BigEndian.Uint64(l[:])
	}
	if n == 0 {
		return 0, 0, fmt.Errorf("%w: ZMTP 1.0 frame of length 0 (no flags byte)", ErrProtocol)
	}
	if flags, err = fr.r.ReadByte(); err != nil {
		return 0, 0, unexpected(err)
	}
	return flags, n - 1, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readCommand reads one whole frame that must be a command (handshake).
func (fr *frameReader) readCommand() (name string, data []byte, err error) {
	body, err := fr.readCommandBody()
	if err != nil {
		return "", nil, err
	}
	return parseCommand(body)
}

// readCommandBody reads one whole frame that must be a command (handshake)
// and returns its body.
func (fr *frameReader) readCommandBody() ([]byte, error) {
	flags, size, err := fr.readFrameHeader()
	if err != nil {
		return nil, err
	}
	if flags&flagCommand == 0 {
		return nil, fmt.Errorf("%w: expected a command during the handshake", ErrProtocol)
	}
	if size > maxHandshakeCommand {
		return nil, fmt.Errorf("%w: handshake command of %d bytes", ErrProtocol, size)
	}
	var held int64
	body, err := fr.readBody(nil, size, &held)
	fr.budget.release(held)
	return body, err
}

// next reads the next unit from the stream: either a command (cmd != nil,
// msg empty) or a whole multi-frame message in wire form (a fresh slice the
// caller owns). A message over the limit is reported to fr.refused, read
// past and then returned as a *skippedError; the stream stays usable.
func (fr *frameReader) next() (msg Msg, cmd []byte, err error) {
	if m, ok := fr.fast(); ok {
		return m, nil, nil
	}
	return fr.slow()
}

// fast assembles a message that is wholly in the read buffer, with one
// exact-size allocation and one copy. It declines (ok=false) anything else:
// commands, faults, partial or oversized messages go the slow way.
func (fr *frameReader) fast() (Msg, bool) {
	if fr.v1 {
		return Msg{}, false // ZMTP 1.0 peers are rare: the slow way re-frames
	}
	buf := fr.r.buffered()
	off, wire, frames := 0, 0, 0
	var total uint64
	for {
		if len(buf)-off < 2 {
			return Msg{}, false
		}
		flags := buf[off]
		if flags&^(flagMore|flagLong) != 0 {
			return Msg{}, false
		}
		h := 2
		size := uint64(buf[off+1])
		if flags&flagLong != 0 {
			if len(buf)-off < 9 {
				return Msg{}, false
			}
			h = 9
			size = binary.BigEndian.Uint64(buf[off+1:])
		}
		// Both checks compare before adding: no overflow.
		if size > uint64(len(buf)-off-h) || size > fr.limit-total {
			return Msg{}, false
		}
		total += size
		off += h + int(size)
		wire += int(size) + 2
		if size > 255 {
			wire += 7
		}
		if frames++; flags&flagMore == 0 {
			break
		}
	}
	raw := make([]byte, 0, wire)
	if wire == off {
		raw = append(raw, buf[:off]...) // headers already canonical
	} else {
		for p := 0; p < off; {
			flags := buf[p] & flagMore
			var size int
			if buf[p]&flagLong != 0 {
				size = int(binary.BigEndian.Uint64(buf[p+1:]))
				p += 9
			} else {
				size = int(buf[p+1])
				p += 2
			}
			raw = appendFrame(raw, flags, buf[p:p+size])
			p += size
		}
	}
	fr.r.advance(off)
	return Msg{raw: raw}, true
}

// slow reads a message or command frame by frame from the stream.
func (fr *frameReader) slow() (msg Msg, cmd []byte, err error) {
	var (
		raw      []byte
		total    uint64 // body bytes so far
		nframes  int
		skipping bool
		held     int64 // budget taken for raw
	)
	defer func() {
		fr.budget.release(held)
		if nframes > 0 {
			fr.pending.Add(-1)
		}
	}()
	for {
		flags, size, err := fr.readFrameHeader()
		if err != nil {
			if nframes > 0 {
				err = unexpected(err)
			}
			return Msg{}, nil, err
		}
		if nframes == 0 {
			fr.pending.Add(1) // a message (or command) is under way
		}
		nframes++
		if flags&flagCommand != 0 {
			if nframes > 1 {
				return Msg{}, nil, fmt.Errorf("%w: command inside a multi-frame message", ErrProtocol)
			}
			if size > maxCommand || size > fr.limit {
				return Msg{}, nil, fmt.Errorf("%w: command of %d bytes", ErrTooLarge, size)
			}
			body, err := fr.readBody(make([]byte, 0, min(size, firstChunk)), size, &held)
			return Msg{}, body, err
		}
		if nframes > maxFrames {
			return Msg{}, nil, fmt.Errorf("%w: more than %d frames in one message", ErrProtocol, maxFrames)
		}
		if skipping || size > fr.limit-total {
			if size > math.MaxUint64-total {
				total = math.MaxUint64
			} else {
				total += size
			}
			if !skipping {
				skipping = true
				raw = nil
				fr.budget.release(held)
				held = 0
				if fr.refused != nil {
					fr.refused(total)
				}
			}
			if err := fr.r.discard(size); err != nil {
				return Msg{}, nil, unexpected(err)
			}
			if flags&flagMore == 0 {
				return Msg{}, nil, &skippedError{size: total}
			}
			continue
		}
		total += size
		if size > 255 {
			raw = append(raw, flags&flagMore|flagLong)
			raw = binary.BigEndian.AppendUint64(raw, size)
		} else {
			raw = append(raw, flags&flagMore, byte(size))
		}
		if raw, err = fr.readBody(raw, size, &held); err != nil {
			return Msg{}, nil, err
		}
		if flags&flagMore == 0 {
			return Msg{raw: raw}, nil, nil
		}
	}
}

// readBody appends n bytes from the stream to dst. It reserves room only as
// bytes arrive: at most what is buffered or firstChunk, then at most double
// what it holds. Capacity beyond one buffer is taken from the budget.
func (fr *frameReader) readBody(dst []byte, n uint64, held *int64) ([]byte, error) {
	for n > 0 {
		if len(dst) == cap(dst) {
			grow := uint64(max(firstChunk, len(dst), len(fr.r.buffered())))
			if grow > n {
				grow = n
			}
			newCap := len(dst) + int(grow) // n <= limit <= MaxInt/4: no overflow
			if extra := int64(newCap) - max(int64(cap(dst)), bufSize); extra > 0 {
				if !fr.budget.acquire(extra) {
					return nil, fmt.Errorf("%w (%d bytes in use)", ErrBudget, fr.budget.InUse())
				}
				*held += extra
			}
			nb := make([]byte, len(dst), newCap)
			copy(nb, dst)
			dst = nb
		}
		k := cap(dst) - len(dst)
		if uint64(k) > n {
			k = int(n)
		}
		m, err := fr.r.Read(dst[len(dst) : len(dst)+k])
		dst = dst[:len(dst)+m]
		n -= uint64(m)
		if err != nil && n > 0 {
			return nil, unexpected(err)
		}
	}
	return dst, nil
}

// Budget bounds the memory that partially received messages hold, summed
// over every connection of the sockets that share it, so that many peers
// each sending half a large message cannot exhaust memory together. The
// first 64 KiB of each message are not counted. A connection whose message
// would pass the bound is closed with ErrBudget. A nil *Budget is unbounded.
type Budget struct {
	limit int64
	used  atomic.Int64
}

// NewBudget returns a budget of limit bytes.
func NewBudget(limit int64) *Budget { return &Budget{limit: limit} }

// InUse is how many bytes partial messages hold now.
func (b *Budget) InUse() int64 {
	if b == nil {
		return 0
	}
	return b.used.Load()
}

func (b *Budget) acquire(n int64) bool {
	if b == nil {
		return true
	}
	if b.used.Add(n) > b.limit {
		b.used.Add(-n)
		return false
	}
	return true
}

func (b *Budget) release(n int64) {
	if b != nil && n != 0 {
		b.used.Add(-n)
	}
}
