package multi

import (
	"log/slog"
	"time"

	"github.com/gobanyan/banyan"
)

// An Option configures ReadSpec, ParseSpec, Open and OpenFile. Options that
// do not concern a function are ignored by it (ParseSpec looks only at
// WithStrict).
type Option func(*options)

type options struct {
	strict    bool
	name      string
	log       *slog.Logger
	timeout   time.Duration
	component []banyan.Option
	per       map[string][]banyan.Option // by backplane name: WithBackplaneOptions
}

func buildOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.log == nil {
		o.log = slog.Default()
	}
	return o
}

// WithStrict parses the topic list as Python Banyan does: a space anywhere
// in the field (even around a topic, as in "[a, b]") is an error, where the
// default is to trim white space around each topic. Header names are not
// trimmed either. The fixed behaviours stay fixed in strict mode: "[]" is
// no topic and an empty element is an error.
func WithStrict() Option { return func(o *options) { o.strict = true } }

// WithName names the component in logs (Python's process_name). Each
// backplane connection is named "<name>@<backplane_name>".
func WithName(name string) Option { return func(o *options) { o.name = name } }

// WithLogger sets the logger for the component and every connection; nil
// means slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithConnectTimeout bounds how long Open waits for each backplane to
// answer (default 5 s, as banyan.Connect).
func WithConnectTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithComponentOptions passes options to every backplane connection (for
// example banyan.WithHWM or banyan.WithoutValidation). The address, ports,
// name and logger always come from the spec and the options above. Do not
// pass banyan.WithSubscriptions here: topics come from the spec and from
// Subscribe, per backplane.
func WithComponentOptions(opts ...banyan.Option) Option {
	return func(o *options) { o.component = append(o.component, opts...) }
}

// WithBackplaneOptions passes options to the connection of one backplane,
// named as in the spec, after those of WithComponentOptions. Its use is what
// differs between backplanes, such as each one's CURVE server key:
//
//	multi.WithBackplaneOptions("Lab", banyan.WithCurve(labKey, myPublic, mySecret))
//
// Open fails with ErrUnknownBackplane if the spec has no backplane of that
// name. The same rule as for WithComponentOptions applies to
// banyan.WithSubscriptions.
func WithBackplaneOptions(backplane string, opts ...banyan.Option) Option {
	return func(o *options) {
		if o.per == nil {
			o.per = map[string][]banyan.Option{}
		}
		o.per[backplane] = append(o.per[backplane], opts...)
	}
}
