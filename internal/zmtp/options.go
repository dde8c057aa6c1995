package zmtp

import (
	"log/slog"
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
	// MaxMessageSize limits one incoming message (all frames), checked before
	// allocating. Default 64 MiB; negative means no limit.
	MaxMessageSize int64
	// Linger bounds how long Close waits for queued messages to be written.
	// Default 1 s; negative means do not wait.
	Linger time.Duration
	// ReconnectMin and ReconnectMax bound the reconnect backoff of Connect.
	// Defaults 100 ms and 2 s.
	ReconnectMin, ReconnectMax time.Duration
	// HandshakeTimeout bounds the greeting and READY exchange. Default 5 s.
	HandshakeTimeout time.Duration
	// Logger receives connection events and faults. Default slog.Default().
	Logger *slog.Logger
	// Deliver, when set on a SUB, receives each message directly on the
	// goroutine reading its connection, instead of the Messages channel
	// (which then stays empty): one hand-off fewer, for forwarders. It is
	// called concurrently for different connections and must not block.
	Deliver func(Msg)
}

// DefaultHWM is libzmq's default high-water mark.
const DefaultHWM = 1000

// DefaultMaxMessageSize is the default limit on one incoming message.
const DefaultMaxMessageSize = 64 << 20

// DefaultOptions returns the defaults: HWM 1000, 64 MiB messages, 1 s linger.
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
}
