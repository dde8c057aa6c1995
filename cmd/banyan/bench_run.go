package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/benchmark"
	"github.com/spf13/cobra"
)

// benchRunFlags are the flags of "banyan bench" itself.
type benchRunFlags struct {
	cf             componentFlags
	cfg            benchmark.RunConfig
	size           byteSize
	pid            int
	start          bool
	asJSON, asCSV  bool
	noHeader       bool
	connectTimeout time.Duration
}

func newBenchRunCmd() *cobra.Command {
	var f benchRunFlags
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Benchmark a bus: publishers and subscribers through any Banyan backplane; rates, latency percentiles, loss, CPU",
		Long: `Run --pubs publishers and --subs subscribers, each its own connection,
through the backplane at -b/-p/-s: ours, Python Banyan's, js-banyan's, one on
another machine. Each message is a msgpack bin of --size bytes carrying a
sequence number and its send time; publisher i publishes on TOPIC/i, every
subscriber subscribes to TOPIC/ (and --subscriptions - 1 decoy prefixes that
never match). Publishers first send warm-up messages until every subscriber has
seen one from each, then --msgs messages in all (or for --duration), as fast as
they can or paced at --rate messages per second each, like sensors.

It reports the publish and delivery rates (first to last delivery), delivered
payload bytes per second, latency percentiles from publish to delivery over
every message (HDR histogram), loss and reordering per publisher, and the CPU
this process spent per delivered message. With --start (our own backplane,
started here) or --pid (a forwarder process on this machine), it also reports
the forwarder's CPU per delivered message and its peak resident memory (Linux).

A publisher keeps at most about 64 MiB of messages in flight ahead of its
slowest subscriber (--window), so a flood measures throughput rather than
memory.

Output is a summary for people, one JSON object (--json), or CSV: a header
and one row (--csv; --no-header to append to a file). On a terminal, stderr
shows a progress bar.

The subcommands forward and throughput are the fixed loads the
bench/compare-*.sh scripts run.`,
		Example: `  banyan bench --start --pubs 1 --subs 10 --msgs 1000000
  banyan bench -b 192.168.1.20 --pubs 20 --rate 100 --duration 30s --size 1KiB
  banyan bench --pid $(pgrep -f pyforwarder) -p 53124 -s 53125 --size 64KiB --csv --no-header >> sizes.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return f.run(cmd) },
	}
	f.cf.addBase(cmd, "bench", "n")
	fs := cmd.Flags()
	fs.IntVar(&f.cfg.Pubs, "pubs", 1, "publishers, each its own connection")
	fs.IntVar(&f.cfg.Subs, "subs", 1, "subscribers, each its own connection")
	f.size = benchmark.DefaultSize
	fs.Var(&f.size, "size", fmt.Sprintf("payload bytes per message, at least %d; a number, or with K/KiB or M/MiB (1024 and 1024²)", benchmark.MinSize))
	fs.IntVar(&f.cfg.Msgs, "msgs", 0, fmt.Sprintf("messages in all, spread over the publishers (default %d unless --duration)", benchmark.DefaultMsgs))
	fs.DurationVar(&f.cfg.Duration, "duration", 0, "publish for this long instead of --msgs")
	fs.Float64Var(&f.cfg.Rate, "rate", 0, "messages per second per publisher (0: as fast as possible)")
	fs.IntVar(&f.cfg.Subscriptions, "subscriptions", 1, "prefix subscriptions per subscriber: the one that matches, and decoys that never do")
	fs.StringVar(&f.cfg.Topic, "topic", benchmark.DefaultTopic, "topic prefix: publisher i publishes on TOPIC/i")
	fs.IntVar(&f.cfg.Window, "window", 0, "most messages a publisher has in flight ahead of its slowest subscriber (0: about 64 MiB of payload; -1: no bound)")
	fs.DurationVar(&f.cfg.Idle, "idle", benchmark.DefaultIdle, "end the run when deliveries have stopped for this long (the rest is lost)")
	fs.DurationVar(&f.connectTimeout, "connect-timeout", 5*time.Second, "give up when the backplane has not answered for this long")
	fs.IntVar(&f.pid, "pid", 0, "the forwarder's process id, to measure its CPU and memory")
	fs.BoolVar(&f.start, "start", false, `start our own backplane ("banyan backplane --hwm -1", lossless) on 127.0.0.1 -p/-s and measure it`)
	fs.BoolVar(&f.asJSON, "json", false, "print the result as one JSON object")
	fs.BoolVar(&f.asCSV, "csv", false, "print the result as CSV: a header line and one row")
	fs.BoolVar(&f.noHeader, "no-header", false, "with --csv, the row alone (to append to a file)")
	return cmd
}

// check refuses combinations that make no sense, before anything connects.
func (f *benchRunFlags) check() error {
	switch {
	case f.asJSON && f.asCSV:
		return errors.New("--json and --csv: choose one")
	case f.noHeader && !f.asCSV:
		return errors.New("--no-header goes with --csv")
	case f.start && f.pid != 0:
		return errors.New("--start measures the backplane it starts: --pid is for one already running")
	case f.cfg.Msgs > 0 && f.cfg.Duration > 0:
		return errors.New("--msgs and --duration: give one")
	case f.size < benchmark.MinSize:
		return fmt.Errorf("--size %d: the payload needs at least %d bytes (sequence number and send time)", f.size, benchmark.MinSize)
	case int64(f.size) > int64(^uint32(0)):
		return fmt.Errorf("--size %s: too large for one msgpack bin", f.size.String())
	case f.cfg.Pubs < 1 || f.cfg.Subs < 1:
		return errors.New("--pubs and --subs: at least 1 each")
	case f.cfg.Subscriptions < 1:
		return errors.New("--subscriptions: at least 1")
	case f.cfg.Rate < 0:
		return errors.New("--rate: 0 (as fast as possible) or more")
	case f.start && f.cf.backplane != "" && !isLoopback(string(f.cf.backplane)):
		return fmt.Errorf("--start runs the backplane on 127.0.0.1: -b %s cannot reach it", f.cf.backplane)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (f *benchRunFlags) run(cmd *cobra.Command) error {
	if err := f.check(); err != nil {
		return err
	}
	cfg := f.cfg
	cfg.Size = int(f.size)
	cfg.ForwarderPID = f.pid
	if f.start && f.cf.backplane == "" {
		f.cf.backplane = "127.0.0.1"
	}
	opts, err := f.cf.options(banyan.WithConnectTimeout(f.connectTimeout))
	if err != nil {
		return err
	}
	if f.start {
		pid, stop, err := startBackplaneProcess(cmd.Context(), f.cf.pubPort, f.cf.subPort)
		if err != nil {
			return err
		}
		defer stop()
		cfg.ForwarderPID = pid
	}
	bus := benchmark.Banyan(opts...)
	errOut := cmd.ErrOrStderr()
	var bar *benchmark.Bar
	if isTerminal(errOut) {
		bar = benchmark.NewBar(errOut, 80)
		cfg.Progress = bar.Update
	}
	res, err := benchmark.Run(cmd.Context(), bus, cfg)
	if bar != nil {
		bar.Done()
	}
	if err != nil && !(errors.Is(err, context.Canceled) && res.Published > 0) {
		return err
	}
	// Interrupted: what was measured so far, then the error.
	out := cmd.OutOrStdout()
	var werr error
	switch {
	case f.asJSON:
		werr = benchmark.WriteJSON(out, res)
	case f.asCSV:
		werr = benchmark.WriteCSV(out, !f.noHeader, res)
	default:
		werr = benchmark.WriteSummary(out, res)
	}
	if err != nil {
		return fmt.Errorf("interrupted: %w", err)
	}
	return werr
}
