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
// echoes. A Flush's PING also records the connection whose writer took it
// (sent), so that when that connection ends before answering, its waiter
// is released (lost) instead of waiting for a PONG that cannot come.
type pongs struct {
	mu      sync.Mutex
	seq     uint64
	waiting map[string]*pongWaiter
}

type pongWaiter struct {
	ch chan struct{} // signalled once (buffered, 1)
	on *conn         // the connection whose writer took the PING; nil before
}

// add registers a waiter and returns its token and the channel its PONG
// signals; the token starts with kind, for logs and packet traces.
func (p *pongs) add(kind string) (string, chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.waiting == nil {
		p.waiting = map[string]*pongWaiter{}
	}
	p.seq++
	token := kind + strconv.FormatUint(p.seq, 10)
	ch := make(chan struct{}, 1)
	p.waiting[token] = &pongWaiter{ch: ch}
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
	if w := p.waiting[string(context)]; w != nil {
		w.signal()
	}
	p.mu.Unlock()
}

// sent records that the PING of context goes on c (c's writer took it).
func (p *pongs) sent(context []byte, c *conn) {
	p.mu.Lock()
	if w := p.waiting[string(context)]; w != nil {
		w.on = c
	}
	p.mu.Unlock()
}

// lost signals every waiter whose PING was written on c, which has ended:
// no PONG can come for it. Nothing may write on c any more (sent after
// lost would wait again).
func (p *pongs) lost(c *conn) {
	p.mu.Lock()
	for _, w := range p.waiting {
		if w.on == c {
			w.signal()
		}
	}
	p.mu.Unlock()
}

func (w *pongWaiter) signal() {
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// ping is a PING command whose context is token (TTL 0).
func ping(token string) []byte { return appendCommand(nil, "PING", []byte{0, 0}, []byte(token)) }
