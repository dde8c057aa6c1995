package zmtp

import "encoding/binary"

// Msg is one ZeroMQ message (one or more frames) held in wire form: each
// frame is a flags byte, a 1- or 8-byte size and the body. A Msg is
// immutable once built, so one Msg can sit in many peers' queues at once and
// a forwarder can pass on what it received without copying.
type Msg struct {
	raw []byte
}

// NewMsg builds a message from frames. The frames are copied.
func NewMsg(frames ...[]byte) Msg {
	n := 0
	for _, f := range frames {
		n += 9 + len(f)
	}
	raw := make([]byte, 0, n)
	for i, f := range frames {
		var flags byte
		if i < len(frames)-1 {
			flags = flagMore
		}
		raw = appendFrame(raw, flags, f)
	}
	return Msg{raw: raw}
}

// NewTopicMsg builds a Banyan message, the two frames topic and payload,
// with one allocation.
func NewTopicMsg(topic string, payload []byte) Msg {
	raw := make([]byte, 0, 18+len(topic)+len(payload))
	if len(topic) > 255 {
		raw = append(raw, flagMore|flagLong)
		raw = binary.BigEndian.AppendUint64(raw, uint64(len(topic)))
	} else {
		raw = append(raw, flagMore, byte(len(topic)))
	}
	raw = append(raw, topic...)
	raw = appendFrame(raw, 0, payload)
	return Msg{raw: raw}
}

// Raw returns the wire form. It must not be modified.
func (m Msg) Raw() []byte { return m.raw }

// IsZero reports whether m holds no message.
func (m Msg) IsZero() bool { return len(m.raw) == 0 }

// Size is the number of bytes the message occupies on the wire.
func (m Msg) Size() int { return len(m.raw) }

// frameAt decodes the frame starting at off; it returns the body and the
// offset of the next frame, or ok=false at the end or on a malformed message.
func (m Msg) frameAt(off int) (body []byte, next int, more, ok bool) {
	r := m.raw
	if off+2 > len(r) {
		return nil, 0, false, false
	}
	flags := r[off]
	var size uint64
	if flags&flagLong != 0 {
		if off+9 > len(r) {
			return nil, 0, false, false
		}
		size = binary.BigEndian.Uint64(r[off+1:])
		off += 9
	} else {
		size = uint64(r[off+1])
		off += 2
	}
	if size > uint64(len(r)-off) {
		return nil, 0, false, false
	}
	end := off + int(size)
	return r[off:end], end, flags&flagMore != 0, true
}

// Frame returns the body of frame i (aliasing the message) or nil.
func (m Msg) Frame(i int) []byte {
	off := 0
	for {
		body, next, more, ok := m.frameAt(off)
		if !ok {
			return nil
		}
		if i == 0 {
			return body
		}
		if !more {
			return nil
		}
		i--
		off = next
	}
}

// Topic is the first frame, the one PUB/SUB filtering looks at.
func (m Msg) Topic() []byte { return m.Frame(0) }

// NumFrames counts the frames.
func (m Msg) NumFrames() int {
	n, off := 0, 0
	for {
		_, next, more, ok := m.frameAt(off)
		if !ok {
			return n
		}
		n++
		if !more {
			return n
		}
		off = next
	}
}

// Frames returns every frame body (aliasing the message).
func (m Msg) Frames() [][]byte {
	var out [][]byte
	off := 0
	for {
		body, next, more, ok := m.frameAt(off)
		if !ok {
			return out
		}
		out = append(out, body)
		if !more {
			return out
		}
		off = next
	}
}
