package benchmark

import (
	"encoding/binary"
	"fmt"
)

// MinSize is the smallest payload Run sends: a msgpack bin8 header (2
// bytes), a 6-byte sequence number and an 8-byte send time.
const MinSize = 16

// warmBit marks a warm-up message in the 48-bit sequence number.
const warmBit = 1 << 47

// seqMask keeps the 48 bits of a sequence number.
const seqMask = 1<<48 - 1

// payloadHead is where the data starts in a payload of size total bytes:
// the smallest msgpack bin header (bin8, bin16, bin32) whose length field
// holds the rest. A bin16 or bin32 may carry fewer bytes than its
// smallest form would need (258 bytes is a bin16 of 255); msgpack allows it.
func payloadHead(size int) int {
	switch {
	case size-2 <= 0xff:
		return 2
	case size-3 <= 0xffff:
		return 3
	}
	return 5
}

// newPayload returns a zeroed payload of exactly size bytes (size >=
// MinSize), its bin header written. Each message is then stamped in place
// by stampPayload.
func newPayload(size int) ([]byte, error) {
	if size < MinSize {
		return nil, fmt.Errorf("benchmark: payload size %d is below the minimum %d", size, MinSize)
	}
	if uint64(size) > 1<<32 {
		return nil, fmt.Errorf("benchmark: payload size %d does not fit a msgpack bin32", size)
	}
	b := make([]byte, size)
	h := payloadHead(size)
	n := size - h
	switch h {
	case 2:
		b[0], b[1] = 0xc4, byte(n)
	case 3:
		b[0] = 0xc5
		binary.BigEndian.PutUint16(b[1:], uint16(n))
	default:
		b[0] = 0xc6
		binary.BigEndian.PutUint32(b[1:], uint32(n))
	}
	return b, nil
}

// stampPayload writes the sequence number (with warmBit for a warm-up
// message) and the send time in Unix nanoseconds into p, a payload made by
// newPayload.
func stampPayload(p []byte, seq uint64, warm bool, sentNs int64) {
	d := p[payloadHead(len(p)):]
	seq &= seqMask
	if warm {
		seq |= warmBit
	}
	d[0], d[1] = byte(seq>>40), byte(seq>>32)
	binary.BigEndian.PutUint32(d[2:6], uint32(seq))
	binary.BigEndian.PutUint64(d[6:14], uint64(sentNs))
}

// parsePayload reads a payload made by newPayload and stampPayload: a
// msgpack bin whose header claims exactly the bytes that follow, holding
// at least 14. ok is false for anything else (a foreign message); it never
// panics, whatever p holds.
func parsePayload(p []byte) (seq uint64, warm bool, sentNs int64, ok bool) {
	if len(p) < MinSize {
		return 0, false, 0, false
	}
	var h, n int
	switch p[0] {
	case 0xc4:
		h, n = 2, int(p[1])
	case 0xc5:
		h, n = 3, int(binary.BigEndian.Uint16(p[1:3]))
	case 0xc6:
		h = 5
		n64 := uint64(binary.BigEndian.Uint32(p[1:5]))
		if n64 != uint64(len(p)-h) {
			return 0, false, 0, false
		}
		n = int(n64)
	default:
		return 0, false, 0, false
	}
	if n != len(p)-h || n < 14 {
		return 0, false, 0, false
	}
	d := p[h:]
	seq = uint64(d[0])<<40 | uint64(d[1])<<32 | uint64(binary.BigEndian.Uint32(d[2:6]))
	warm = seq&warmBit != 0
	return seq &^ warmBit, warm, int64(binary.BigEndian.Uint64(d[6:14])), true
}
