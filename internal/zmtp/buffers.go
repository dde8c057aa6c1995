package zmtp

import (
	"io"
	"net"
	"sync"
	"sync/atomic"

	"github.com/gobanyan/banyan/internal/curve"
)

// Buffer sizes. A quiet connection reads through a small buffer of its own
// and holds no write buffer; a busy one borrows large buffers from its
// socket's pool while data streams, and gives them back when it goes quiet.
// So an idle connection costs a few KiB, not two 64 KiB buffers.
const (
	bufSize   = 64 << 10 // a pooled read or write buffer
	smallRead = 2 << 10  // the read buffer a quiet connection keeps
)

// bufPool lends bufSize buffers. Each socket has its own.
type bufPool struct {
	p   sync.Pool
	out atomic.Int64 // buffers lent and not given back
}

func (bp *bufPool) get() *[bufSize]byte {
	bp.out.Add(1)
	if b, ok := bp.p.Get().(*[bufSize]byte); ok {
		return b
	}
	return new([bufSize]byte)
}

func (bp *bufPool) put(b *[bufSize]byte) {
	bp.out.Add(-1)
	bp.p.Put(b)
}

// reader is a buffered reader whose buffer follows the load: the small one
// while reads return little, a pooled large one after a read fills the
// small one (more is waiting), back to the small one once the large one is
// drained by a read that returned less than the small buffer holds.
type reader struct {
	rd    io.Reader
	pool  *bufPool
	small [smallRead]byte
	large *[bufSize]byte // borrowed; nil while quiet
	buf   []byte         // small[:] or large[:]
	r, w  int            // buf[r:w] is unread
	lastN int            // bytes the last read returned
	err   error          // sticky read error, returned once buf is drained
}

func newReader(rd io.Reader, pool *bufPool) *reader {
	b := &reader{rd: rd, pool: pool}
	b.buf = b.small[:]
	return b
}

// buffered is the unread data, valid until the next read call.
func (b *reader) buffered() []byte { return b.buf[b.r:b.w] }

// advance consumes n buffered bytes.
func (b *reader) advance(n int) { b.r += n }

// fill reads at least one more byte into the buffer, keeping what is unread.
func (b *reader) fill() error {
	if b.r == b.w {
		b.r, b.w = 0, 0
		if b.large != nil && b.lastN < smallRead {
			b.pool.put(b.large) // gone quiet: give the large buffer back
			b.large = nil
			b.buf = b.small[:]
		}
	} else if b.r > 0 {
		b.w = copy(b.buf, b.buf[b.r:b.w])
		b.r = 0
	}
	if b.large == nil && (b.w == len(b.buf) || b.lastN == smallRead) {
		// The last read filled the small buffer: more is waiting.
		b.large = b.pool.get()
		copy(b.large[:], b.buf[:b.w])
		b.buf = b.large[:]
	}
	if b.err != nil {
		return b.err
	}
	for range 100 {
		n, err := b.rd.Read(b.buf[b.w:])
		b.w += n
		b.lastN = n
		if err != nil {
			b.err = err
			if n > 0 {
				return nil
			}
			return err
		}
		if n > 0 {
			return nil
		}
	}
	b.err = io.ErrNoProgress
	return b.err
}

// peek returns the next n unread bytes, reading until they have arrived,
// without consuming them. n must be at most smallRead.
func (b *reader) peek(n int) ([]byte, error) {
	for b.w-b.r < n {
		if err := b.fill(); err != nil {
			return nil, err
		}
	}
	return b.buf[b.r : b.r+n], nil
}

// release gives a borrowed buffer back; the reader must not be used after.
func (b *reader) release() {
	if b.large != nil {
		b.pool.put(b.large)
		b.large = nil
		b.buf = b.small[:]
		b.r, b.w = 0, 0
	}
}

// ReadByte reads one byte.
func (b *reader) ReadByte() (byte, error) {
	if b.r == b.w {
		if err := b.fill(); err != nil {
			return 0, err
		}
	}
	c := b.buf[b.r]
	b.r++
	return c, nil
}

// Read reads up to len(p) bytes: buffered ones first; a large p with an
// empty buffer is read into directly.
func (b *reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if b.r == b.w {
		if len(p) >= len(b.buf) && b.err == nil && b.large == nil {
			n, err := b.rd.Read(p)
			b.lastN = n
			if err != nil {
				b.err = err
			}
			return n, err
		}
		if err := b.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, b.buf[b.r:b.w])
	b.r += n
	return n, nil
}

// discard reads and drops n bytes, holding no more memory than the buffer.
func (b *reader) discard(n uint64) error {
	for n > 0 {
		if b.r == b.w {
			if err := b.fill(); err != nil {
				return err
			}
		}
		k := uint64(b.w - b.r)
		if k > n {
			k = n
		}
		b.r += int(k)
		n -= k
	}
	return nil
}

// writer batches writes in a buffer borrowed from the pool only while there
// is something to write: Flush writes it out and gives it back.
type writer struct {
	nc   net.Conn
	pool *bufPool
	b    *[bufSize]byte
	n    int
	// sess, on a CURVE connection after its handshake, seals each frame
	// written into a MESSAGE box (writeSealed), in sealBuf.
	sess    *curve.Session
	sealBuf []byte
}

// Write buffers p; one as large as a buffer is written through. On a CURVE
// connection, p is whole frames, which are sealed first.
func (w *writer) Write(p []byte) (int, error) {
	if w.sess != nil {
		return w.writeSealed(p)
	}
	return w.writePlain(p)
}

// writePlain is Write without sealing.
func (w *writer) writePlain(p []byte) (int, error) {
	if len(p) >= bufSize {
		if w.b != nil && w.n > 0 {
			if err := w.writeOut(); err != nil {
				return 0, err
			}
		}
		return w.nc.Write(p)
	}
	if w.b == nil {
		w.b = w.pool.get()
		w.n = 0
	}
	if w.n+len(p) > bufSize {
		if err := w.writeOut(); err != nil {
			return 0, err
		}
	}
	w.n += copy(w.b[w.n:], p)
	return len(p), nil
}

// writeOut writes the buffer and keeps it for more.
func (w *writer) writeOut() error {
	_, err := w.nc.Write(w.b[:w.n])
	w.n = 0
	return err
}

// Flush writes what is buffered and returns the buffer to the pool.
func (w *writer) Flush() error {
	if w.b == nil {
		return nil
	}
	var err error
	if w.n > 0 {
		err = w.writeOut()
	}
	w.pool.put(w.b)
	w.b = nil
	return err
}

// release gives the buffer back without writing (the connection is gone).
func (w *writer) release() {
	w.sealBuf = nil
	if w.b != nil {
		w.pool.put(w.b)
		w.b = nil
		w.n = 0
	}
}
