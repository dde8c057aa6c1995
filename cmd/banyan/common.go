package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// componentFlags are the flags every component command takes, as Python's
// components do: -b backplane address, -p publisher port, -s subscriber
// port, -n name; and ours: -v, --max-message-size, --msgpack and
// --connect-timeout.
type componentFlags struct {
	backplane backplaneAddr
	pubPort   int
	subPort   int
	name      string
	verbose   bool
	maxMsg    byteSize
	msgpack   msgpackSpec
	// connectTimeout bounds the wait for the backplane; 0 waits without
	// bound. Used only when withConnect (the flags were registered).
	connectTimeout time.Duration
	withConnect    bool
	// logOut receives the log: the command's stderr (set before it runs).
	logOut io.Writer
	// curve is the --curve-server-key and --curve-key flags, read by
	// options (after the flags are parsed: commands with
	// DisableFlagParsing parse them only in RunE).
	curve curveClientFlags
}

// addComponentFlags adds every component flag, -n being the name.
func addComponentFlags(cmd *cobra.Command, f *componentFlags, defaultName string) {
	f.addBase(cmd, defaultName, "n")
	f.addConnect(cmd.Flags())
}

// addBase adds -b, -p, -s, the name (with the shorthand nameShort: tgw's
// is -z), -v and --max-message-size to cmd, and sends the log to cmd's
// stderr.
func (f *componentFlags) addBase(cmd *cobra.Command, defaultName, nameShort string) {
	pre := cmd.PreRunE
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		f.logOut = cmd.ErrOrStderr()
		if pre != nil {
			return pre(cmd, args)
		}
		return nil
	}
	fs := cmd.Flags()
	fs.VarP(&f.backplane, "backplane", "b", `backplane address; "None" (Python's default) or empty: $BANYAN_BACKPLANE, else this host's LAN address, else 127.0.0.1`)
	fs.IntVarP(&f.pubPort, "publisher-port", "p", banyan.DefaultPublisherPort, "backplane port to publish to")
	fs.IntVarP(&f.subPort, "subscriber-port", "s", banyan.DefaultSubscriberPort, "backplane port to subscribe from")
	fs.StringVarP(&f.name, "name", nameShort, defaultName, "component name (for logs)")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "log connection events")
	f.maxMsg = banyan.DefaultMaxMessageSize
	f.curve.add(fs)
	fs.Var(&f.maxMsg, "max-message-size", "largest message, topic and payload together, sent or accepted (bytes, or with KiB/MiB/GiB; 0 = no limit)")
}

// addConnect adds --msgpack and --connect-timeout, for commands whose
// component is built from options().
func (f *componentFlags) addConnect(fs *pflag.FlagSet) {
	f.addConnectWith(fs, 0, "0 = wait for it without bound, as Python's components do with -b; a warning says where it is waited for")
}

// addConnectWith is addConnect with another default for
// --connect-timeout, and why, for its help.
func (f *componentFlags) addConnectWith(fs *pflag.FlagSet, def time.Duration, why string) {
	f.withConnect = true
	f.addMsgpack(fs)
	fs.DurationVar(&f.connectTimeout, "connect-timeout", def, `give up when the backplane has not answered for this long, with "Backplane is not running - please start it." (`+why+")")
}

// addMsgpack adds --msgpack alone (launch and launch-client pass it to
// their launch options themselves).
func (f *componentFlags) addMsgpack(fs *pflag.FlagSet) {
	fs.Var(&f.msgpack, "msgpack", "msgpack format sent: current, or legacy: old-spec msgpack (no str8/bin) for javabanyan receivers")
}

func (f *componentFlags) logger() *slog.Logger {
	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelDebug
	}
	w := f.logOut
	if w == nil {
		w = os.Stderr
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// options turns the flags into component options; extra ones follow. It
// reads the CURVE key files the flags name, so it is called once the
// flags are parsed, when the command starts, and its error (a bad key) is
// the command's.
func (f *componentFlags) options(extra ...banyan.Option) ([]banyan.Option, error) {
	curveOpt, err := f.curve.option()
	if err != nil {
		return nil, err
	}
	opts := []banyan.Option{banyan.WithPorts(f.pubPort, f.subPort), banyan.WithName(f.name), banyan.WithLogger(f.logger()),
		banyan.WithMaxMessageSize(int64(f.maxMsg))}
	if f.backplane != "" {
		opts = append(opts, banyan.WithBackplane(string(f.backplane)))
	}
	if f.withConnect {
		opts = append(opts, banyan.WithMsgpack(f.msgpack.spec()), banyan.WithConnectTimeout(f.connectTimeout))
	}
	if curveOpt != nil {
		opts = append(opts, curveOpt)
	}
	return append(opts, extra...), nil
}

// launchOptions are the options launch and launch-client give their
// components (the launcher sets the rest from its own options): the
// --msgpack format and the CURVE keys.
func (f *componentFlags) launchOptions() ([]banyan.Option, error) {
	opts := []banyan.Option{banyan.WithMsgpack(f.msgpack.spec())}
	curveOpt, err := f.curve.option()
	if err != nil || curveOpt == nil {
		return opts, err
	}
	return append(opts, curveOpt), nil
}

// connect connects a component with the flags' options and extra ones.
func (f *componentFlags) connect(ctx context.Context, extra ...banyan.Option) (*banyan.Component, error) {
	opts, err := f.options(extra...)
	if err != nil {
		return nil, err
	}
	return banyan.Connect(ctx, opts...)
}

// backplaneAddr is the -b flag. Python's components take the string
// "None" (their argparse default) for "find it", so it is the empty
// address here.
type backplaneAddr string

func (b *backplaneAddr) String() string { return string(*b) }

func (b *backplaneAddr) Set(s string) error {
	if s == "None" {
		s = ""
	}
	*b = backplaneAddr(s)
	return nil
}

func (b *backplaneAddr) Type() string { return "address" }

// msgpackSpec is the --msgpack flag: current or legacy.
type msgpackSpec banyan.MsgpackSpec

func (m *msgpackSpec) spec() banyan.MsgpackSpec { return banyan.MsgpackSpec(*m) }

func (m *msgpackSpec) String() string {
	if m.spec() == banyan.MsgpackLegacy {
		return "legacy"
	}
	return "current"
}

func (m *msgpackSpec) Set(s string) error {
	switch s {
	case "current":
		*m = msgpackSpec(banyan.MsgpackCurrent)
	case "legacy":
		*m = msgpackSpec(banyan.MsgpackLegacy)
	default:
		return fmt.Errorf("%q: want current or legacy", s)
	}
	return nil
}

func (m *msgpackSpec) Type() string { return "format" }

// pyBool is a flag that takes Python's argparse strings True and False
// (in any case, as s3-extend's lower() comparisons do); anything else is
// an error rather than Python's silent False.
type pyBool bool

func (b *pyBool) String() string {
	if *b {
		return "True"
	}
	return "False"
}

func (b *pyBool) Set(s string) error {
	switch {
	case strings.EqualFold(s, "True"):
		*b = true
	case strings.EqualFold(s, "False"):
		*b = false
	default:
		return fmt.Errorf("%q: want True or False", s)
	}
	return nil
}

func (b *pyBool) Type() string { return "True|False" }

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
