package zmtp

import (
	"slices"
	"time"

	"github.com/gobanyan/banyan/internal/curve"
)

// PeerInfo describes one connected peer, as Pub.Peers and Sub.Peers report
// it (for monitoring: a snapshot, stale as soon as it is taken).
type PeerInfo struct {
	Remote   string    // the peer's address, "ip:port"
	Endpoint string    // what we dialed, or "" for an accepted connection
	PeerType string    // its Socket-Type ("PUB", "XSUB", ...; "" for ZMTP 1.0)
	Version  Version   // what the connection speaks
	Since    time.Time // when its handshake completed
	// CurveKey is the peer's long-term CURVE public key: the client's on
	// a connection we accepted, the server's on one we dialed; zero on a
	// NULL connection.
	CurveKey curve.Key

	// Messages and Bytes count what went through this connection: for a
	// Sub, messages received from the peer; for a Pub, messages queued or
	// written for it (dropped ones are not counted). Bytes is their wire
	// size, frame headers included. A Pub peer that Connect dialed keeps
	// its counts across reconnects, as it keeps its queue.
	Messages, Bytes uint64

	// For a Pub's peer: messages dropped at its full queue, what waits in
	// it now, and its subscriptions: how many distinct prefixes, and up to
	// the number Peers was asked for of them, sorted (arbitrary ones when
	// it holds more).
	Dropped       uint64
	Queued        int
	QueuedBytes   int64
	Subscriptions int
	Prefixes      []string
}

// Peers reports every connected subscriber, with up to maxPrefixes of its
// subscriptions each. The cost per peer is bounded by maxPrefixes, however
// many it holds, and each peer's lock is held only while its fields are
// copied.
func (p *Pub) Peers(maxPrefixes int) []PeerInfo {
	var out []PeerInfo
	for _, pp := range *p.peers.Load() {
		pp.mu.Lock()
		c := pp.conn
		if c == nil {
			pp.mu.Unlock()
			continue
		}
		info := c.info()
		info.Messages, info.Bytes = pp.msgs, pp.bytes
		info.Dropped = pp.drops
		info.Queued, info.QueuedBytes = len(pp.q), pp.qBytes
		info.Subscriptions = len(pp.subs)
		n := min(len(pp.subs), max(maxPrefixes, 0))
		if n > 0 {
			info.Prefixes = make([]string, 0, n)
			for k := range pp.subs {
				if len(info.Prefixes) == n {
					break
				}
				info.Prefixes = append(info.Prefixes, k)
			}
		}
		pp.mu.Unlock()
		slices.Sort(info.Prefixes)
		out = append(out, info)
	}
	return out
}

// Peers reports every connected publisher.
func (sb *Sub) Peers() []PeerInfo {
	sb.subMu.Lock()
	out := make([]PeerInfo, 0, len(sb.conns))
	for c := range sb.conns {
		info := c.info()
		info.Messages, info.Bytes = c.msgs.Load(), c.bytes.Load()
		out = append(out, info)
	}
	sb.subMu.Unlock()
	slices.SortFunc(out, func(a, b PeerInfo) int { return a.Since.Compare(b.Since) })
	return out
}

// info is what a connection knows about itself.
func (c *conn) info() PeerInfo {
	return PeerInfo{Remote: c.remote, Endpoint: c.endpoint, PeerType: c.peerType, Version: c.version, Since: c.since, CurveKey: c.curveKey}
}
