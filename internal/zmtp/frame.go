package zmtp

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Errors reported for protocol faults. They are wrapped with detail.
var (
	// ErrProtocol is a malformed greeting, command or frame from the peer.
	ErrProtocol = errors.New("zmtp: protocol error")
	// ErrTooLarge is a message larger than the socket's maximum size.
	ErrTooLarge = errors.New("zmtp: message too large")
	// ErrIncompatible is a peer whose socket type cannot talk to ours.
	ErrIncompatible = errors.New("zmtp: incompatible socket type")
	// ErrClosed is returned by operations on a closed socket.
	ErrClosed = errors.New("zmtp: socket closed")
)

const (
	greetingLen = 64

	flagMore    = 0x01
	flagLong    = 0x02
	flagCommand = 0x04

	// Our greeting advertises 3.1.
	versionMajor = 3
	versionMinor = 1
)

// greeting returns our 64-byte greeting: signature, version 3.minor, NULL
// mechanism, as-server 0, filler.
func greeting(minor byte) []byte {
	g := make([]byte, greetingLen)
	g[0] = 0xff
	g[9] = 0x7f
	g[10] = versionMajor
	g[11] = minor
	copy(g[12:32], "NULL")
	return g
}

// peerGreeting is what we learn from the peer's greeting.
type peerGreeting struct {
	major, minor byte
	mechanism    string
}

// parseGreeting checks a peer's 64-byte greeting.
func parseGreeting(g []byte) (peerGreeting, error) {
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
	if pg.mechanism != "NULL" {
		return pg, fmt.Errorf("%w: security mechanism %q not supported (only NULL)", ErrProtocol, pg.mechanism)
	}
	return pg, nil
}

// appendFrame appends one frame in wire form to dst.
func appendFrame(dst []byte, flags byte, body []byte) []byte {
	if len(body) > 255 {
		dst = append(dst, flags|flagLong)
		dst = binary.BigEndian.AppendUint64(dst, uint64(len(body)))
	} else {
		dst = append(dst, flags, byte(len(body)))
	}
	return append(dst, body...)
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
func readyCommand(props ...string) []byte {
	var data []byte
	for i := 0; i+1 < len(props); i += 2 {
		data = append(data, byte(len(props[i])))
		data = append(data, props[i]...)
		data = binary.BigEndian.AppendUint32(data, uint32(len(props[i+1])))
		data = append(data, props[i+1]...)
	}
	return appendCommand(nil, "READY", data)
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

// frameReader reads frames from a buffered stream, enforcing a maximum
// message size before allocating.
type frameReader struct {
	r       *bufio.Reader
	maxSize int64
	scratch []byte // accumulates the frames of one message in wire form
}

// frame is one decoded frame. body aliases reader memory that is valid only
// until the next read.
type frame struct {
	flags byte
	body  []byte
}

// readFrameHeader reads flags and size.
func (fr *frameReader) readFrameHeader() (flags byte, size uint64, err error) {
	flags, err = fr.r.ReadByte()
	if err != nil {
		return 0, 0, err
	}
	if flags&^(flagMore|flagLong|flagCommand) != 0 {
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

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readCommand reads one whole frame that must be a command (handshake).
func (fr *frameReader) readCommand() (name string, data []byte, err error) {
	flags, size, err := fr.readFrameHeader()
	if err != nil {
		return "", nil, err
	}
	if flags&flagCommand == 0 {
		return "", nil, fmt.Errorf("%w: expected a command during the handshake", ErrProtocol)
	}
	if size > 1<<16 {
		return "", nil, fmt.Errorf("%w: handshake command of %d bytes", ErrProtocol, size)
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(fr.r, body); err != nil {
		return "", nil, unexpected(err)
	}
	return parseCommand(body)
}

// next reads the next unit from the stream: either a command (cmd != nil,
// msg empty) or a whole multi-frame message in wire form (a fresh slice the
// caller owns).
func (fr *frameReader) next() (msg Msg, cmd []byte, err error) {
	fr.scratch = fr.scratch[:0]
	nframes := 0
	for {
		flags, size, err := fr.readFrameHeader()
		if err != nil {
			if nframes > 0 {
				err = unexpected(err)
			}
			return Msg{}, nil, err
		}
		if flags&flagCommand != 0 {
			if nframes > 0 {
				return Msg{}, nil, fmt.Errorf("%w: command inside a multi-frame message", ErrProtocol)
			}
			if size > uint64(fr.maxSize) && size > 1<<16 {
				return Msg{}, nil, fmt.Errorf("%w: command of %d bytes", ErrTooLarge, size)
			}
			body := make([]byte, size)
			if _, err := io.ReadFull(fr.r, body); err != nil {
				return Msg{}, nil, unexpected(err)
			}
			return Msg{}, body, nil
		}
		if fr.maxSize > 0 && size+uint64(len(fr.scratch)) > uint64(fr.maxSize) {
			return Msg{}, nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, size+uint64(len(fr.scratch)), fr.maxSize)
		}
		nframes++
		// Re-encode the header in canonical form (short when it fits).
		if size > 255 {
			fr.scratch = append(fr.scratch, flags&flagMore|flagLong)
			fr.scratch = binary.BigEndian.AppendUint64(fr.scratch, size)
		} else {
			fr.scratch = append(fr.scratch, flags&flagMore, byte(size))
		}
		start := len(fr.scratch)
		fr.scratch = grow(fr.scratch, int(size))
		if _, err := io.ReadFull(fr.r, fr.scratch[start:]); err != nil {
			return Msg{}, nil, unexpected(err)
		}
		if flags&flagMore == 0 {
			raw := make([]byte, len(fr.scratch))
			copy(raw, fr.scratch)
			if cap(fr.scratch) > 1<<20 {
				fr.scratch = nil // do not pin a huge buffer per connection
			}
			return Msg{raw: raw}, nil, nil
		}
	}
}

// grow extends b by n bytes.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b[:len(b)+n]
	}
	nb := make([]byte, len(b)+n, 2*cap(b)+n)
	copy(nb, b)
	return nb
}
