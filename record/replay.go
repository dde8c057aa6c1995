package record

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gobanyan/banyan"
)

// Publisher is where Replay sends messages; *banyan.Component is one.
type Publisher interface {
	PublishRaw(topic string, payload []byte) error
}

// Flusher is a Publisher that can wait until everything it was given has
// left. Replay calls Flush every ReplayOptions.FlushEvery messages, which
// bounds the publisher's queue, and once at the end.
type Flusher interface {
	Flush(ctx context.Context) error
}

// ComponentPublisher is a Publisher and Flusher for a component: Flush
// waits until the backplane has received everything published so far
// (Component.Flush), so a replay neither piles an unbounded queue nor
// loses its end when the component closes.
type ComponentPublisher struct {
	*banyan.Component
}

// Flush waits until the backplane has taken every message published so far.
func (p ComponentPublisher) Flush(ctx context.Context) error { return p.Component.Flush(ctx) }

// ReplayOptions configure Replay. The zero value replays every record as
// fast as possible on its own topic.
type ReplayOptions struct {
	// Speed scales the recording's pace: 1 is the original pace, 2 twice as
	// fast, 0.5 half as fast; 0 (or less) is as fast as possible.
	Speed float64
	// Topics, when not empty, replays only records whose (recorded) topic
	// starts with one of these prefixes.
	Topics []string
	// Map renames topics.
	Map TopicMap
	// Clock paces the replay (default SystemClock).
	Clock Clock
	// FlushEvery is how many messages may be sent between Flush calls when
	// the publisher is a Flusher (default 10000).
	FlushEvery int
	// Progress, when set, is called after each record with where the replay is.
	Progress func(Progress)
}

// ReplayResult counts what a replay did.
type ReplayResult struct {
	Published int   // messages published
	Skipped   int   // records not on a selected topic
	TornBytes int64 // torn tail ignored at the end of the recording
}

// Replay publishes the records of r through pub, at the recorded pace
// scaled by Speed: the i-th published record is sent when
// (t_i - t_0) / Speed has passed since the first, where t are receive
// times (a receive time earlier than the one before counts as equal). It
// returns at the end of the recording, when ctx ends (with ctx.Err()), or
// at a corrupt record (with an error wrapping ErrCorrupt, after publishing
// every record before it).
func Replay(ctx context.Context, r *Reader, pub Publisher, opts ReplayOptions) (ReplayResult, error) {
	clock := clockOr(opts.Clock)
	flushEvery := opts.FlushEvery
	if flushEvery <= 0 {
		flushEvery = 10000
	}
	flusher, _ := pub.(Flusher)
	var (
		res          ReplayResult
		t0, start    time.Time
		last         time.Duration
		sinceFlush   int
		sizeForStats = r.Size()
	)
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		rec, err := r.Next()
		if err == io.EOF {
			res.TornBytes = r.TornBytes()
			break
		}
		if err != nil {
			return res, err
		}
		if !selected(rec.Topic, opts.Topics) {
			res.Skipped++
			continue
		}
		if res.Published == 0 {
			t0, start = rec.Time, clock.Now()
		}
		at := max(rec.Time.Sub(t0), last)
		last = at
		if opts.Speed > 0 {
			target := start.Add(time.Duration(float64(at) / opts.Speed))
			if d := target.Sub(clock.Now()); d > 0 {
				if err := clock.Sleep(ctx, d); err != nil {
					return res, err
				}
			}
		}
		if err := pub.PublishRaw(opts.Map.Apply(rec.Topic), rec.Payload); err != nil {
			return res, fmt.Errorf("record: replay: %w", err)
		}
		res.Published++
		if flusher != nil {
			if sinceFlush++; sinceFlush >= flushEvery {
				sinceFlush = 0
				if err := flusher.Flush(ctx); err != nil {
					return res, fmt.Errorf("record: replay: %w", err)
				}
			}
		}
		if opts.Progress != nil {
			opts.Progress(Progress{Records: res.Published + res.Skipped, Offset: r.Offset(), Size: sizeForStats, At: at})
		}
	}
	if flusher != nil && sinceFlush > 0 {
		if err := flusher.Flush(ctx); err != nil {
			return res, fmt.Errorf("record: replay: %w", err)
		}
	}
	return res, nil
}

func selected(topic string, prefixes []string) bool {
	if len(prefixes) == 0 {
		return true
	}
	for _, p := range prefixes {
		if strings.HasPrefix(topic, p) {
			return true
		}
	}
	return false
}
