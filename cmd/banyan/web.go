package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/webview"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// webFlags are the web view's flags, on `banyan backplane` (where --http
// turns the view on) and on `banyan web` (where it is the whole job).
type webFlags struct {
	addr         string
	allowPublish bool
	token        string
	tokenFile    string
	maxTopics    int
	maxPayload   byteSize
}

// add registers the flags; defaultAddr is --http's default ("" = off).
func (f *webFlags) add(fs *pflag.FlagSet, defaultAddr string) {
	help := "serve the live web view (connections, topics, rates, last payloads), /metrics and /healthz on this address, e.g. 127.0.0.1:8080; a non-loopback address needs --http-token"
	if defaultAddr != "" {
		help = "serve the live web view, /metrics and /healthz on this address; a non-loopback address needs --http-token"
	}
	fs.StringVar(&f.addr, "http", defaultAddr, help)
	fs.BoolVar(&f.allowPublish, "http-allow-publish", false, "show a form on the web view that publishes a message (topic and JSON payload) to the bus; off by default: anyone who can load the page could drive your gateways")
	fs.StringVar(&f.token, "http-token", "", "require this token on every web request (Authorization: Bearer TOKEN, or open the page once as /?token=TOKEN, which sets a cookie); needed to listen on a non-loopback address")
	fs.StringVar(&f.tokenFile, "http-token-file", "", "read --http-token from the first line of this file (keeps it out of ps and shell history)")
	fs.IntVar(&f.maxTopics, "http-max-topics", 0, `topics the web view tracks one by one; the rest are counted together as "other" (0 = 1000)`)
	fs.Var(&f.maxPayload, "http-max-payload", "largest payload the web view keeps and shows as the last value; a larger one is shown by its size (0 = 16KiB)")
}

// resolveToken returns the token from --http-token or --http-token-file.
func (f *webFlags) resolveToken() (string, error) {
	if f.tokenFile == "" {
		return f.token, nil
	}
	if f.token != "" {
		return "", errors.New("--http-token and --http-token-file: give one of them")
	}
	b, err := readSmallFile(f.tokenFile, 4096)
	if err != nil {
		return "", fmt.Errorf("--http-token-file: %w", err)
	}
	tok, _, _ := strings.Cut(string(b), "\n")
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", fmt.Errorf("--http-token-file %s: the first line is empty", f.tokenFile)
	}
	return tok, nil
}

// readSmallFile reads a file of at most limit bytes.
func readSmallFile(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return b, nil
}

// start builds the view from opts and the flags, listens, and serves until
// ctx ends; it prints where. /metrics serves reg, with the Go runtime's
// collectors, the view's own and extra registered in it.
func (f *webFlags) start(ctx context.Context, out io.Writer, reg *prometheus.Registry, opts webview.Options, extra ...prometheus.Collector) (*webview.View, error) {
	tok, err := f.resolveToken()
	if err != nil {
		return nil, err
	}
	opts.Token = tok
	opts.MaxTopics = f.maxTopics
	opts.MaxPayload = int(f.maxPayload)
	if !f.allowPublish {
		opts.Publish = nil
	}
	opts.Metrics = reg
	v, err := webview.New(opts)
	if err != nil {
		return nil, err
	}
	cs := append([]prometheus.Collector{prometheus.NewGoCollector()}, extra...)
	if err := registerAll(reg, append(cs, v.Collectors()...)...); err != nil {
		v.Close()
		return nil, err
	}
	ln, err := v.Listen(f.addr)
	if err != nil {
		v.Close()
		if errors.Is(err, webview.ErrTokenRequired) {
			return nil, fmt.Errorf("--http %s: %w (give --http-token or --http-token-file, or listen on 127.0.0.1)", f.addr, err)
		}
		return nil, fmt.Errorf("--http %s: %w", f.addr, err)
	}
	go v.Serve(ctx, ln) // ends with ctx; the view's errors are its log's
	context.AfterFunc(ctx, func() { v.Close() })
	note := ""
	switch {
	case tok != "":
		note = " (token required: open it once as /?token=…)"
	case f.allowPublish:
		note = " (publishing allowed)"
	}
	fmt.Fprintf(out, "Web view at http://%s/%s\n", displayAddr(ln.Addr()), note)
	return v, nil
}

// displayAddr is a listener's address as a browser on this host reaches it.
func displayAddr(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok || !ta.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(ta.Port))
}

func registerAll(reg *prometheus.Registry, cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func newWebCmd() *cobra.Command {
	var (
		cf componentFlags
		wf webFlags
	)
	cmd := &cobra.Command{
		Use:   "web",
		Short: "Serve the live web view of any backplane (Python's, js-banyan's, ours) as a component",
		Long: `Serve the live web view as a component: it subscribes to everything on any
Banyan backplane (Python Banyan's, js-banyan's, rb_banyan's, javabanyan's or
ours) and shows its topics, their rates and their last values, with /metrics
and /healthz on the same listener. It has no per-connection data: only our
backplane knows its connections (banyan backplane --http shows them).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			// The view comes up first, so the page answers (and /healthz
			// says so) while the backplane is still awaited.
			var comp atomic.Pointer[banyan.Component]
			reg := prometheus.NewRegistry()
			v, err := wf.start(ctx, cmd.OutOrStdout(), reg, webview.Options{
				Name: cf.name,
				Publish: func(_ context.Context, topic string, payload []byte) error {
					c := comp.Load()
					if c == nil {
						return errors.New("not connected to the backplane yet")
					}
					return c.PublishRaw(topic, payload)
				},
				Health: func() error {
					if c := comp.Load(); c == nil || !c.Stats().Connected {
						return errors.New("not connected to the backplane")
					}
					return nil
				},
				Logger: cf.logger(),
			})
			if err != nil {
				return err
			}
			defer v.Close()
			c, err := cf.connect(ctx, banyan.WithSubscriptions(""))
			if err != nil {
				return err
			}
			defer c.Close()
			if err := registerAll(reg, componentCollectors(c)...); err != nil {
				return err
			}
			comp.Store(c)
			return c.Run(ctx, func(m *banyan.Message) { v.Observe([]byte(m.Topic), m.Payload) })
		},
	}
	addComponentFlags(cmd, &cf, "web")
	wf.add(cmd.Flags(), "127.0.0.1:8080")
	return cmd
}

// componentCollectors are a component's counters as Prometheus metrics:
// banyan_component_received_total, _published_total, _bad_messages_total
// and _connected.
func componentCollectors(c *banyan.Component) []prometheus.Collector {
	counter := func(name, help string, get func(banyan.Stats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "banyan", Subsystem: "component", Name: name, Help: help},
			func() float64 { return float64(get(c.Stats())) })
	}
	return []prometheus.Collector{
		counter("received_total", "Messages received from the backplane.", func(s banyan.Stats) uint64 { return s.Received }),
		counter("published_total", "Messages published (the web view's form).", func(s banyan.Stats) uint64 { return s.Published }),
		counter("bad_messages_total", "Incoming messages skipped as malformed.", func(s banyan.Stats) uint64 { return s.BadMessages }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "banyan", Subsystem: "component", Name: "connected", Help: "1 while both connections to the backplane are up."},
			func() float64 {
				if c.Stats().Connected {
					return 1
				}
				return 0
			}),
	}
}
