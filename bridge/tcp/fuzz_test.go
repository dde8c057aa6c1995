package tcp_test

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"

	"github.com/gobanyan/banyan/bridge/tcp"
)

// fuzzFraming picks a Framing from one byte: bits 0-1 the length field
// (1, 2, 4, 4), bit 2 topic framing, bits 3-5 MaxFrame.
func fuzzFraming(mode byte) tcp.Framing {
	maxFrames := [...]int{0, 1, 7, 255, 300, 0xffff, 0x10000, math.MaxInt32}
	return tcp.Framing{
		LengthBytes: [...]int{1, 2, 4, 4}[mode&3],
		Topic:       mode&4 != 0,
		MaxFrame:    maxFrames[mode>>3&7],
	}
}

// FuzzFraming reads a device's stream as the bridge does: whatever the
// bytes, ReadFrame and Split return frames or errors, never panic, never
// hand back more than Max or more than arrived (a length field near 2^32
// over a short stream must not allocate it), and what Split accepts
// encodes and reads back to the same topic and payload.
func FuzzFraming(f *testing.F) {
	f.Add([]byte{0x08, 0x81, 0xa5, 'L', 'e', 'd', '_', '0', 0x00}, byte(0))
	f.Add([]byte{0x10, 0x92, 0xa6, 'f', 'i', 'g', 'u', 'r', 'a', 0x81, 0xa5, 'L', 'e', 'd', '_', '0', 0x00}, byte(4))
	f.Add([]byte{0xff, 0xff, 0x01}, byte(1))                                    // 2^16-1 claimed
	f.Add([]byte{0x00, 0x01, 0x00, 0x00, 0x01}, byte(2|7<<3))                   // 2^16 claimed
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x01}, byte(2|7<<3))                   // 2^32-1 claimed
	f.Add([]byte{0x80, 0x00, 0x00, 0x00, 0x01}, byte(2|4|7<<3))                 // 2^31 claimed
	f.Add([]byte{0x08, 0x92, 0xdb, 0xff, 0xff, 0xff, 0xff, 'a', 0x01}, byte(4)) // str32 of 2^32-1
	f.Add([]byte{0x00, 0x00, 0x00}, byte(1))                                    // keep-alives
	f.Fuzz(func(t *testing.T, data []byte, mode byte) {
		fr := fuzzFraming(mode)
		r := bytes.NewReader(data)
		total := 0
		for {
			body, err := fr.ReadFrame(r)
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, tcp.ErrFrameTooLarge) {
					t.Fatalf("ReadFrame: unexpected error %v", err)
				}
				return
			}
			total += len(body)
			if len(body) > fr.Max() || total > len(data) {
				t.Fatalf("body of %d bytes (%d in all) from %d bytes, Max %d", len(body), total, len(data), fr.Max())
			}
			if cap(body) > 3*len(body)+64<<10 { // the body grows with what arrives
				t.Fatalf("body of %d bytes holds %d", len(body), cap(body))
			}
			if len(body) == 0 {
				continue
			}
			topic, payload, err := fr.Split(body)
			if err != nil {
				if !errors.Is(err, tcp.ErrBadFrame) {
					t.Fatalf("Split: %v does not wrap ErrBadFrame", err)
				}
				continue
			}
			if !fr.Topic && (topic != "" || !bytes.Equal(payload, body)) {
				t.Fatalf("without topic framing: %q % x from % x", topic, payload, body)
			}
			// Encode uses the shortest headers, so it fits where body did.
			frame, err := fr.Encode(topic, payload)
			if err != nil {
				t.Fatalf("Encode(%q, % x) of an accepted body: %v", topic, payload, err)
			}
			body2, err := fr.ReadFrame(bytes.NewReader(frame))
			if err != nil {
				t.Fatal(err)
			}
			topic2, payload2, err := fr.Split(body2)
			if err != nil || topic2 != topic || !bytes.Equal(payload2, payload) {
				t.Fatalf("round trip: %q % x %v, want %q % x", topic2, payload2, err, topic, payload)
			}
		}
	})
}
