package zmtp

import (
	"log/slog"
	"math"
	"time"
)

// Options configure a socket. Start from DefaultOptions and change fields;
// the zero Options is valid too and means "defaults" field by field, except
// SendHWM, where 0 means unlimited (as in libzmq).
type Options struct {
	// SendHWM is the per-peer send queue limit in messages (PUB). A full
	// queue drops new messages for that peer only. 0 means unlimited.
	SendHWM int
	// RecvHWM is how many received messages a SUB buffers before its
	// connections stop reading (TCP back-pressure). Default 1000.
	RecvHWM int
	// SendHWMBytes is the per-peer send queue limit in bytes (PUB), beside
	// SendHWM: a stalled peer cannot pin more than this. A message is
	// always queued for a peer whose queue is empty, so one message larger
	// than the bound still passes. Default 64 MiB, or unlimited when SendHWM
	// is 0 (unlimited); negative means unlimited.
	SendHWMBytes int64
	// MaxMessageSize limits one incoming message: the sum of its frame
	// bodies (topic and payload alike; frame headers are not counted),
	// checked before anything is reserved. A larger message is read past,
	// dropped, counted (Stats.Refused) and logged; the connection stays up.
	// Default 256 MiB; negative means as large as memory allows.
	MaxMessageSize int64
	// Budget bounds the memory held by partially received messages across
	// every connection of the sockets that share it. nil means a budget of
	// its own per socket of 4 x MaxMessageSize (at least 1 GiB, at most a
	// quarter of the address space).
	Budget *Budget
	// MaxSubscriptions bounds the distinct prefixes one peer may subscribe
	// to (PUB), and MaxSubscriptionBytes their total length. Subscriptions
	// past either bound are ignored, logged and counted
	// (Stats.SubscriptionsRefused). Defaults 100,000 and 16 MiB; negative
	// means unlimited.
	MaxSubscriptions     int
	MaxSubscriptionBytes int64
	// Reserved, when not empty, is a topic space a PUB keeps from peers
	// that did not subscribe into it: a message whose topic starts with
	// Reserved goes only to peers with a subscription at least
	// len(Reserved) bytes long that starts its topic (so a subscriber to
	// everything, "", does not get it). A backplane keeps "__banyan/" so.
	Reserved []byte
	// Linger bounds how long Close waits for queued messages to be written.
	// Default 1 s; negative means do not wait.
	Linger time.Duration
	// ReconnectMin and ReconnectMax bound the reconnect backoff of Connect.
	// Defaults 100 ms and 2 s.
	ReconnectMin, ReconnectMax time.Duration
	// HandshakeTimeout bounds the greeting and READY exchange. Default 5 s.
	HandshakeTimeout time.Duration
	// Version is the newest ZMTP version the socket speaks and greets with:
	// Version31 (the zero value means Version31), Version30, Version20 or
	// Version10; any other value means Version31. Whatever it is, every
	// connection detects an older peer and speaks that peer's version, as
	// libzmq does (RFC 23, "Backwards Interoperability"), except that
	// Version10 sends no greeting beyond its ZMTP 1.0 identity frame and so
	// detects nothing: both sides then speak 1.0. Older values are for tests
	// and for peers that detect versions badly.
	Version Version
	// Logger receives connection events and faults. Default slog.Default().
	Logger *slog.Logger
	// Deliver, when set on a SUB, receives each message directly on the
	// goroutine reading its connection, instead of the Messages channel
	// (which then stays empty): one hand-off fewer, for forwarders. It is
	// called concurrently for different connections and must not block.
	// more reports that bytes of a next message from the same connection
	// have already arrived: a burst, whose messages a forwarder can leave
	// to be written in one batch (Pub.SendBurst).
	Deliver func(m Msg, more bool)
	// FlowControl, on a PUB, when positive, is the bound in bytes on what
	// may wait in its peers' queues together before WaitFlow holds its
	// callers back (a forwarder's publisher connections). 0 means none:
	// queues fill to their HWM and drop, as libzmq's do.
	FlowControl int64
	// Curve, when set, turns on the CURVE security mechanism (RFC 26) on
	// every connection of the socket; nil is NULL, the default. CURVE
	// needs ZMTP 3.x: a Version below Version30 is raised to Version31,
	// and older peers are refused.
	Curve *Curve
}

// Version is a ZMTP protocol version, for Options.Version: major*10+minor.
type Version uint8

// The ZMTP versions spoken.
const (
	// Version10 is ZMTP 1.0 (RFC 13, libzmq 2.x): no greeting but an
	// identity frame, frames whose length counts the flags byte, and no
	// subscriptions upstream (a PUB sends such a peer everything).
	Version10 Version = 10
	// Version20 is ZMTP 2.0 (RFC 15, libzmq 3.x, JeroMQ 0.3): a 12-byte
	// greeting with the socket type as a number, then identity frames;
	// subscriptions are messages; no commands.
	Version20 Version = 20
	// Version30 is ZMTP 3.0 (RFC 23, libzmq 4.0 and 4.1): the 64-byte
	// greeting and READY; subscriptions are messages; no PING.
	Version30 Version = 30
	// Version31 is ZMTP 3.1 (RFC 37, libzmq 4.2 and later): SUBSCRIBE and
	// CANCEL commands, PING and PONG. The default.
	Version31 Version = 31
)

// String is the version as ZMTP names it ("3.1"), or "?" for a value that
// is none of the constants.
func (v Version) String() string {
	switch v {
	case Version10, Version20, Version30, Version31:
		return string([]byte{'0' + byte(v/10), '.', '0' + byte(v%10)})
	}
	return "?"
}

// DefaultHWM is libzmq's default high-water mark.
const DefaultHWM = 1000

// Defaults of the byte and count bounds.
const (
	DefaultMaxMessageSize       = 256 << 20
	DefaultHWMBytes             = 64 << 20
	DefaultMaxSubscriptions     = 100_000
	DefaultMaxSubscriptionBytes = 16 << 20
)

// DefaultOptions returns the defaults: HWM 1000 messages and 64 MiB, 256 MiB
// messages, 1 s linger.
func DefaultOptions() Options {
	return Options{SendHWM: DefaultHWM}
}

func (o Options) withDefaults() Options {
	if o.RecvHWM <= 0 {
		o.RecvHWM = DefaultHWM
	}
	if o.MaxMessageSize == 0 {
		o.MaxMessageSize = DefaultMaxMessageSize
	}
	if o.SendHWMBytes == 0 && o.SendHWM > 0 {
		o.SendHWMBytes = DefaultHWMBytes
	}
	if o.Budget == nil {
		limit := int64(math.MaxInt / 4)
		if o.MaxMessageSize > 0 && o.MaxMessageSize < limit/4 {
			limit = max(4*o.MaxMessageSize, min(1<<30, limit))
		}
		o.Budget = NewBudget(limit)
	}
	if o.MaxSubscriptions == 0 {
		o.MaxSubscriptions = DefaultMaxSubscriptions
	}
	if o.MaxSubscriptionBytes == 0 {
		o.MaxSubscriptionBytes = DefaultMaxSubscriptionBytes
	}
	if o.Linger == 0 {
		o.Linger = time.Second
	}
	if o.ReconnectMin <= 0 {
		o.ReconnectMin = 100 * time.Millisecond
	}
	if o.ReconnectMax < o.ReconnectMin {
		o.ReconnectMax = 2 * time.Second
		if o.ReconnectMax < o.ReconnectMin {
			o.ReconnectMax = o.ReconnectMin
		}
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 5 * time.Second
	}
	switch o.Version {
	case Version10, Version20, Version30, Version31:
	default:
		o.Version = Version31
	}
	if o.Curve != nil && o.Version < Version30 {
		o.Version = Version31
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Stats are a socket's counters since it was created.
type Stats struct {
	Peers          int    // peers connected now (handshake done)
	Sent           uint64 // messages handed to Send (PUB) or subscription changes sent (SUB)
	Received       uint64 // messages received and delivered (SUB)
	Dropped        uint64 // messages dropped because a peer's queue was full (PUB)
	Filtered       uint64 // messages received that matched no subscription (SUB)
	Connects       uint64 // successful handshakes
	Disconnects    uint64 // connections that ended
	ProtocolErrors uint64 // connections closed for a protocol fault or refused in the handshake

	Refused              uint64 // messages over MaxMessageSize, read past and dropped
	SubscriptionsRefused uint64 // subscriptions past MaxSubscriptions or MaxSubscriptionBytes (PUB)
	Pending              int    // messages being received now (partially arrived)
	PendingBytes         int64  // memory those hold, as counted by the Budget
}
