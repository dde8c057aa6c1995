package banyan

import (
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/gobanyan/banyan/internal/curve"
	"github.com/gobanyan/banyan/internal/netaddr"
	"github.com/gobanyan/banyan/internal/zmtp"
)

// Default ports, as in Python Banyan: components publish to 43124 and
// subscribe from 43125.
const (
	DefaultPublisherPort  = 43124
	DefaultSubscriberPort = 43125
)

// EnvBackplane names the environment variable that gives the backplane's
// address when no WithBackplane option is used.
const EnvBackplane = "BANYAN_BACKPLANE"

// An Option configures a component.
type Option func(*options)

type options struct {
	addr           string
	pubPort        int
	subPort        int
	name           string
	log            *slog.Logger
	timeout        time.Duration
	loopTime       time.Duration
	idle           func()
	external       func(topic string, payload any)
	workers        int
	subscriptions  []string
	hwm            int
	maxMsg         int64
	queue          int
	skipValidation bool
	noPub, noSub   bool
	msgpack        MsgpackSpec
	curve          *zmtp.Curve // WithCurve's, or nil (NULL)
}

func defaults() options {
	return options{
		pubPort:  DefaultPublisherPort,
		subPort:  DefaultSubscriberPort,
		timeout:  5 * time.Second,
		loopTime: 100 * time.Millisecond,
		hwm:      DefaultHWM,
		maxMsg:   DefaultMaxMessageSize,
		queue:    1000,
	}
}

// WithBackplane sets the backplane's host name or IP address. Without it the
// BANYAN_BACKPLANE environment variable is used, else this host's LAN address
// (found as Python does, by the source address of a UDP socket aimed at a
// public address; no packet is sent), else 127.0.0.1.
func WithBackplane(addr string) Option { return func(o *options) { o.addr = addr } }

// WithPorts sets the backplane's publisher port (where components publish,
// default 43124) and subscriber port (default 43125). Zero keeps a default.
func WithPorts(publisher, subscriber int) Option {
	return func(o *options) {
		if publisher != 0 {
			o.pubPort = publisher
		}
		if subscriber != 0 {
			o.subPort = subscriber
		}
	}
}

// WithName names the component in logs.
func WithName(name string) Option { return func(o *options) { o.name = name } }

// WithLogger sets the logger for connection events and dropped input.
// Default slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithConnectTimeout bounds how long Connect waits for the backplane to
// answer (default 5 s). After it Connect returns ErrBackplaneNotRunning.
// Zero or less waits without bound (until Connect's ctx ends), as a
// Python component given -b does: Connect logs once, at Warn, that it is
// waiting and for which address, and returns when the backplane comes up.
func WithConnectTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// MsgpackSpec names the msgpack format a component sends.
type MsgpackSpec int

const (
	// MsgpackCurrent is today's msgpack spec, as Python, JS and Ruby Banyan
	// send it: str8 for 32-255-byte strings, bin for bytes. The default.
	MsgpackCurrent MsgpackSpec = iota
	// MsgpackLegacy is the old spec (before 2013) that javabanyan's
	// msgpack-java-lite reads: strings as raw (fixraw, raw16, raw32),
	// never str8; bytes as raw too, never bin; no ext. Every payload the
	// component sends is rewritten to it (Publish and PublishRaw alike).
	// The old spec has no bytes type: today's receivers (Python, Go) read
	// bytes sent this way as a string, and refuse it when it is not UTF-8;
	// send legacy only where javabanyan listens.
	MsgpackLegacy
)

// WithMsgpack sets the msgpack format the component sends (default
// MsgpackCurrent). Received payloads are read in either form.
func WithMsgpack(spec MsgpackSpec) Option { return func(o *options) { o.msgpack = spec } }

// WithSubscriptions subscribes before Connect returns: when Connect
// returns, the backplane is already forwarding these topics to us.
func WithSubscriptions(topics ...string) Option {
	return func(o *options) { o.subscriptions = append(o.subscriptions, topics...) }
}

// WithIdle calls f every loopTime while no message arrives, from Run's
// goroutine (Python's receive_loop_idle_addition; loopTime is Python's
// loop_time, default 0.1 s). Messages are never delayed by it.
func WithIdle(loopTime time.Duration, f func()) Option {
	return func(o *options) {
		if loopTime > 0 {
			o.loopTime = loopTime
		}
		o.idle = f
	}
}

// WithExternalProcessor makes Run(ctx, nil) decode every payload and call f
// with the topic and the decoded value (Python's external_message_processor).
func WithExternalProcessor(f func(topic string, payload any)) Option {
	return func(o *options) { o.external = f }
}

// WithWorkers runs handlers on n goroutines instead of one. Use it only when
// the order of messages does not matter.
func WithWorkers(n int) Option { return func(o *options) { o.workers = n } }

// DefaultMaxMessageSize is the default limit on one message, topic and
// payload together: 256 MiB.
const DefaultMaxMessageSize = 256 << 20

// WithMaxMessageSize limits one message, topic and payload together, both
// ways: Publish refuses a larger one with ErrTooLarge, and a larger one
// arriving is dropped and counted (Stats.BadMessages) while the connection
// stays up. n <= 0 means no limit beyond memory.
func WithMaxMessageSize(n int64) Option { return func(o *options) { o.maxMsg = n } }

// Unlimited, as a queue limit (WithHWM), means no limit: lossless, with
// memory bounded only by the reader. 0 means the default. It has the value
// and meaning of backplane.Unlimited.
const Unlimited = -1

// DefaultHWM is the default send queue limit toward the backplane, in
// messages (libzmq's).
const DefaultHWM = 1000

// WithHWM sets the send queue limit toward the backplane in messages: 0
// means DefaultHWM, Unlimited (any negative value) no limit. Messages over
// it are dropped and counted in Stats().Dropped.
func WithHWM(n int) Option {
	return func(o *options) {
		switch {
		case n == 0:
			o.hwm = DefaultHWM
		case n > 0:
			o.hwm = n
		default:
			o.hwm = 0 // zmtp's (and libzmq's) "no limit"
		}
	}
}

// WithoutValidation hands every two-frame message to the handler, even when
// its payload is not well-formed msgpack (for PublishRaw users who send
// other encodings).
func WithoutValidation() Option { return func(o *options) { o.skipValidation = true } }

// WithoutPublisher makes a component that only subscribes (no connection
// to the publisher port; Publish returns ErrNoPublisher). Connect then
// returns once the backplane has applied our subscriptions (a ZMTP PING
// answered after them).
func WithoutPublisher() Option { return func(o *options) { o.noPub = true } }

// WithoutSubscriber makes a component that only publishes (no connection
// to the subscriber port; Subscribe returns ErrNoSubscriber, Run and
// Messages deliver nothing). Connect then returns once the backplane's
// SUB has subscribed to our connection.
func WithoutSubscriber() Option { return func(o *options) { o.noSub = true } }

// backplaneHost picks the backplane address: option, environment, LAN, loopback.
func (o *options) backplaneHost() string {
	if o.addr != "" {
		return o.addr
	}
	if env := os.Getenv(EnvBackplane); env != "" {
		return env
	}
	return netaddr.LAN()
}

func endpoint(host string, port int) string {
	return "tcp://" + net.JoinHostPort(host, strconv.Itoa(port))
}

// WithCurve turns on CURVE encryption and authentication (RFC 26, as
// libzmq's curve_serverkey, curve_publickey and curve_secretkey): both
// connections to the backplane are encrypted, and the backplane admits the
// component by its public key. server is the backplane's long-term public
// key; public and secret are the component's own pair (banyan keygen
// writes one). A backplane without CURVE, or one that does not admit the
// key, refuses the component: Connect then waits (or times out) as for a
// backplane that is not there, and the log says why.
func WithCurve(server, public, secret [32]byte) Option {
	return func(o *options) {
		o.curve = &zmtp.Curve{ServerKey: curve.Key(server), Public: curve.Key(public), Secret: curve.Key(secret)}
	}
}
