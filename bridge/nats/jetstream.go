package nats

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// jsWindow is how many JetStream exports may wait for their
// acknowledgement at once.
const jsWindow = 256

// startJetStream finds or creates the stream, makes the durable consumer
// and starts consuming from it and the exporter.
func (b *Bridge) startJetStream(ctx context.Context) error {
	o := b.o
	js, err := jetstream.New(b.nc, jetstream.WithPublishAsyncMaxPending(jsWindow),
		jetstream.WithPublishAsyncTimeout(5*time.Second))
	if err != nil {
		return fmt.Errorf("%w: JetStream: %w", ErrServer, err)
	}
	b.js = js
	cctx, cancel := context.WithTimeout(ctx, o.ConnectTimeout)
	defer cancel()
	stream, err := js.Stream(cctx, o.JetStream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		stream, err = js.CreateStream(cctx, jetstream.StreamConfig{
			Name:     o.JetStream,
			Subjects: []string{o.SubjectPrefix + ">"},
			Storage:  jetstream.FileStorage,
		})
		if err == nil {
			b.log.Info("created the JetStream stream", "stream", o.JetStream, "subjects", o.SubjectPrefix+">")
		}
	}
	if err != nil {
		return fmt.Errorf("%w: JetStream stream %s: %w", ErrServer, o.JetStream, err)
	}
	if len(o.Subjects) > 0 {
		cons, err := stream.CreateOrUpdateConsumer(cctx, jetstream.ConsumerConfig{
			Durable:        o.Durable,
			FilterSubjects: o.Subjects,
			AckPolicy:      jetstream.AckExplicitPolicy,
			DeliverPolicy:  jetstream.DeliverNewPolicy,
			MaxAckPending:  jsWindow * 4,
		})
		if err != nil {
			return fmt.Errorf("%w: JetStream consumer %s on %s: %w", ErrServer, o.Durable, o.JetStream, err)
		}
		b.consumer, err = cons.Consume(func(m jetstream.Msg) {
			b.importMsg(m.Subject(), m.Headers(), m.Data())
			// Handed to Banyan, or skipped for good: either way the stream
			// must not deliver it again.
			m.Ack()
		}, jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			b.log.Log(context.Background(), b.dropLog.Level(), "JetStream consumer", "err", err)
		}))
		if err != nil {
			return fmt.Errorf("%w: JetStream consume: %w", ErrServer, err)
		}
	}
	b.exp = &exporter{b: b, limit: o.PendingLimit, wake: make(chan struct{}, 1),
		quit: make(chan struct{}), done: make(chan struct{})}
	go b.exp.run()
	return nil
}

// exporter is JetStream's export side: a bounded queue of messages, in
// order, each kept until the stream acknowledges it and published again
// (with the same Nats-Msg-Id, so the stream stores it once) after a failed
// or unanswered publish.
type exporter struct {
	b     *Bridge
	limit int

	mu    sync.Mutex
	queue []*natsgo.Msg // unacknowledged, oldest first
	seq   uint64        // for Nats-Msg-Id

	wake     chan struct{}
	quit     chan struct{}
	done     chan struct{}
	draining atomic.Bool
	resent   atomic.Uint64
}

// add queues one export; false means the queue is full (the message is
// dropped).
func (e *exporter) add(m *natsgo.Msg) bool {
	e.mu.Lock()
	if len(e.queue) >= e.limit || e.draining.Load() {
		e.mu.Unlock()
		return false
	}
	e.seq++
	m.Header.Set(jetstream.MsgIDHeader, e.b.o.BridgeID+"-"+strconv.FormatUint(e.seq, 10))
	e.queue = append(e.queue, m)
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
	return true
}

func (e *exporter) stats() (pending, resent uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return uint64(len(e.queue)), e.resent.Load()
}

// run publishes the queue in order, at most jsWindow at a time, and drops
// each message once acknowledged. When the oldest publish fails or gets no
// answer, everything not acknowledged is published again from there, after
// a pause.
func (e *exporter) run() {
	defer close(e.done)
	var inflight []jetstream.PubAckFuture // futures of queue[:len(inflight)]
	backoff := 100 * time.Millisecond
	for {
		// Publish what is not in flight yet, while connected.
		if e.b.nc.IsConnected() {
			e.mu.Lock()
			next := e.queue[len(inflight):min(len(e.queue), jsWindow)]
			e.mu.Unlock()
			for _, m := range next {
				f, err := e.b.js.PublishMsgAsync(m)
				if err != nil {
					break // connection trouble: retried below
				}
				inflight = append(inflight, f)
			}
		}
		var ok <-chan *jetstream.PubAck
		var fail <-chan error
		var retry <-chan time.Time
		if len(inflight) > 0 {
			ok, fail = inflight[0].Ok(), inflight[0].Err()
		} else if e.pending() > 0 {
			retry = time.After(backoff) // not connected, or the publish was refused
		}
		select {
		case <-ok:
			e.mu.Lock()
			e.queue[0] = nil
			e.queue = e.queue[1:]
			e.mu.Unlock()
			inflight = inflight[1:]
			e.b.nExported.Add(1)
			backoff = 100 * time.Millisecond
		case err := <-fail:
			e.b.log.Log(context.Background(), e.b.dropLog.Level(), "JetStream publish failed; sending again", "err", err)
			e.resent.Add(uint64(len(inflight)))
			inflight = nil
			select {
			case <-time.After(backoff):
			case <-e.quit:
				return
			}
			backoff = min(2*backoff, 2*time.Second)
		case <-retry:
			backoff = min(2*backoff, 2*time.Second)
		case <-e.wake:
		case <-e.quit:
			return
		}
	}
}

func (e *exporter) pending() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.queue)
}

// stop refuses new exports, waits until the queue is acknowledged or the
// deadline passes, and ends run.
func (e *exporter) stop(deadline time.Time) {
	e.draining.Store(true)
	for e.pending() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := e.pending(); n > 0 {
		e.b.log.Warn("closing with JetStream exports not acknowledged", "pending", n)
	}
	close(e.quit)
	<-e.done
}
