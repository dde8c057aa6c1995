package banyan

import "github.com/gobanyan/banyan/ndarray"

// Message is one received Banyan message: a topic and a msgpack payload.
// A Message handed to a handler is its own; it may be kept.
type Message struct {
	Topic   string
	Payload []byte
}

// Decode decodes the payload into v (a struct with msgpack tags, a map, a
// slice, ...), with the same rules as Unmarshal. A struct field of type
// ndarray.Array (or *ndarray.Array) receives an array sent by Python's
// msgpack-numpy.
func (m *Message) Decode(v any) error { return Unmarshal(m.Payload, v) }

// Map decodes a payload that is a map into map[string]any (see DecodeMap),
// and turns numpy arrays sent by msgpack-numpy, at any depth, into
// *ndarray.Array (numpy scalars into ndarray.Scalar, Python complex into
// complex128).
//
// An array that cannot be rebuilt, such as an object array (whose pickled
// data is never unpickled), stays a plain map: Map then returns the map
// and an error wrapping ndarray.ErrObjectArray (or ErrDType, ErrShape,
// ErrMalformed) that names where it was. The rest of the message is usable.
func (m *Message) Map() (map[string]any, error) {
	v, err := DecodeMap(m.Payload)
	if err != nil {
		return nil, err
	}
	out, err := ndarray.Rebuild(v)
	mm, _ := out.(map[string]any)
	return mm, err
}

// Value decodes the payload generically, whatever its type (see
// DecodeValue), rebuilding numpy arrays as Map does.
func (m *Message) Value() (any, error) {
	v, err := DecodeValue(m.Payload)
	if err != nil {
		return nil, err
	}
	return ndarray.Rebuild(v)
}
