package benchmark

import (
	"sync"
	"sync/atomic"
	"time"
)

// subscriber is one subscriber's record: its latency histogram, the
// sequence seen from each publisher, what arrived and when. deliver runs
// on the bus's goroutine for this subscriber; the runner reads the
// counters meanwhile and everything else once the subscriber is frozen.
type subscriber struct {
	index map[string]int // publisher topic -> publisher, read only
	size  int

	// warm-up
	warmSeen []atomic.Bool // per publisher: a warm-up message has arrived
	warmPubs atomic.Int64  // how many are true
	lastWarm atomic.Int64  // Unix ns of the latest warm-up message

	// next is per publisher the sequence number after the highest seen:
	// written under mu, read without it by the publishers' windows.
	next      []atomic.Uint64
	delivered atomic.Uint64
	foreign   atomic.Uint64

	mu          sync.Mutex
	frozen      bool // the run has ended: deliveries are ignored
	hist        latencyHist
	outOfOrder  uint64
	first, last int64 // Unix ns of the first and latest measured delivery
}

func newSubscriber(index map[string]int, size int) *subscriber {
	return &subscriber{index: index, size: size, warmSeen: make([]atomic.Bool, len(index)),
		next: make([]atomic.Uint64, len(index)), hist: newLatencyHist()}
}

// deliver takes one message from the bus. A message that is not this
// run's (another topic, another format or size) is counted as foreign and
// ignored. It does not allocate.
func (s *subscriber) deliver(topic string, payload []byte) {
	now := time.Now().UnixNano()
	pub, known := s.index[topic]
	seq, warm, sent, ok := parsePayload(payload)
	if !known || !ok || len(payload) != s.size {
		s.foreign.Add(1)
		return
	}
	if warm {
		if !s.warmSeen[pub].Swap(true) {
			s.warmPubs.Add(1)
		}
		s.lastWarm.Store(now)
		return
	}
	s.mu.Lock()
	if s.frozen {
		s.mu.Unlock()
		return
	}
	if s.first == 0 {
		s.first = now
	}
	s.last = now
	s.hist.record(now - sent)
	if seq >= s.next[pub].Load() {
		s.next[pub].Store(seq + 1)
	} else {
		s.outOfOrder++
	}
	s.delivered.Add(1)
	s.mu.Unlock()
}

// freeze ends the subscriber's record: later deliveries are ignored, and
// the fields under mu may be read without it.
func (s *subscriber) freeze() {
	s.mu.Lock()
	s.frozen = true
	s.mu.Unlock()
}
