package mqtt

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/gobanyan/banyan"
)

// toMQTTPayload converts a Banyan (msgpack) payload to the MQTT encoding.
func (b *Bridge) toMQTTPayload(p []byte) ([]byte, error) {
	switch b.o.Encoding {
	case MsgPack:
		return p, nil
	case Raw:
		return rawBytes(p)
	}
	return MsgpackToJSON(p)
}

// fromMQTTPayload converts an MQTT payload to msgpack for Banyan.
func (b *Bridge) fromMQTTPayload(p []byte) ([]byte, error) {
	switch b.o.Encoding {
	case MsgPack:
		if err := banyan.Validate(p); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConversion, err)
		}
		return slices.Clone(p), nil // our own copy: it outlives the paho callback
	case Raw:
		return appendMsgpackBin(make([]byte, 0, len(p)+5), p), nil
	}
	return JSONToMsgpack(p)
}

// rawBytes returns the bytes of a payload that is one msgpack bin or str.
func rawBytes(p []byte) ([]byte, error) {
	if len(p) == 0 {
		return nil, fmt.Errorf("%w: empty payload", ErrConversion)
	}
	c := p[0]
	var hdr, n int
	switch {
	case c&0xe0 == 0xa0:
		hdr, n = 1, int(c&0x1f)
	case c == 0xc4 || c == 0xd9:
		if len(p) < 2 {
			return nil, fmt.Errorf("%w: truncated msgpack", ErrConversion)
		}
		hdr, n = 2, int(p[1])
	case c == 0xc5 || c == 0xda:
		if len(p) < 3 {
			return nil, fmt.Errorf("%w: truncated msgpack", ErrConversion)
		}
		hdr, n = 3, int(binary.BigEndian.Uint16(p[1:]))
	case c == 0xc6 || c == 0xdb:
		if len(p) < 5 {
			return nil, fmt.Errorf("%w: truncated msgpack", ErrConversion)
		}
		hdr, n = 5, int(binary.BigEndian.Uint32(p[1:]))
	default:
		return nil, fmt.Errorf("%w: raw encoding carries only bytes or a string, not msgpack code 0x%02x", ErrConversion, c)
	}
	if len(p)-hdr != n {
		return nil, fmt.Errorf("%w: msgpack length %d does not match the %d bytes after the header", ErrConversion, n, len(p)-hdr)
	}
	return p[hdr:], nil
}
