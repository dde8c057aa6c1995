package main

import (
	"log/slog"
	"os"

	"github.com/gobanyan/banyan"
	"github.com/spf13/cobra"
)

// componentFlags are the flags every component command takes, as Python's
// components do: -b backplane address, -p publisher port, -s subscriber
// port, -n name.
type componentFlags struct {
	backplane string
	pubPort   int
	subPort   int
	name      string
	verbose   bool
}

func addComponentFlags(cmd *cobra.Command, f *componentFlags, defaultName string) {
	fs := cmd.Flags()
	fs.StringVarP(&f.backplane, "backplane", "b", "", "backplane address (default: $BANYAN_BACKPLANE, else this host's LAN address, else 127.0.0.1)")
	fs.IntVarP(&f.pubPort, "publisher-port", "p", banyan.DefaultPublisherPort, "backplane port to publish to")
	fs.IntVarP(&f.subPort, "subscriber-port", "s", banyan.DefaultSubscriberPort, "backplane port to subscribe from")
	fs.StringVarP(&f.name, "name", "n", defaultName, "component name (for logs)")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "log connection events")
}

func (f *componentFlags) logger() *slog.Logger {
	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// options turns the flags into component options; extra ones follow.
func (f *componentFlags) options(extra ...banyan.Option) []banyan.Option {
	opts := []banyan.Option{banyan.WithPorts(f.pubPort, f.subPort), banyan.WithName(f.name), banyan.WithLogger(f.logger())}
	if f.backplane != "" {
		opts = append(opts, banyan.WithBackplane(f.backplane))
	}
	return append(opts, extra...)
}
