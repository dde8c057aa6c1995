package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/echo"
	"github.com/spf13/cobra"
)

func newEchoServerCmd() *cobra.Command {
	var (
		cf       componentFlags
		quiet    bool
		messages int
		loopTime float64
	)
	cmd := &cobra.Command{
		Use:   "echo-server",
		Short: "Republish every message on topic echo to topic reply (Python's simple_echo_server)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cf.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			out := cmd.OutOrStdout()
			return echo.Serve(cmd.Context(), c, func(n int64) {
				if !quiet {
					fmt.Fprintf(out, "Message number: %d\n", n)
				}
			})
		},
	}
	addComponentFlags(cmd, &cf, "EchoServer")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "do not print each message number")
	cmd.Flags().IntVarP(&messages, "messages", "m", 10, "accepted for Python compatibility; no effect: echo_cmdline_server's -m, unused there too (the client decides how many)")
	addLoopTimeFlag(cmd, &loopTime, 0.1)
	return cmd
}

func newEchoClientCmd() *cobra.Command {
	var (
		cf       componentFlags
		count    int
		timeout  time.Duration
		asJSON   bool
		warmup   bool
		loopTime float64
	)
	cmd := &cobra.Command{
		Use:   "echo-client",
		Short: "Send -m echo requests one after another and report round-trip latency",
		Long: `Send echo requests one after another, each when the reply to the one before
has come back, as Python's echo_cmdline_client does: {'message_number': m},
then m-2, m-3, ... down to 0 (m-1 is skipped, as there), so m requests in all;
then print the round-trip percentiles and, last, Python's line
"m messages sent and received. ". -m 0 sends 0 alone; -m 1 sends 1 alone and
ends on its reply (Python's client then waits for ever).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if count < 0 {
				return fmt.Errorf("-m %d: want 0 or more", count)
			}
			c, err := cf.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			if warmup {
				// One round trip first, retried: the server may still be subscribing.
				for i := 0; ; i++ {
					_, err := echo.Client(cmd.Context(), c, []int{0}, 200*time.Millisecond)
					if err == nil {
						break
					}
					if i == 50 {
						return err
					}
				}
			}
			res, err := echo.Client(cmd.Context(), c, echo.Numbers(count), timeout)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]any{
					"n": len(res.RTT), "median_us": us(res.Percentile(50)), "p99_us": us(res.Percentile(99))})
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "round trip µs: median %.1f, p90 %.1f, p99 %.1f, max %.1f (%d round trips in %v)\n",
				us(res.Percentile(50)), us(res.Percentile(90)), us(res.Percentile(99)), us(res.Percentile(100)), len(res.RTT), res.Elapsed.Round(time.Microsecond))
			fmt.Fprintf(out, "%d messages sent and received. \n", count) // Python's line, its trailing space too
			return nil
		},
	}
	addComponentFlags(cmd, &cf, "EchoClient")
	cmd.Flags().IntVarP(&count, "messages", "m", 10, "messages to send, as Python's echo_cmdline_client: m, then m-2 down to 0 (m-1 skipped, as there)")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "give up when a reply takes longer (a reply timeout; for the backplane see --connect-timeout)")
	addLoopTimeFlag(cmd, &loopTime, 0.1)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print {n, median_us, p99_us} as JSON")
	cmd.Flags().BoolVar(&warmup, "warmup", false, "make one untimed round trip first")
	return cmd
}

// addLoopTimeFlag adds Python's -t loop time (seconds), which does nothing
// here: components are event-driven, not polled.
func addLoopTimeFlag(cmd *cobra.Command, v *float64, def float64) {
	cmd.Flags().Float64VarP(v, "loop-time", "t", def, "accepted for Python compatibility; no effect: Python's receive-loop poll interval in seconds (messages are delivered as they arrive here)")
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }

func newDemoCmd() *cobra.Command {
	var count int
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "See Banyan work: an embedded backplane, an echo server and an echo client in one process",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDemo(cmd.Context(), cmd.OutOrStdout(), count)
		},
	}
	cmd.Flags().IntVarP(&count, "messages", "m", 10, "echo round trips, numbered as Python's echo client numbers its -m")
	return cmd
}

func runDemo(ctx context.Context, out io.Writer, count int) error {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	bp, err := backplane.New(backplane.Options{Bind: "127.0.0.1", PublisherPort: backplane.FreePort, SubscriberPort: backplane.FreePort, Logger: log})
	if err != nil {
		return err
	}
	defer bp.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fmt.Fprintf(out, "1. backplane running on 127.0.0.1: publish to port %d, subscribe from port %d\n", bp.PublisherPort(), bp.SubscriberPort())

	opts := []banyan.Option{banyan.WithBackplane("127.0.0.1"), banyan.WithPorts(bp.PublisherPort(), bp.SubscriberPort()), banyan.WithLogger(log)}
	server, err := banyan.Connect(ctx, append(opts, banyan.WithName("EchoServer"))...)
	if err != nil {
		return err
	}
	defer server.Close()
	// Subscribed and confirmed by the backplane before the client starts.
	if err := server.SubscribeSync(ctx, echo.RequestTopic); err != nil {
		return err
	}
	served := 0
	srvDone := make(chan struct{})
	go func() {
		defer close(srvDone)
		echo.Serve(ctx, server, func(int64) { served++ })
	}()
	client, err := banyan.Connect(ctx, append(opts, banyan.WithName("EchoClient"))...)
	if err != nil {
		return err
	}
	defer client.Close()
	fmt.Fprintf(out, "2. echo server subscribed to %q, replies on %q\n", echo.RequestTopic, echo.ReplyTopic)
	res, err := echo.Client(ctx, client, echo.Numbers(count), 5*time.Second)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "3. echo client sent %d messages (-m %d, as Python's client numbers them): %s\n", res.Sent, count, res.Summary())
	cancel()
	<-srvDone
	fmt.Fprintf(out, "4. the server handled %d requests; all stopped cleanly\n", served)
	return nil
}
