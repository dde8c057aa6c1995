package webview

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gobanyan/banyan/backplane"
	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of the Options limits.
const (
	DefaultMaxTopics  = 1000
	DefaultMaxPayload = 16 << 10
	DefaultMaxText    = 2000
	DefaultInterval   = time.Second
	DefaultHistory    = 300
)

// ErrTokenRequired is returned by Listen for an address other than
// loopback when Options.Token is empty: anyone on the network could read
// the bus (and, with publishing on, drive it).
var ErrTokenRequired = errors.New("webview: a token is required to listen beyond loopback")

// Options configure a View. The zero value is a component-mode view with
// the defaults, publishing off, no token, no /metrics.
type Options struct {
	// Backplane, when set, is watched (Backplane.Watch) from New to Close,
	// and the page shows its connections and counters. Nil is component
	// mode: the caller feeds the view through Observe.
	Backplane *backplane.Backplane
	// Name is shown in the page's title.
	Name string
	// Publish, when set, turns on the page's publish form: it receives
	// the topic and the payload, converted from the form's JSON to
	// msgpack. Nil: no form, and POST /api/publish is refused (403).
	Publish func(ctx context.Context, topic string, payload []byte) error
	// Token, when not empty, must come with every request (see Handler).
	Token string
	// MaxTopics is how many topics are tracked one by one (0 means
	// DefaultMaxTopics); messages on topics past it are counted together
	// as "other".
	MaxTopics int
	// MaxPayload is the largest payload kept as a topic's last value and
	// rendered (0 means DefaultMaxPayload); a larger one is shown by its
	// size.
	MaxPayload int
	// MaxText is the longest rendered payload text shown (0 means
	// DefaultMaxText characters); longer text is cut and marked.
	MaxText int
	// Interval is the sampling tick (0 means DefaultInterval): rates are
	// per tick, and the page is updated once per tick.
	Interval time.Duration
	// History is the number of ticks the rate chart keeps (0 means
	// DefaultHistory: 5 minutes at 1 s).
	History int
	// Metrics is served at GET /metrics; nil answers 404.
	Metrics prometheus.Gatherer
	// Health decides GET /healthz: nil or a nil error is 200, an error
	// 503 with its text.
	Health func() error
	// Logger receives the view's problems; nil means slog.Default().
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.MaxTopics <= 0 {
		o.MaxTopics = DefaultMaxTopics
	}
	if o.MaxPayload <= 0 {
		o.MaxPayload = DefaultMaxPayload
	}
	if o.MaxText <= 0 {
		o.MaxText = DefaultMaxText
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.History <= 0 {
		o.History = DefaultHistory
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}
