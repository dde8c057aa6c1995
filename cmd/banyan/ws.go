package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gobanyan/banyan/bridge/ws"
	"github.com/spf13/cobra"
)

type wsFlags struct {
	comp             componentFlags
	listen           string
	port             int
	log              pyBool
	subscribe        []string
	static           string
	origins          []string
	refuseNullOrigin bool
	keepTimestamps   bool
	utc              bool
	queue            int
	writeTimeout     time.Duration
	idTimeout        time.Duration
	maxMessage       int64
	maxDecodeBytes   int64
	decodeWait       time.Duration
}

// newWSCmd is the ws command; asWSGW when it runs as wsgw.
func newWSCmd(asWSGW bool) *cobra.Command { return wsCommand(&wsFlags{}, asWSGW) }

// wsCommand builds the command around f, which receives the flags. As
// wsgw (asWSGW), --origin allows the OneGPIO pages on the web by default:
// s3-extend runs "wsgw -i 9004" for its Scratch 3 editor, served from
// mryslab.github.io, and gives no origin flag.
func wsCommand(f *wsFlags, asWSGW bool) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ws",
		Short: "Bridge Banyan and web pages over WebSockets (Python's ws_gateway)",
		Long: `Bridge a Banyan backplane and web pages over WebSockets, wire-compatible with
Python Banyan's ws_gateway, so that the OneGPIO pages (arduino.html,
esp8266.html, rpi.html) work unchanged:

  a page's first message         {"id": "to_arduino_gateway"}
  its later messages (JSON)  ->  msgpack on Banyan topic to_arduino_gateway
  Banyan from_arduino_gateway ->  JSON frames to every page with that id

Only a leading "to_" of the id becomes "from_" (ws_gateway replaced every
"to"). A numeric "timestamp" is sent as local time, "2019-02-18 09:31:16", as
ws_gateway does (--keep-timestamps to turn off, --utc for UTC); bytes are sent
as base64 strings.

The gateway subscribes to a page's reply topic while the page is connected;
-m adds topics subscribed all the time (ws_gateway's -m; several values, with
spaces or commas). A first message without a usable id gets {"error": ...}
and the close status 1008. A page that does not read loses messages beyond
--queue (counted) instead of holding up the others.

As s3-extend's wsgw, -i sets the port and -l True turns on logging; unlike
wsgw, which serves every interface, -i keeps --listen's host (127.0.0.1 by
default; --listen :9000 serves every interface).

Pages from other web sites are refused unless allowed with --origin
("--origin onegpio" allows the web sites that serve OneGPIO pages, such as
s3-extend's Scratch 3 editor; "--origin '*'" accepts all, as ws_gateway did). Pages opened from files and
pages served by --static are allowed.

A page's message is at most --max-browser-message bytes (status 1009 beyond).
--max-decode-bytes bounds the memory of all messages being read and converted
at once; a message that finds no room for --decode-wait closes its connection
with status 1013 (try again later). A text message that is not UTF-8 closes
its connection with status 1007.`,
		Example: `  banyan ws                                  # ws://127.0.0.1:9000, as ws_gateway
  banyan ws --listen :9000 --static projects/OneGPIO   # serve the pages too: http://<host>:9000/arduino_uno/arduino.html
  banyan ws -m from_arduino_gateway from_rpi_gateway`,
		// Flags are parsed in RunE, after turning Python's "-m a b" into
		// "-m a -m b" (pflag takes one value per flag).
		DisableFlagParsing: true,
		RunE: withNargs(func(cmd *cobra.Command) error {
			o, err := f.options()
			if err != nil {
				return err
			}
			g, err := ws.New(cmd.Context(), o)
			if err != nil {
				return err
			}
			defer g.Close()
			fmt.Fprintf(cmd.OutOrStdout(), "%s: serving WebSockets on ws://%s\n", f.comp.name, g.Addr())
			if o.Static != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: serving %s on http://%s/\n", f.comp.name, o.Static, g.Addr())
			}
			err = g.Run(cmd.Context())
			st := g.Stats()
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %d connections (%d refused, %d closed busy, %d closed for bad UTF-8), %d messages to Banyan (%d bad JSON), %d from Banyan (%d unrouted, %d not convertible), %d frames to browsers, %d dropped\n",
				f.comp.name, st.Connects, st.Refused, st.Busy, st.BadUTF8, st.ToBanyan, st.BadJSON, st.FromBanyan, st.Unrouted, st.BadPayload, st.ToBrowsers, st.Dropped)
			return err
		}, "subscribe"),
	}
	addComponentFlags(cmd, &f.comp, "WebSocket Gateway")
	fs := cmd.Flags()
	fs.StringVar(&f.listen, "listen", ws.DefaultListen, `address to serve on, host:port (":9000" for every interface)`)
	fs.IntVarP(&f.port, "port", "i", 0, "port to serve on, on --listen's host (s3-extend wsgw's -i; default: --listen's port, 9000)")
	fs.VarP(&f.log, "log", "l", "True: log connection events, as -v (s3-extend wsgw's -l, which logs to ~/wsgw.log; here to stderr)")
	fs.StringArrayVarP(&f.subscribe, "subscribe", "m", nil, "Banyan topics to subscribe to all the time (several values, spaces or commas)")
	fs.StringVar(&f.static, "static", "", "directory to serve over HTTP on the same address (the OneGPIO pages)")
	originUsage := `also allow pages from these origins: host patterns ("localhost:8000", "*.lan"), "scheme://host", or the preset "onegpio" (the web sites that serve OneGPIO pages: s3-extend's Scratch 3 editor at mryslab.github.io); "*" allows all`
	var origins []string
	if asWSGW {
		origins = []string{ws.PresetOneGPIO}
		originUsage += `; as wsgw, onegpio unless --origin is given, so that s3-extend's Scratch 3 editor connects as it does to s3-extend's wsgw`
	}
	fs.StringArrayVar(&f.origins, "origin", origins, originUsage)
	fs.BoolVar(&f.refuseNullOrigin, "refuse-null-origin", false, `refuse the origin "null" (pages opened from files, sandboxed frames)`)
	fs.BoolVar(&f.keepTimestamps, "keep-timestamps", false, `send "timestamp" as it is on Banyan, not as local time text`)
	fs.BoolVar(&f.utc, "utc", false, "write rewritten timestamps in UTC instead of local time")
	fs.IntVar(&f.queue, "queue", ws.DefaultQueue, "frames that may wait for each browser; beyond, they are dropped")
	fs.DurationVar(&f.writeTimeout, "write-timeout", ws.DefaultWriteTimeout, "disconnect a browser that does not read for this long")
	fs.DurationVar(&f.idTimeout, "id-timeout", ws.DefaultIDTimeout, "close a connection that sends no id for this long")
	fs.Int64Var(&f.maxMessage, "max-browser-message", ws.DefaultMaxMessage, "largest message accepted from a page, in bytes")
	fs.Int64Var(&f.maxDecodeBytes, "max-decode-bytes", ws.DefaultMaxDecodeBytes, "bytes of page messages being read and converted at once, over all connections (at least twice --max-browser-message)")
	fs.DurationVar(&f.decodeWait, "decode-wait", ws.DefaultDecodeWait, "longest wait for room in --max-decode-bytes; then the connection is closed with status 1013")
	return cmd
}

// splitTopics splits values at commas and trims spaces, dropping empty
// ones: ws_gateway's default -m is "from_arduino_gateway, from_rpi_gateway".
func splitTopics(values []string) []string {
	var out []string
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// options turns the flags into gateway options.
func (f *wsFlags) options() (ws.Options, error) {
	listen := f.listen
	if f.port != 0 {
		if f.port < 0 || f.port > 65535 {
			return ws.Options{}, fmt.Errorf("-i %d: not a TCP port", f.port)
		}
		host, _, err := net.SplitHostPort(listen)
		if err != nil {
			return ws.Options{}, fmt.Errorf("--listen %q: %w", listen, err)
		}
		listen = net.JoinHostPort(host, strconv.Itoa(f.port))
	}
	if f.log {
		f.comp.verbose = true
	}
	bp, err := f.comp.options()
	if err != nil {
		return ws.Options{}, err
	}
	o := ws.Options{
		Listen:           listen,
		Subscribe:        splitTopics(f.subscribe),
		Static:           f.static,
		Origins:          f.origins,
		RefuseNullOrigin: f.refuseNullOrigin,
		KeepTimestamps:   f.keepTimestamps,
		Queue:            f.queue,
		WriteTimeout:     f.writeTimeout,
		IDTimeout:        f.idTimeout,
		MaxMessage:       f.maxMessage,
		MaxDecodeBytes:   f.maxDecodeBytes,
		DecodeWait:       f.decodeWait,
		Backplane:        bp,
		Logger:           f.comp.logger(),
	}
	if f.utc {
		o.Location = time.UTC
	}
	return o, nil
}
