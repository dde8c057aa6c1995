package ws

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// Reading browser messages within the decode budget.

const (
	// firstBuffer is the buffer a message starts in, and the largest one
	// a connection keeps between messages (OneGPIO commands are about
	// 60 bytes).
	firstBuffer = 512
	// maxIDMessage is the largest first message, the id, accepted
	// ({"id": "to_arduino_gateway"} is 28 bytes).
	maxIDMessage = 4 << 10
)

// errNotUTF8 is a text message that is not valid UTF-8 (RFC 6455 8.1).
var errNotUTF8 = errors.New("ws: text message is not valid UTF-8")

// msgReader reads the messages of one connection. Each is read into a
// buffer charged to the bridge's budget, twice its capacity (the JSON and
// the msgpack it becomes), as the buffer grows, until done is called: a
// message is in memory only once its bytes are in the budget.
type msgReader struct {
	conn   *websocket.Conn
	budget *budget
	wait   time.Duration   // the longest wait for budget (Options.DecodeWait)
	life   context.Context // ends waits for budget: the bridge's life
	limit  int64           // the read limit set on conn
	buf    []byte          // the message's buffer; kept between messages when small
	out    []byte          // the conversion's buffer; likewise
	held   int64           // budget held for the message
}

// setLimit sets the largest message to read.
func (r *msgReader) setLimit(n int64) {
	r.limit = n
	r.conn.SetReadLimit(n)
}

// next reads the next message, which is valid until done (and the budget
// held for it until then). A text message that is not UTF-8 is
// errNotUTF8, budget that does not come within the wait errBusy; after
// an error done need not be called.
func (r *msgReader) next(ctx context.Context) (websocket.MessageType, []byte, error) {
	typ, rd, err := r.conn.Reader(ctx)
	if err != nil {
		return 0, nil, err
	}
	data, err := r.readAll(rd)
	if err != nil {
		r.done()
		return 0, nil, err
	}
	if typ == websocket.MessageText && !utf8.Valid(data) {
		r.done()
		return 0, nil, errNotUTF8
	}
	return typ, data, nil
}

// readAll reads the message from rd, growing its buffer (and the budget
// held) by doubling, up to the read limit.
func (r *msgReader) readAll(rd io.Reader) ([]byte, error) {
	size := min(firstBuffer, r.limit)
	if err := r.charge(size); err != nil {
		return nil, err
	}
	buf := r.buf[:0]
	if int64(cap(buf)) != size {
		buf = make([]byte, 0, size)
	}
	for {
		if len(buf) == cap(buf) {
			if int64(cap(buf)) >= r.limit {
				return buf, r.atLimit(rd)
			}
			grown := min(2*int64(cap(buf)), r.limit)
			if err := r.charge(grown - int64(cap(buf))); err != nil {
				return nil, err
			}
			b := make([]byte, len(buf), grown)
			copy(b, buf)
			buf = b
		}
		n, err := rd.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			if cap(buf) <= firstBuffer {
				r.buf = buf
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// atLimit reads on from a message that has filled the read limit: either
// it ends there, or the connection refuses it (status 1009, as
// websocket.Conn does for the bytes beyond its limit).
func (r *msgReader) atLimit(rd io.Reader) error {
	var probe [1]byte
	for {
		n, err := rd.Read(probe[:])
		switch {
		case n > 0:
			err := fmt.Errorf("%w: message over %d bytes", websocket.ErrMessageTooBig, r.limit)
			r.conn.Close(websocket.StatusMessageTooBig, "message too big")
			return err
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
	}
}

// charge acquires twice n bytes of budget for the message.
func (r *msgReader) charge(n int64) error {
	if err := r.budget.acquire(r.life, 2*n, r.wait); err != nil {
		return err
	}
	r.held += 2 * n
	return nil
}

// output returns an empty buffer for the conversion of data, within the
// budget held for it.
func (r *msgReader) output(data []byte) []byte {
	if cap(r.out) >= len(data) {
		return r.out[:0]
	}
	out := make([]byte, 0, max(len(data), firstBuffer))
	if cap(out) <= firstBuffer {
		r.out = out
	}
	return out
}

// done releases the budget held for the message.
func (r *msgReader) done() {
	r.budget.release(r.held)
	r.held = 0
}
