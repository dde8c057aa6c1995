package banyan

// Message is one received Banyan message: a topic and a msgpack payload.
// A Message handed to a handler is its own; it may be kept.
type Message struct {
	Topic   string
	Payload []byte
}

// Decode decodes the payload into v (a struct with msgpack tags, a map, a
// slice, ...), with the same rules as Unmarshal.
func (m *Message) Decode(v any) error { return Unmarshal(m.Payload, v) }

// Map decodes a payload that is a map into map[string]any (see DecodeMap).
func (m *Message) Map() (map[string]any, error) { return DecodeMap(m.Payload) }

// Value decodes the payload generically, whatever its type (see DecodeValue).
func (m *Message) Value() (any, error) { return DecodeValue(m.Payload) }
