package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/gobanyan/banyan/bench/peers/internal/natsbus"
	"github.com/gobanyan/banyan/internal/benchmark"
)

// output says how results are printed.
type output struct {
	csv, json, noHeader bool
}

func (o *output) register(fs *flag.FlagSet) {
	fs.BoolVar(&o.csv, "csv", false, "print CSV (a header line, then the result)")
	fs.BoolVar(&o.json, "json", false, "print JSON (one line)")
	fs.BoolVar(&o.noHeader, "no-header", false, "with -csv, leave the header line out (to append to a file)")
}

// runRole is `busbench run`: one benchmark.Run against a forwarder of
// its own.
func runRole(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ff forwarderFlags
	ff.register(fs)
	var out output
	out.register(fs)
	var cfg benchmark.RunConfig
	fs.IntVar(&cfg.Pubs, "pubs", 1, "publishers")
	fs.IntVar(&cfg.Subs, "subs", 1, "subscribers")
	fs.IntVar(&cfg.Size, "size", benchmark.DefaultSize, "payload bytes per message")
	fs.IntVar(&cfg.Msgs, "msgs", 0, "messages in total (default 100,000 unless -duration)")
	fs.DurationVar(&cfg.Duration, "duration", 0, "publish for this long instead of -msgs")
	fs.Float64Var(&cfg.Rate, "rate", 0, "messages per second per publisher (0: as fast as possible)")
	fs.IntVar(&cfg.Subscriptions, "subscriptions", 1, "prefixes per subscriber (1 that matches, the rest decoys)")
	fs.IntVar(&cfg.Window, "window", 0, "messages a publisher may have in flight (0: about 64 MiB of payload; -1: no bound)")
	fs.DurationVar(&cfg.Idle, "idle", 0, "give up when deliveries stop for this long (default 3s)")
	fs.DurationVar(&cfg.WarmUp, "warmup", 0, "bound of the warm-up, until every subscriber has seen every publisher (default 10s)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("run: unexpected arguments %q", fs.Args())
	}
	if out.csv && out.json {
		return errors.New("run: -csv or -json, not both")
	}
	fw, err := ff.start(ctx, false)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	cfg.ForwarderPID = fw.proc.PID()
	res, err := benchmark.Run(ctx, fw.bus, cfg)
	if stopErr := fw.cleanup(); err == nil && stopErr != nil {
		err = fmt.Errorf("run: stopping the forwarder: %w", stopErr)
	}
	if nb, ok := fw.bus.(*natsbus.Bus); ok && nb.SlowConsumers() > 0 {
		fmt.Fprintf(stderr, "busbench: nats: %d slow-consumer errors (messages lost)\n", nb.SlowConsumers())
	}
	if err != nil {
		return fmt.Errorf("run: %s: %w", ff.name(), err)
	}
	res.Bus = ff.name()
	switch {
	case out.csv:
		return benchmark.WriteCSV(stdout, !out.noHeader, res)
	case out.json:
		return benchmark.WriteJSON(stdout, res)
	default:
		return benchmark.WriteSummary(stdout, res)
	}
}
