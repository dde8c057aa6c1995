package zmtp

import (
	"encoding/binary"
	"fmt"

	"github.com/gobanyan/banyan/internal/curve"
)

// openReader turns a CURVE connection's stream of MESSAGE boxes back into
// plain ZMTP 3.x framing, for the frameReader above it (whose fast and slow
// paths are those of NULL connections). Each box becomes one frame, whose
// MORE and COMMAND flags come from inside the box. A box's size is checked
// before anything is reserved, and one that is not wholly buffered is read
// in chunks that grow with what arrives (frameReader.readBody, with the
// shared Budget). Boxes that are wholly buffered are opened straight into
// the caller's buffer, with no copy beyond the decryption.
type openReader struct {
	in     *reader     // the boxes as they come (the handshake's reader)
	fr     frameReader // reads the boxes' frames from in
	sess   *curve.Session
	budget *Budget
	box    []byte // a box read in pieces (not wholly buffered)
	out    []byte // plaintext frames that did not fit the caller's buffer
	off    int    // out[off:] is still to return
	held   int64  // budget taken for box and out
	err    error  // sticky
}

func newOpenReader(in *reader, sess *curve.Session, limit uint64, budget *Budget) *openReader {
	o := &openReader{in: in, sess: sess, budget: budget}
	// A box holds one frame of at most limit bytes, plus the overhead.
	o.fr = newFrameReader(in, int64(min(limit, uint64(1<<62))+curve.MessageOverhead), nil, nil)
	return o
}

// release gives back the inner reader's buffer and the budget held.
func (o *openReader) release() {
	o.in.release()
	o.budget.release(o.held)
	o.held = 0
	o.box, o.out = nil, nil
}

// pending reports whether bytes of a next frame have arrived: plaintext not
// yet returned, or boxes not yet opened.
func (o *openReader) pending() bool { return o.off < len(o.out) || len(o.in.buffered()) > 0 }

// plainHeader is the size of the plain frame header for a body of n bytes.
func plainHeader(n int) int {
	if n > 255 {
		return 9
	}
	return 2
}

// putHeader writes a plain frame header for a body of n bytes into h
// (plainHeader(n) bytes), with the ZMTP flags the box's flags map to.
func putHeader(h []byte, boxFlags byte, n int) {
	var flags byte
	if boxFlags&curve.FlagMore != 0 {
		flags |= flagMore
	}
	if boxFlags&curve.FlagCommand != 0 {
		flags |= flagCommand
	}
	if n > 255 {
		h[0] = flags | flagLong
		binary.BigEndian.PutUint64(h[1:], uint64(n))
	} else {
		h[0], h[1] = flags, byte(n)
	}
}

// bufferedBox reports whether a whole box frame is in in's buffer.
func (o *openReader) bufferedBox() bool {
	b := o.in.buffered()
	if len(b) < 2 {
		return false
	}
	h, size := 2, uint64(b[1])
	if b[0]&flagLong != 0 {
		if len(b) < 9 {
			return false
		}
		h, size = 9, binary.BigEndian.Uint64(b[1:])
	}
	return size <= uint64(len(b)-h)
}

// Read returns plain frames: what is left of the last one that did not
// fit, or else as many boxes as are buffered (waiting for the first only).
func (o *openReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if o.off < len(o.out) {
		n := copy(p, o.out[o.off:])
		o.off += n
		if o.off == len(o.out) {
			o.dropOut()
		}
		return n, nil
	}
	if o.err != nil {
		return 0, o.err
	}
	n := 0
	for n < len(p) && (n == 0 || o.bufferedBox()) {
		k, err := o.openOne(p[n:])
		n += k
		if err != nil {
			o.err = err
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if o.off < len(o.out) {
			break // p is full
		}
	}
	return n, nil
}

// openOne reads one box and writes its frame into p, or what fits of it
// (the rest waits in out).
func (o *openReader) openOne(p []byte) (int, error) {
	_, size, err := o.fr.readFrameHeader()
	if err != nil {
		return 0, err
	}
	if size < curve.MessageOverhead {
		return 0, fmt.Errorf("%w: CURVE box of %d bytes", ErrProtocol, size)
	}
	if size > o.fr.limit {
		return 0, fmt.Errorf("%w: CURVE box of %d bytes (at most %d)", ErrTooLarge, size, o.fr.limit)
	}
	var box []byte
	fromBuf := false
	if b := o.in.buffered(); uint64(len(b)) >= size {
		box, fromBuf = b[:size], true
	} else {
		var held int64
		if box, err = o.fr.readBody(o.box[:0], size, &held); err != nil {
			o.budget.release(held)
			return 0, unexpected(err)
		}
		// readBody took no budget (fr has none): take it for what the
		// box holds beyond a buffer, until the box is opened.
		if extra := int64(cap(box)) - bufSize; extra > 0 {
			if !o.budget.acquire(extra) {
				return 0, fmt.Errorf("%w (%d bytes in use)", ErrBudget, o.budget.InUse())
			}
			defer o.budget.release(extra)
		}
	}
	m := int(size) - curve.MessageOverhead
	h := plainHeader(m)
	var n int
	if h+1+m <= len(p) {
		// In place: Open appends to p[:h] within its capacity.
		flags, body, oerr := o.sess.Open(p[:h:len(p)], box)
		if oerr != nil {
			return 0, fmt.Errorf("%w: %w", ErrProtocol, oerr)
		}
		putHeader(p, flags, m)
		n = len(body)
	} else {
		need := h + 1 + m
		if cap(o.out) < need {
			if extra := int64(need) - bufSize; extra > 0 {
				if !o.budget.acquire(extra) {
					return 0, fmt.Errorf("%w (%d bytes in use)", ErrBudget, o.budget.InUse())
				}
				o.held += extra
			}
			o.out = make([]byte, 0, need)
		}
		flags, body, oerr := o.sess.Open(o.out[:h], box)
		if oerr != nil {
			return 0, fmt.Errorf("%w: %w", ErrProtocol, oerr)
		}
		putHeader(body, flags, m)
		o.out = body
		o.off = copy(p, body)
		n = o.off
	}
	if fromBuf {
		o.in.advance(int(size))
	} else if cap(box) <= bufSize {
		o.box = box[:0] // keep a small one for the next
	} else {
		o.box = nil
	}
	return n, nil
}

// dropOut forgets the plaintext once returned, keeping a small buffer.
func (o *openReader) dropOut() {
	if cap(o.out) > bufSize {
		o.out = nil
		o.budget.release(o.held)
		o.held = 0
	} else {
		o.out = o.out[:0]
	}
	o.off = 0
}

// writeSealed writes p, whole plain ZMTP 3.x frames (a Msg's raw form, or
// commands), as one MESSAGE box per frame, through the buffer. Boxes are
// sealed here, under the connection's write lock, so nonces go out in the
// order they were taken.
func (w *writer) writeSealed(p []byte) (int, error) {
	for off := 0; off < len(p); {
		if len(p)-off < 2 {
			return off, fmt.Errorf("zmtp: sealing a truncated frame")
		}
		flags := p[off]
		h, size := 2, int(p[off+1])
		if flags&flagLong != 0 {
			if len(p)-off < 9 {
				return off, fmt.Errorf("zmtp: sealing a truncated frame")
			}
			h, size = 9, int(binary.BigEndian.Uint64(p[off+1:]))
		}
		if size > len(p)-off-h {
			return off, fmt.Errorf("zmtp: sealing a truncated frame")
		}
		var bf byte
		if flags&flagMore != 0 {
			bf |= curve.FlagMore
		}
		if flags&flagCommand != 0 {
			bf |= curve.FlagCommand
		}
		n := size + curve.MessageOverhead
		sb := w.sealBuf[:0]
		if n > 255 {
			sb = append(sb, flagLong)
			sb = binary.BigEndian.AppendUint64(sb, uint64(n))
		} else {
			sb = append(sb, 0, byte(n))
		}
		sb = w.sess.Seal(sb, bf, p[off+h:off+h+size])
		if _, err := w.writePlain(sb); err != nil {
			return off, err
		}
		if cap(sb) <= bufSize {
			w.sealBuf = sb[:0]
		} else {
			w.sealBuf = nil // do not keep a large message's buffer
		}
		off += h + size
	}
	return len(p), nil
}
