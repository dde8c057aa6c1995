package backplane

import (
	"time"

	"github.com/gobanyan/banyan/internal/zmtp"
)

// Role says which port a connection came to.
type Role uint8

// The roles of a Connection.
const (
	// Publisher is a component connected to the publisher port: the
	// backplane reads its messages.
	Publisher Role = iota + 1
	// Subscriber is a component connected to the subscriber port: the
	// backplane forwards to it what matches its subscriptions.
	Subscriber
)

// String returns "publisher" or "subscriber".
func (r Role) String() string {
	switch r {
	case Publisher:
		return "publisher"
	case Subscriber:
		return "subscriber"
	}
	return "unknown"
}

// MaxListedPrefixes is how many of a subscriber's prefixes Connections
// lists (Connection.Subscriptions counts them all).
const MaxListedPrefixes = 100

// Connection is one component's connection, as Connections reports it.
type Connection struct {
	Role     Role
	Remote   string    // the component's address, "ip:port"
	PeerType string    // its ZMTP socket type: "PUB", "SUB", "XPUB", "XSUB" ("" for ZMTP 1.0)
	ZMTP     string    // the protocol revision the connection speaks: "3.1", "3.0", "2.0", "1.0"
	Since    time.Time // when its handshake completed

	// Messages counts, for a publisher, the messages received from it;
	// for a subscriber, those queued or written to it (not the dropped
	// ones). Bytes is their wire size (both frames, headers included).
	Messages uint64
	Bytes    uint64

	// For a subscriber: messages dropped at its full queue (HWM), what
	// waits in the queue now, and its subscriptions: how many distinct
	// prefixes, and up to MaxListedPrefixes of them, sorted ("" is
	// everything; arbitrary ones when it holds more).
	Dropped       uint64
	Queued        int
	QueuedBytes   int64
	Subscriptions int
	Prefixes      []string
}

// Connections reports every connected component, publishers first (in
// the order they connected), then subscribers. It is a snapshot, safe to
// take at any time; its cost grows with the number of connections, not
// with their traffic or their subscriptions.
func (b *Backplane) Connections() []Connection {
	pubs, subs := b.sub.Peers(), b.pub.Peers(MaxListedPrefixes)
	out := make([]Connection, 0, len(pubs)+len(subs))
	for _, p := range pubs {
		out = append(out, connection(Publisher, p))
	}
	for _, p := range subs {
		out = append(out, connection(Subscriber, p))
	}
	return out
}

func connection(r Role, p zmtp.PeerInfo) Connection {
	return Connection{
		Role: r, Remote: p.Remote, PeerType: p.PeerType, ZMTP: p.Version.String(), Since: p.Since,
		Messages: p.Messages, Bytes: p.Bytes,
		Dropped: p.Dropped, Queued: p.Queued, QueuedBytes: p.QueuedBytes,
		Subscriptions: p.Subscriptions, Prefixes: p.Prefixes,
	}
}
