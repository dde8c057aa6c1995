package main

import (
	"fmt"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"

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
	maxMsg    byteSize
}

func addComponentFlags(cmd *cobra.Command, f *componentFlags, defaultName string) {
	fs := cmd.Flags()
	fs.StringVarP(&f.backplane, "backplane", "b", "", "backplane address (default: $BANYAN_BACKPLANE, else this host's LAN address, else 127.0.0.1)")
	fs.IntVarP(&f.pubPort, "publisher-port", "p", banyan.DefaultPublisherPort, "backplane port to publish to")
	fs.IntVarP(&f.subPort, "subscriber-port", "s", banyan.DefaultSubscriberPort, "backplane port to subscribe from")
	fs.StringVarP(&f.name, "name", "n", defaultName, "component name (for logs)")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "log connection events")
	f.maxMsg = banyan.DefaultMaxMessageSize
	fs.Var(&f.maxMsg, "max-message-size", "largest message, topic and payload together, sent or accepted (bytes, or with KiB/MiB/GiB; 0 = no limit)")
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
	opts := []banyan.Option{banyan.WithPorts(f.pubPort, f.subPort), banyan.WithName(f.name), banyan.WithLogger(f.logger()),
		banyan.WithMaxMessageSize(int64(f.maxMsg))}
	if f.backplane != "" {
		opts = append(opts, banyan.WithBackplane(f.backplane))
	}
	return append(opts, extra...)
}

// byteSize is a size flag: a number of bytes, optionally with a unit
// (K/KiB, M/MiB, G/GiB, all powers of 1024). Negative values are kept for
// flags where they mean "unlimited".
type byteSize int64

func (b *byteSize) String() string {
	v := int64(*b)
	for _, u := range []struct {
		name  string
		shift uint
	}{{"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if v != 0 && v%(1<<u.shift) == 0 {
			return strconv.FormatInt(v>>u.shift, 10) + u.name
		}
	}
	return strconv.FormatInt(v, 10)
}

func (b *byteSize) Set(s string) error {
	num := strings.TrimSpace(s)
	shift := uint(0)
	lower := strings.ToLower(num)
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"kib", 10}, {"mib", 20}, {"gib", 30}, {"kb", 10}, {"mb", 20}, {"gb", 30}, {"k", 10}, {"m", 20}, {"g", 30}, {"b", 0}} {
		if strings.HasSuffix(lower, u.suffix) {
			num, shift = strings.TrimSpace(num[:len(num)-len(u.suffix)]), u.shift
			break
		}
	}
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return fmt.Errorf("not a size: %q (want bytes, or a number with KiB, MiB or GiB)", s)
	}
	if v > math.MaxInt64>>shift || v < math.MinInt64>>shift {
		return fmt.Errorf("size %q is too large", s)
	}
	*b = byteSize(v << shift)
	return nil
}

func (b *byteSize) Type() string { return "size" }
