package zmtp

import (
	"strconv"
	"sync"
)

// changes broadcasts "the state changed" to waiters: wait returns a
// channel that the next fire closes. fire costs a lock and a nil check
// when nobody waits, so the paths that fire (a connection joining, a
// subscription arriving) pay nothing for waiters that do not exist.
type changes struct {
	mu sync.Mutex
	ch chan struct{}
}

func (c *changes) wait() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ch == nil {
		c.ch = make(chan struct{})
	}
	return c.ch
}

func (c *changes) fire() {
	c.mu.Lock()
	if c.ch != nil {
		close(c.ch)
		c.ch = nil
	}
	c.mu.Unlock()
}

// pongs matches PONGs to the PINGs waiting for them (Sub.Sync, Pub.Flush):
// each PING carries a token of its own as its context, which the PONG
// echoes.
type pongs struct {
	mu      sync.Mutex
	seq     uint64
	waiting map[string]chan struct{}
}

// add registers a waiter and returns its token and the channel its PONG
// signals; the token starts with kind, for logs and packet traces.
func (p *pongs) add(kind string) (string, chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.waiting == nil {
		p.waiting = map[string]chan struct{}{}
	}
	p.seq++
	token := kind + strconv.FormatUint(p.seq, 10)
	ch := make(chan struct{}, 1)
	p.waiting[token] = ch
	return token, ch
}

// remove forgets tokens whose wait is over.
func (p *pongs) remove(tokens ...string) {
	p.mu.Lock()
	for _, t := range tokens {
		delete(p.waiting, t)
	}
	p.mu.Unlock()
}

// pong signals the waiter of a PONG's context, if any.
func (p *pongs) pong(context []byte) {
	p.mu.Lock()
	if ch := p.waiting[string(context)]; ch != nil {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	p.mu.Unlock()
}

// ping is a PING command whose context is token (TTL 0).
func ping(token string) []byte { return appendCommand(nil, "PING", []byte{0, 0}, []byte(token)) }
