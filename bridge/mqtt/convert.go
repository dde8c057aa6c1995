package mqtt

import (
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
		b, err := banyan.Marshal(p) // one bin value
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConversion, err)
		}
		return b, nil
	}
	return JSONToMsgpack(p)
}

// rawBytes returns the bytes of a payload that is one msgpack bin or str.
func rawBytes(p []byte) ([]byte, error) {
	v, err := banyan.DecodeValue(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConversion, err)
	}
	switch v := v.(type) {
	case []byte:
		return v, nil
	case string:
		return []byte(v), nil
	}
	return nil, fmt.Errorf("%w: raw encoding carries only bytes or a string, not %T", ErrConversion, v)
}
