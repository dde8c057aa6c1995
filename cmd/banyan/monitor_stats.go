package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/ratestats"
	"github.com/spf13/cobra"
)

// statsFlags are the monitor's rate-line flags.
type statsFlags struct {
	on       bool
	interval time.Duration
	quiet    bool
	top      int
}

func addStatsFlags(cmd *cobra.Command, s *statsFlags) {
	fs := cmd.Flags()
	fs.BoolVar(&s.on, "stats", false, "print a rate line (messages and payload bytes per second, per topic) every --stats-interval, on stderr (stdout with -q)")
	fs.DurationVar(&s.interval, "stats-interval", time.Second, "time between rate lines")
	fs.BoolVarP(&s.quiet, "quiet", "q", false, "with --stats: print only the rate lines, on stdout, not each message")
	fs.IntVar(&s.top, "stats-top", 10, "topics shown on a rate line, busiest first (0: all)")
}

func (s *statsFlags) validate() error {
	switch {
	case s.quiet && !s.on:
		return errors.New("--quiet without --stats would print nothing")
	case s.on && s.interval <= 0:
		return errors.New("--stats-interval must be positive")
	}
	return nil
}

// run runs the monitor: each message printed by p (unless quiet), and with
// --stats a rate line every interval. Rate lines go to stderr so that
// stdout stays a clean stream of messages, or to stdout with --quiet; with
// --json they are NDJSON objects {"stats": {...}}.
func (s *statsFlags) run(ctx context.Context, cmd *cobra.Command, c *banyan.Component, p printer) error {
	if !s.on {
		return c.Run(ctx, p.print)
	}
	out := cmd.ErrOrStderr()
	if s.quiet {
		out = cmd.OutOrStdout()
	}
	counter := ratestats.New(time.Now())
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		counter.Every(sctx, s.interval, func(r ratestats.Report) {
			if p.json {
				line, _ := json.Marshal(map[string]ratestats.Report{"stats": r})
				fmt.Fprintf(out, "%s\n", line)
				return
			}
			fmt.Fprintln(out, r.Line(s.top))
		})
	}()
	err := c.Run(ctx, func(m *banyan.Message) {
		counter.Add(m.Topic, len(m.Payload))
		if !s.quiet {
			p.print(m)
		}
	})
	cancel()
	<-done
	return err
}
