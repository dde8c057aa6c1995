package mqtt

import (
	"hash/maphash"
	"sync"
	"time"
)

// echoGuard remembers the messages the bridge published on one side (MQTT
// or Banyan) that will come back to it on that side, because its own
// subscriptions there match them, so that it does not forward them again.
// A message is identified by its topic and a 64-bit hash of its payload
// bytes. Each expected echo is consumed by the first matching arrival; one
// that never arrives (dropped by the broker, lost with a connection) is
// forgotten after ttl, or when more than max are pending.
type echoGuard struct {
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

func newEchoGuard(ttl time.Duration, max int, now func() time.Time) *echoGuard {
	if now == nil {
		now = time.Now
	}
	return &echoGuard{seed: maphash.MakeSeed(), ttl: ttl, max: max, now: now, pending: map[echoKey][]uint64{}}
}

func (g *echoGuard) key(topic string, payload []byte) echoKey {
	return echoKey{topic: topic, sum: maphash.Bytes(g.seed, payload)}
}

// expect records that a message we publish now will come back once.
func (g *echoGuard) expect(topic string, payload []byte) {
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

// isEcho reports whether an arriving message is an expected echo, and if so
// consumes the expectation.
func (g *echoGuard) isEcho(topic string, payload []byte) bool {
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

// reset forgets every expectation (the connection they depended on is gone).
func (g *echoGuard) reset() {
	g.mu.Lock()
	defer g.mu.Unlock()
	clear(g.pending)
	g.queue = g.queue[:0]
	g.head = 0
}

// size is the number of expectations not yet consumed or expired.
func (g *echoGuard) size() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, s := range g.pending {
		n += len(s)
	}
	return n
}

func (g *echoGuard) expire(now time.Time) {
	for g.head < len(g.queue) && now.Sub(g.queue[g.head].at) > g.ttl {
		g.drop()
	}
}

// drop removes the oldest queue entry and, if it was still pending, its
// expectation (per key, pending entries are consumed oldest first, so a
// pending entry is the first of its key's list).
func (g *echoGuard) drop() {
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
