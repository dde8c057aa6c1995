// Package loopguard recognises a bridge's own messages when they come back
// to it: a bridge that publishes on one side, and is subscribed there to what
// it publishes, must not forward its own messages again. Both bridges that
// join Banyan to another bus (MQTT and NATS) use it.
package loopguard

import (
	"hash/maphash"
	"sync"
	"time"
)

// Guard remembers the messages a bridge published on one side (say MQTT
// or Banyan) that will come back to it on that side, because its own
// subscriptions there match them, so that it does not forward them again.
// A message is identified by its topic and a 64-bit hash of its payload
// bytes. Each expected echo is consumed by the first matching arrival; one
// that never arrives (dropped by the broker, lost with a connection) is
// forgotten after ttl, or when more than max are pending. A Guard is safe
// for use from several goroutines.
type Guard struct {
	mu      sync.Mutex
	seed    maphash.Seed
	ttl     time.Duration
	max     int
	now     func() time.Time
	seq     uint64
	pending map[echoKey][]uint64 // sequence numbers of unconsumed entries, oldest first
	queue   []echoEntry          // every entry, oldest first, from head
	head    int
	expired uint64
}

type echoKey struct {
	topic string
	sum   uint64
}

type echoEntry struct {
	key echoKey
	seq uint64
	at  time.Time
}

// The bridges' bounds: how long an expectation is kept, and how many.
const (
	DefaultTTL = 10 * time.Second
	DefaultMax = 100000
)

// New returns a guard that forgets an expectation after ttl (0:
// DefaultTTL), and keeps at most max (0: DefaultMax); now is the clock
// (nil: time.Now).
func New(ttl time.Duration, max int, now func() time.Time) *Guard {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if max <= 0 {
		max = DefaultMax
	}
	if now == nil {
		now = time.Now
	}
	return &Guard{seed: maphash.MakeSeed(), ttl: ttl, max: max, now: now, pending: map[echoKey][]uint64{}}
}

func (g *Guard) key(topic string, payload []byte) echoKey {
	return echoKey{topic: topic, sum: maphash.Bytes(g.seed, payload)}
}

// Expect records that a message we publish now will come back once.
func (g *Guard) Expect(topic string, payload []byte) {
	k := g.key(topic, payload)
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	g.expire(now)
	g.seq++
	g.pending[k] = append(g.pending[k], g.seq)
	g.queue = append(g.queue, echoEntry{key: k, seq: g.seq, at: now})
	for len(g.queue)-g.head > g.max {
		g.drop()
	}
}

// IsEcho reports whether an arriving message is an expected echo, and if so
// consumes the expectation.
func (g *Guard) IsEcho(topic string, payload []byte) bool {
	k := g.key(topic, payload)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.expire(g.now())
	seqs := g.pending[k]
	if len(seqs) == 0 {
		return false
	}
	if len(seqs) == 1 {
		delete(g.pending, k)
	} else {
		g.pending[k] = seqs[1:]
	}
	return true
}

// Reset forgets every expectation (the connection they depended on is gone).
func (g *Guard) Reset() {
	g.mu.Lock()
	defer g.mu.Unlock()
	clear(g.pending)
	g.queue = g.queue[:0]
	g.head = 0
}

// Size is the number of expectations not yet consumed or expired.
func (g *Guard) Size() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, s := range g.pending {
		n += len(s)
	}
	return n
}

func (g *Guard) expire(now time.Time) {
	for g.head < len(g.queue) && now.Sub(g.queue[g.head].at) > g.ttl {
		g.drop()
	}
}

// drop removes the oldest queue entry and, if it was still pending, its
// expectation (per key, pending entries are consumed oldest first, so a
// pending entry is the first of its key's list).
func (g *Guard) drop() {
	e := g.queue[g.head]
	g.queue[g.head] = echoEntry{}
	g.head++
	if seqs := g.pending[e.key]; len(seqs) > 0 && seqs[0] == e.seq {
		g.expired++
		if len(seqs) == 1 {
			delete(g.pending, e.key)
		} else {
			g.pending[e.key] = seqs[1:]
		}
	}
	if g.head > 1024 && g.head*2 > len(g.queue) {
		n := copy(g.queue, g.queue[g.head:])
		clear(g.queue[n:])
		g.queue = g.queue[:n]
		g.head = 0
	}
}
