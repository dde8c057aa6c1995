package record

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/gobanyan/banyan"
)

// RecorderOptions configure a Recorder. The zero value is usable.
type RecorderOptions struct {
	// Clock stamps each message with its receive time (default SystemClock).
	Clock Clock
	// Limit stops the recorder after this many messages (0: no limit).
	Limit int
	// FlushInterval bounds how long a received message may stay buffered
	// while messages keep arriving (default 200 ms). The recorder also
	// flushes whenever it has caught up with its input.
	FlushInterval time.Duration
}

// Recorder writes received messages to a Writer, each stamped with its
// receive time.
type Recorder struct {
	w     *Writer
	o     RecorderOptions
	count atomic.Int64
	bytes atomic.Int64
}

// NewRecorder returns a Recorder writing to w.
func NewRecorder(w *Writer, opts RecorderOptions) *Recorder {
	opts.Clock = clockOr(opts.Clock)
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = 200 * time.Millisecond
	}
	return &Recorder{w: w, o: opts}
}

// Run records the messages from in (a component's Messages channel) until
// ctx ends, in is closed or the Limit is reached; then it flushes and
// returns nil. A write error stops it and is returned. It does not close
// the Writer.
func (r *Recorder) Run(ctx context.Context, in <-chan *banyan.Message) error {
	if r.o.Limit > 0 && r.count.Load() >= int64(r.o.Limit) {
		return r.w.Flush()
	}
	ticker := time.NewTicker(r.o.FlushInterval)
	defer ticker.Stop()
	lastFlush := r.o.Clock.Now()
	for {
		select {
		case <-ctx.Done():
			return r.w.Flush()
		case <-ticker.C:
			if err := r.w.Flush(); err != nil {
				return err
			}
		case m, ok := <-in:
			if !ok {
				return r.w.Flush()
			}
			now := r.o.Clock.Now()
			if err := r.w.Write(Record{Time: now, Topic: m.Topic, Payload: m.Payload}); err != nil {
				return err
			}
			r.bytes.Add(int64(len(m.Payload)))
			n := r.count.Add(1)
			if r.o.Limit > 0 && n >= int64(r.o.Limit) {
				return r.w.Flush()
			}
			if len(in) == 0 || now.Sub(lastFlush) >= r.o.FlushInterval {
				if err := r.w.Flush(); err != nil {
					return err
				}
				lastFlush = now
			}
		}
	}
}

// Count is how many messages have been recorded (safe from any goroutine).
func (r *Recorder) Count() int64 { return r.count.Load() }

// Bytes is the total payload size recorded (safe from any goroutine).
func (r *Recorder) Bytes() int64 { return r.bytes.Load() }
