package nats

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/service"
)

// Defaults.
const (
	// DefaultServer is the NATS server of a bridge given none.
	DefaultServer = "nats://127.0.0.1:4222"
	// DefaultSubjectPrefix starts every subject made from a topic.
	DefaultSubjectPrefix = "banyan."
	// DefaultReconnectBuffer is how many bytes of publishes nats.go keeps
	// while the server is away.
	DefaultReconnectBuffer = 8 << 20
	// DefaultPendingLimit is how many JetStream exports are kept until the
	// stream acknowledges them.
	DefaultPendingLimit = 10000
)

// The headers of every message the bridge publishes on NATS.
const (
	// HeaderTopic carries the Banyan topic exactly: printable ASCII as it
	// is, '%' and every other byte as %XX.
	HeaderTopic = "Banyan-Topic"
	// HeaderBridge is the id of the bridge that exported the message (the
	// loop guard).
	HeaderBridge = "Banyan-Bridge"
	// HeaderEncoding is the payload's encoding, "msgpack" or "json".
	HeaderEncoding = "Banyan-Encoding"
)

// Errors.
var (
	// ErrOptions wraps every problem with Options found by New.
	ErrOptions = errors.New("nats bridge: invalid options")
	// ErrServer is returned by New when no NATS server can be reached
	// or one refuses the connection or a subscription.
	ErrServer = errors.New("nats bridge: NATS server")
	// ErrConversion wraps every payload that cannot be converted between
	// msgpack and the NATS encoding.
	ErrConversion = errors.New("nats bridge: payload cannot be converted")
	// ErrSubject wraps every topic or subject that cannot be mapped.
	ErrSubject = errors.New("nats bridge: topic or subject cannot be mapped")
	// ErrRunning is a second call to Run (the sentinel all bridges share).
	ErrRunning = service.ErrRunning
)

// Encoding says how payloads are carried on NATS. Banyan payloads are
// always msgpack.
type Encoding string

const (
	// MsgPack carries the msgpack bytes unchanged both ways. From NATS, a
	// payload that is not one well-formed msgpack value is skipped.
	MsgPack Encoding = "msgpack"
	// JSON writes each payload as compact JSON (internal/msgjson: map keys
	// in wire order, bytes as {"$bin": "<base64>"}, NaN and the
	// infinities as null) for consumers that are not Banyan, and reads
	// JSON back. A message carrying HeaderEncoding is read in the encoding
	// it names, whatever this bridge writes.
	JSON Encoding = "json"
)

// Options configures a bridge. The zero value (after defaults) joins the
// backplane to the NATS server on 127.0.0.1:4222 both ways, for every
// topic.
type Options struct {
	// Backplane configures the bridge's Banyan component
	// (banyan.WithBackplane, banyan.WithPorts, banyan.WithCurve, ...). The
	// bridge adds its subscriptions and, unless given here, its name
	// ("NATS Gateway") and logger.
	Backplane []banyan.Option
	// Servers are the NATS URLs (nats://, tls://); several name a
	// cluster. Default [DefaultServer].
	Servers []string
	// Topics are the Banyan topic prefixes exported to NATS. nil means
	// [""], every topic; an empty non-nil slice exports nothing.
	Topics []string
	// Subjects are the NATS subjects imported to Banyan; the wildcards
	// '*' and '>' are allowed. nil means [SubjectPrefix + ">"]; an empty
	// non-nil slice imports nothing. Overlapping subjects deliver a
	// message once per subject that matches, as NATS does.
	Subjects []string
	// SubjectPrefix starts every subject made from a topic (see Subject):
	// empty, or tokens ending in '.'. Default DefaultSubjectPrefix; give
	// each group of sites its own to keep their buses apart on one NATS.
	SubjectPrefix string
	// NoSubjectPrefix makes the prefix empty (an empty SubjectPrefix
	// means the default).
	NoSubjectPrefix bool
	// Encoding of payloads on NATS. Default MsgPack.
	Encoding Encoding
	// BridgeID identifies this bridge in HeaderBridge; messages carrying
	// it are not imported. Default: random, per process. JetStream needs
	// one given, the same across restarts and different per site.
	BridgeID string

	// TLS, when not nil, connects with TLS.
	TLS *tls.Config
	// User and Password authenticate when User is not empty.
	User, Password string
	// Token authenticates when not empty.
	Token string
	// NKeyFile is a file holding an NKey seed to authenticate with.
	NKeyFile string
	// CredsFile is a credentials file (a user JWT and its NKey seed).
	CredsFile string
	// ReconnectBuffer is how many bytes of publishes nats.go keeps while
	// the connection is down; a publish that does not fit is dropped and
	// counted. Default DefaultReconnectBuffer; negative means none.
	ReconnectBuffer int

	// JetStream, when not empty, is the stream exports go to, as
	// acknowledged publishes, and imports come from, through a durable
	// consumer. The stream is created (file storage, subjects
	// SubjectPrefix + ">") if it does not exist.
	JetStream string
	// Durable names the durable consumer; default "banyan-" + BridgeID.
	// A new consumer starts with the messages that arrive after it is
	// made; from then on it keeps its place while the bridge is away.
	Durable string
	// PendingLimit bounds the JetStream exports kept until acknowledged,
	// to be sent again after a reconnection; one beyond it is dropped and
	// counted. Default DefaultPendingLimit.
	PendingLimit int

	// ConnectTimeout bounds New's wait for a server (it retries within
	// it). Default 10 s.
	ConnectTimeout time.Duration
	// DrainTimeout bounds Close's drain of the NATS connection. Default
	// 5 s.
	DrainTimeout time.Duration
	// Logger gets connection events and conversion errors; nil means
	// slog.Default().
	Logger *slog.Logger

	// noLoopGuard disables both halves of the loop guard (a test shows
	// what they prevent).
	noLoopGuard bool
}

func (o Options) withDefaults() (Options, error) {
	if o.Servers == nil {
		o.Servers = []string{DefaultServer}
	}
	var servers []string
	for _, s := range o.Servers {
		for _, u := range strings.Split(s, ",") {
			if u = strings.TrimSpace(u); u != "" {
				servers = append(servers, u)
			}
		}
	}
	if len(servers) == 0 {
		return o, fmt.Errorf("%w: no NATS server", ErrOptions)
	}
	o.Servers = servers
	if o.NoSubjectPrefix {
		o.SubjectPrefix = ""
	} else if o.SubjectPrefix == "" {
		o.SubjectPrefix = DefaultSubjectPrefix
	}
	if err := checkPrefix(o.SubjectPrefix); err != nil {
		return o, err
	}
	if o.JetStream != "" && o.SubjectPrefix == "" {
		return o, fmt.Errorf("%w: JetStream needs a subject prefix (the stream's subjects)", ErrOptions)
	}
	if o.Topics == nil {
		o.Topics = []string{""}
	}
	o.Topics = slices.Clone(o.Topics)
	if o.Subjects == nil {
		o.Subjects = []string{o.SubjectPrefix + ">"}
	}
	o.Subjects = slices.Clone(o.Subjects)
	for _, s := range o.Subjects {
		if err := checkFilter(s); err != nil {
			return o, err
		}
	}
	if o.Encoding == "" {
		o.Encoding = MsgPack
	}
	if o.Encoding != MsgPack && o.Encoding != JSON {
		return o, fmt.Errorf("%w: encoding %q (want msgpack or json)", ErrOptions, o.Encoding)
	}
	if o.JetStream != "" && o.BridgeID == "" {
		// A restarted bridge must know its own messages in the stream, and
		// each site needs its own durable consumer: both need a stable id.
		return o, fmt.Errorf("%w: JetStream needs a bridge id that stays the same across restarts, one per site", ErrOptions)
	}
	if o.BridgeID == "" {
		id := make([]byte, 8)
		rand.Read(id)
		o.BridgeID = hex.EncodeToString(id)
	} else if !validID(o.BridgeID) {
		return o, fmt.Errorf("%w: bridge id %q (letters, digits, '-' and '_', at most 56)", ErrOptions, o.BridgeID)
	}
	if o.ReconnectBuffer == 0 {
		o.ReconnectBuffer = DefaultReconnectBuffer
	}
	if o.JetStream != "" && !validID(o.JetStream) {
		return o, fmt.Errorf("%w: stream name %q (letters, digits, '-' and '_')", ErrOptions, o.JetStream)
	}
	if o.Durable == "" {
		o.Durable = "banyan-" + o.BridgeID
	}
	if !validID(o.Durable) {
		return o, fmt.Errorf("%w: durable name %q (letters, digits, '-' and '_', at most 64)", ErrOptions, o.Durable)
	}
	if o.PendingLimit <= 0 {
		o.PendingLimit = DefaultPendingLimit
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}

// validID reports whether s is a name NATS and our headers take as it is.
func validID(s string) bool {
	if s == "" || len(s) > 56 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenByte(s[i]) {
			return false
		}
	}
	return true
}
