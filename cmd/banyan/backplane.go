package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/netaddr"
	"github.com/gobanyan/banyan/internal/pyfloat"
	"github.com/gobanyan/banyan/webview"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
)

func newBackplaneCmd() *cobra.Command {
	var (
		name     string
		pubPort  int
		subPort  int
		loopTime float64
		bind     string
		hwm      int
		hwmBytes byteSize
		maxMsg   byteSize = backplane.DefaultMaxMessageSize
		maxSubs  int
		flow     byteSize
		verbose  bool
		metrics  string
		web      webFlags
		cv       curveServerFlags
	)
	cmd := &cobra.Command{
		Use:   "backplane",
		Short: "Run a backplane: the hub every component publishes to and subscribes from",
		Long: `Run a backplane: a forwarder with a SUB socket bound on the publisher port
(components publish there) and a PUB socket bound on the subscriber port
(components subscribe there). Wire-compatible with Python Banyan's backplane,
so Python, JavaScript, Ruby, Java and Go components can share it.

Unlike Python's, it binds every interface by default, so both 127.0.0.1 and
the LAN address work. Python components that look for a running backplane by
process name find this one: its command line contains "backplane".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			level := slog.LevelWarn
			if verbose {
				level = slog.LevelDebug
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			free := func(p int) int { // -p 0 and -s 0: a free port, as net.Listen's ":0"
				if p == 0 {
					return backplane.FreePort
				}
				return p
			}
			pubPort, subPort = free(pubPort), free(subPort)
			if maxMsg == 0 {
				maxMsg = backplane.Unlimited // --max-message-size 0: no limit; in Options 0 is the default
			}
			bo := backplane.Options{
				Name: name, Bind: bind, PublisherPort: pubPort, SubscriberPort: subPort,
				HWM: hwm, HWMBytes: int64(hwmBytes), MaxMessageSize: int64(maxMsg), MaxSubscriptions: maxSubs,
				FlowControl: int64(flow), Logger: log,
			}
			reload, err := cv.apply(&bo)
			if err != nil {
				return err
			}
			bp, err := backplane.New(bo)
			if err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), banner(name, bind, bp.PublisherPort(), bp.SubscriberPort(), loopTime))
			curveBanner(cmd.OutOrStdout(), bp, cv.authorized)
			if reload != nil {
				onSIGHUP(cmd.Context().Done(), func() { reload(bp, log) })
			}
			if metrics != "" {
				addr, err := serveMetrics(cmd.Context(), metrics, bp.Collectors()...)
				if err != nil {
					bp.Close()
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Metrics at http://%s/metrics\n", addr)
			}
			if web.addr != "" {
				_, err := web.start(cmd.Context(), cmd.OutOrStdout(), prometheus.NewRegistry(), webview.Options{
					Backplane: bp,
					Name:      name,
					Publish: func(_ context.Context, topic string, payload []byte) error {
						return bp.Publish(topic, payload)
					},
					Logger: log,
				}, bp.Collectors()...)
				if err != nil {
					bp.Close()
					return err
				}
			}
			return bp.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&name, "name", "n", "", "name of this backplane (shown in the banner)")
	f.IntVarP(&pubPort, "publisher-port", "p", backplane.DefaultPublisherPort, "port components publish to (0 = a free port)")
	f.IntVarP(&subPort, "subscriber-port", "s", backplane.DefaultSubscriberPort, "port components subscribe from (0 = a free port)")
	f.Float64VarP(&loopTime, "loop-time", "t", 0.001, "accepted for Python compatibility; no effect: Python's event loop timer in seconds, shown in the banner (forwarding is event-driven, as it is in Python)")
	f.StringVar(&bind, "bind", "", "interface address to listen on (default: all interfaces)")
	f.IntVar(&hwm, "hwm", 0, "per-subscriber queue limit in messages (0 = 1000 as libzmq, -1 = unlimited)")
	f.Var(&hwmBytes, "hwm-bytes", "per-subscriber queue limit in bytes, beside --hwm, so a stalled subscriber cannot pin gigabytes (0 = 64MiB, or unlimited with --hwm -1; -1 = unlimited)")
	f.Var(&maxMsg, "max-message-size", "largest message accepted, topic and payload together; a larger one is dropped, logged and counted, and the publisher stays connected (with CURVE its connection is closed) (0 or -1 = no limit)")
	f.IntVar(&maxSubs, "max-subscriptions", 0, "most distinct topic prefixes one subscriber may hold; more are ignored, logged and counted (0 = 100000, -1 = unlimited)")
	f.Var(&flow, "flow-control", "flow control: when this many bytes wait in subscriber queues together, stop reading publishers until they drain, instead of queueing to the HWM and dropping (e.g. 16MiB; 0 = off, as libzmq). A subscriber that takes nothing for 1 s is no longer waited for")
	f.BoolVarP(&verbose, "verbose", "v", false, "log connections and disconnections")
	web.add(f, "")
	cv.add(f)
	f.StringVar(&metrics, "metrics", "", "serve Prometheus metrics (forwarded, dropped, bad input, publishers, subscribers) on this address, e.g. :9143")
	return cmd
}

// banner follows Python's layout, and adds where to connect from this host.
func banner(name, bind string, pubPort, subPort int, loopTime float64) string {
	addr := bind
	if addr == "" || addr == "0.0.0.0" || addr == "::" {
		addr = netaddr.LAN()
	}
	title := "Backplane IP address: " + addr
	if name != "" {
		title = name + " " + title
	}
	stars := strings.Repeat("*", 42)
	// Python prints str(float(-t)): "1.0" for -t 1.
	return fmt.Sprintf("\n%s\n%s\nSubscriber Port = %d\nPublisher  Port = %d\nLoop Time = %s seconds\n%s\n",
		stars, title, subPort, pubPort, pyfloat.Append(nil, loopTime), stars)
}
