package ws

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/service"
)

// DefaultListen is Python ws_gateway's address, which it cannot change:
// loopback, port 9000, where the OneGPIO pages connect (ws://localhost:9000).
const DefaultListen = "127.0.0.1:9000"

// Defaults of Options.
const (
	DefaultQueue        = 256
	DefaultWriteTimeout = 10 * time.Second
	DefaultIDTimeout    = 30 * time.Second
	DefaultMaxMessage   = 1 << 20 // Python websockets' max_size
	// DefaultMaxDecodeBytes is the default Options.MaxDecodeBytes: room
	// for 32 messages of DefaultMaxMessage at once.
	DefaultMaxDecodeBytes = 64 << 20
	DefaultDecodeWait     = 5 * time.Second
)

// Errors.
var (
	// ErrOptions wraps every problem with Options found by New.
	ErrOptions = errors.New("ws: invalid options")
	// ErrNoID is a browser whose first message has no "id" (Python:
	// "Client did not provide an ID string", then a KeyError). The browser
	// gets an error frame and the connection is closed.
	ErrNoID = errors.New(`ws: the first message must be {"id": "to_<device>"}`)
	// ErrBadID is an id that is not a string "to_<something>": it has no
	// reply topic (see ReplyTopic). The browser gets an error frame and the
	// connection is closed.
	ErrBadID = errors.New("ws: unusable id")
	// ErrBadJSON wraps a browser message that is not one JSON value, or
	// that msgpack cannot carry (see FromJSON). It is counted and skipped.
	ErrBadJSON = errors.New("ws: message is not usable JSON")
	// ErrConvert wraps a Banyan payload that cannot be converted to JSON
	// (see ToJSON). It is counted and skipped.
	ErrConvert = errors.New("ws: payload cannot be converted to JSON")
	// ErrRunning is a second call to Run (the sentinel all bridges share).
	ErrRunning = service.ErrRunning
)

// Options configure a bridge. The zero value is Python's ws_gateway on
// its default address, with its faults fixed.
type Options struct {
	// Listen is the address to serve on, "host:port" (default
	// DefaultListen, "127.0.0.1:9000"). ":9000" serves every interface;
	// port 0 picks a free one (see Bridge.Addr).
	Listen string
	// Subscribe lists Banyan topics subscribed for the bridge's whole life
	// (Python's -m). The bridge subscribes to each browser's reply topic
	// by itself while the browser is connected, so these are not needed;
	// they keep the subscription when no browser is there (the messages
	// are then counted in Stats.Unrouted).
	Subscribe []string
	// Static, when not empty, is a directory served over HTTP on the same
	// address, so that pages (the OneGPIO ones) come from the bridge's own
	// origin. Requests that are not WebSocket upgrades get its files.
	Static string
	// Origins lists extra origins allowed to open a WebSocket: host
	// patterns ("localhost:8000", "*.example.com"; path.Match syntax,
	// without case), or "scheme://host" patterns. "*" allows every
	// origin, as Python's ws_gateway does; any web site the user visits can
	// then drive the devices. Allowed without it: requests without an
	// Origin (non-browser clients), the bridge's own origin (loopback
	// names count as one: a page from http://127.0.0.1:9000 may connect to
	// ws://localhost:9000), and the origin "null" of pages opened from
	// files, as OneGPIO's open_browser.py opens them (see
	// RefuseNullOrigin). The entry "onegpio" (PresetOneGPIO, any case) is
	// a preset: it allows the hosts of OneGPIOOrigins, where the Scratch 3
	// OneGPIO editor is served (https://mryslab.github.io). A refused
	// origin is logged at warning level the first time, with the --origin
	// value that would allow it.
	Origins []string
	// RefuseNullOrigin refuses the origin "null". Browsers send it for
	// pages opened from files but also for sandboxed frames of any site.
	RefuseNullOrigin bool
	// KeepTimestamps turns off the timestamp rewrite: by default, as in
	// Python, a numeric "timestamp" in a map from Banyan is sent to
	// browsers as local time, "2006-01-02 15:04:05" (see ToJSON).
	KeepTimestamps bool
	// Location is the time zone of the timestamp rewrite; nil means the
	// local zone, as Python's datetime.fromtimestamp.
	Location *time.Location
	// Queue is how many frames may wait for each browser; beyond it the
	// browser's frames are dropped and counted (Stats.Dropped), so a slow
	// browser never holds up the others. Default 256.
	Queue int
	// WriteTimeout bounds one write to a browser; a browser that does not
	// read for that long is disconnected. Default 10 s.
	WriteTimeout time.Duration
	// IDTimeout bounds the wait for a new connection's first message.
	// Default 30 s.
	IDTimeout time.Duration
	// MaxMessage is the largest message accepted from a browser, in bytes;
	// a larger one closes the connection (status 1009). Default 1 MiB.
	// The first message, the id, may be at most 4 KiB.
	MaxMessage int64
	// MaxDecodeBytes bounds the memory of the browser messages being read
	// and converted at once, over all connections: each is charged twice
	// its buffer (the JSON and the msgpack it becomes; msgpack is seldom
	// longer than its JSON, at most 2.25 times, for numbers with
	// fractions), as the buffer grows with the bytes that arrive. A
	// connection whose message does not fit waits, first come first
	// served, for at most DecodeWait; then it is closed with status 1013
	// (try again later) and counted in Stats.Busy. Default
	// DefaultMaxDecodeBytes (64 MiB), or twice MaxMessage if that is
	// more; less than twice MaxMessage is an error.
	MaxDecodeBytes int64
	// DecodeWait is the longest wait for MaxDecodeBytes (see there).
	// Default 5 s.
	DecodeWait time.Duration
	// Backplane configures the bridge's Banyan component
	// (banyan.WithBackplane, banyan.WithPorts, banyan.WithName, ...). The
	// bridge adds its subscriptions and, unless one is given here, its
	// logger.
	Backplane []banyan.Option
	// Logger receives connection events and skipped messages; nil means
	// slog.Default().
	Logger *slog.Logger
}

// withDefaults fills in defaults and checks the options.
func (o Options) withDefaults() (Options, error) {
	if o.Listen == "" {
		o.Listen = DefaultListen
	}
	if o.Queue <= 0 {
		o.Queue = DefaultQueue
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.IDTimeout <= 0 {
		o.IDTimeout = DefaultIDTimeout
	}
	if o.MaxMessage <= 0 {
		o.MaxMessage = DefaultMaxMessage
	}
	switch {
	case o.MaxDecodeBytes <= 0:
		o.MaxDecodeBytes = max(DefaultMaxDecodeBytes, 2*o.MaxMessage)
	case o.MaxDecodeBytes < 2*o.MaxMessage:
		return o, fmt.Errorf("%w: MaxDecodeBytes %d is less than twice MaxMessage %d", ErrOptions, o.MaxDecodeBytes, o.MaxMessage)
	}
	if o.DecodeWait <= 0 {
		o.DecodeWait = DefaultDecodeWait
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	for _, p := range o.Origins {
		if _, err := path.Match(p, ""); err != nil {
			return o, fmt.Errorf("%w: origin pattern %q: %w", ErrOptions, p, err)
		}
	}
	if o.Static != "" {
		fi, err := os.Stat(o.Static)
		if err != nil {
			return o, fmt.Errorf("%w: static directory: %w", ErrOptions, err)
		}
		if !fi.IsDir() {
			return o, fmt.Errorf("%w: static directory: %s is not a directory", ErrOptions, o.Static)
		}
	}
	return o, nil
}

// Stats are a bridge's counters.
type Stats struct {
	Browsers    int    // sockets that have sent their id and are connected now
	Connects    uint64 // WebSocket connections accepted
	Disconnects uint64 // WebSocket connections ended
	Refused     uint64 // connections closed before their id was accepted: no id, an unusable id, no first message in time
	Forbidden   uint64 // WebSocket requests refused for their Origin (HTTP 403)
	// ForbiddenOrigins is how many distinct origins were refused
	// (counted up to 1000; beyond, new ones are logged at debug level).
	ForbiddenOrigins int
	ToBanyan         uint64 // browser messages published to Banyan
	BadJSON          uint64 // browser messages skipped: not JSON, or not convertible to msgpack
	BadUTF8          uint64 // connections closed with status 1007: a text message was not valid UTF-8
	Busy             uint64 // connections closed with status 1013: no room in MaxDecodeBytes within DecodeWait
	Decoding         int64  // bytes of MaxDecodeBytes taken now by messages being read or converted
	FromBanyan       uint64 // Banyan messages received
	Unrouted         uint64 // Banyan messages received for a topic no socket waits for
	BadPayload       uint64 // Banyan messages skipped: the payload could not be converted to JSON
	ToBrowsers       uint64 // frames written to browsers
	Dropped          uint64 // frames not sent: the browser's queue was full
	Backplane        banyan.Stats
}
