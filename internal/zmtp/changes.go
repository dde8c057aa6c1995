package zmtp

import "sync"

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
