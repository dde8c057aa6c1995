package webview

import (
	"sync"
	"sync/atomic"
	"time"
)

// topic is one tracked topic (or the "other" row). Observe writes the
// fields under mu; the sampler reads them under mu once per tick, and
// owns the rest.
type topic struct {
	name  string
	other bool

	mu    sync.Mutex
	msgs  uint64 // messages observed
	bytes uint64 // their payload bytes
	last  []byte // the last payload, when at most MaxPayload (nil otherwise)
	size  int    // the last payload's length

	s sampled // the sampler's, under View.stateMu
}

// sampled is what the sampler derives from a topic's counts.
type sampled struct {
	msgs, bytes uint64    // the counts at the last tick
	rate, bRate float64   // per second over the last tick
	seen        time.Time // the tick at which msgs last changed
	hist        *ring     // rates of the last ticks, allocated at first use
	payload     []byte    // the last payload as of the last tick
	size        int
	rendered    uint64 // msgs when text was rendered (0: never)
	changed     bool   // text changed since the last event
	text        lastValue
}

// table is the set of tracked topics: a copy-on-write map, read by
// Observe without a lock; a new topic copies it (at most MaxTopics times).
type table struct {
	max   int
	m     atomic.Pointer[map[string]*topic]
	full  atomic.Bool // MaxTopics reached: misses go to other without a lock
	mu    sync.Mutex  // serialises additions
	other *topic
	order []*topic // in the order first seen, under mu
}

func newTable(max int) *table {
	t := &table{max: max, other: &topic{name: "other", other: true}}
	m := map[string]*topic{}
	t.m.Store(&m)
	return t
}

// add returns the entry of a topic not found in the map: a new one, or
// other when MaxTopics is reached. (The lookup itself is in Observe, so
// that the common case costs no call.)
func (t *table) add(name []byte) *topic {
	if t.full.Load() {
		return t.other
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	old := *t.m.Load()
	if e := old[string(name)]; e != nil {
		return e
	}
	if len(old) >= t.max {
		t.full.Store(true)
		return t.other
	}
	next := make(map[string]*topic, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	e := &topic{name: string(name)}
	next[e.name] = e
	t.m.Store(&next)
	t.order = append(t.order, e)
	return e
}

// all returns the topics in the order first seen, then other.
func (t *table) all() []*topic {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*topic, 0, len(t.order)+1)
	out = append(out, t.order...)
	return append(out, t.other)
}

// len is the number of topics tracked one by one.
func (t *table) len() int { return len(*t.m.Load()) }

// Observe counts one message: its topic's count and bytes, and its payload
// as the topic's last value (a reference, not a copy, when it is at most
// Options.MaxPayload long). It is the hot path, called for every message
// the backplane forwards: no allocation (but for a topic's first message),
// no clock read, no lock shared between topics. topic and payload must not
// be modified afterwards (they may be retained). It implements
// backplane.Observer.
func (v *View) Observe(topic, payload []byte) {
	e := (*v.topics.m.Load())[string(topic)]
	if e == nil {
		e = v.topics.add(topic)
	}
	keep := payload
	if len(payload) > v.opts.MaxPayload || e.other {
		keep = nil
	}
	e.mu.Lock()
	e.msgs++
	e.bytes += uint64(len(payload))
	e.last = keep
	e.size = len(payload)
	e.mu.Unlock()
}

// ring holds the last n rates of something, oldest first once full.
type ring struct {
	rate, bRate []float32
	next        int
	full        bool
}

func newRing(n int) *ring { return &ring{rate: make([]float32, n), bRate: make([]float32, n)} }

func (r *ring) push(rate, bRate float64) {
	r.rate[r.next], r.bRate[r.next] = float32(rate), float32(bRate)
	r.next++
	if r.next == len(r.rate) {
		r.next, r.full = 0, true
	}
}

// points returns the rates oldest first.
func (r *ring) points() (rate, bRate []float32) {
	if !r.full {
		return append([]float32(nil), r.rate[:r.next]...), append([]float32(nil), r.bRate[:r.next]...)
	}
	rate = append(append([]float32(nil), r.rate[r.next:]...), r.rate[:r.next]...)
	bRate = append(append([]float32(nil), r.bRate[r.next:]...), r.bRate[:r.next]...)
	return rate, bRate
}
