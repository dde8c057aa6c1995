package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/ratestats"
	"github.com/gobanyan/banyan/record"
	"github.com/spf13/cobra"
)

func newRecordCmd() *cobra.Command {
	var (
		cf           componentFlags
		topics       []string
		appendTo     bool
		force        bool
		count        int
		duration     time.Duration
		info, asJSON bool
		repair       bool
	)
	cmd := &cobra.Command{
		Use:   "record [flags] FILE",
		Short: "Record every message (or those on -t topics) to a file; --info summarises one",
		Long: `Record every message on the backplane (or those on -t topic prefixes) with its
receive time to FILE, until Ctrl-C, -c messages or --duration. The file format
(record/FORMAT.md) survives a crash mid-write: a torn last record is ignored
when reading and cut off by --append.

An existing FILE is refused unless --append (continue it) or --force (overwrite).
--info FILE prints its topics, counts, rates and duration (--json for JSON).
--repair FILE cuts a corrupt recording after its last good record.`,
		Example: `  banyan record session.brec
  banyan record -t sensor/ -t button --duration 10m session.brec
  banyan record --append session.brec
  banyan record --info session.brec`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
			switch {
			case info && repair:
				return errors.New("--info and --repair do not go together")
			case info:
				return printInfo(out, path, asJSON)
			case repair:
				kept, cut, err := record.Repair(path)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "%s: kept %d records, cut %d bytes\n", path, kept, cut)
				return nil
			case asJSON:
				return errors.New("--json goes with --info")
			case appendTo && force:
				return errors.New("--append and --force do not go together")
			case count < 0 || duration < 0:
				return errors.New("-c and --duration must not be negative")
			}
			w, err := openRecording(path, appendTo, force)
			if err != nil {
				return err
			}
			if appendTo {
				fmt.Fprintf(errOut, "appending to %s after %d records", path, w.PriorRecords())
				if w.TruncatedBytes() > 0 {
					fmt.Fprintf(errOut, " (cut a torn tail of %d bytes)", w.TruncatedBytes())
				}
				fmt.Fprintln(errOut)
			}
			if len(topics) == 0 {
				topics = []string{""}
			}
			ctx := cmd.Context()
			if duration > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, duration)
				defer cancel()
			}
			c, err := cf.connect(ctx, banyan.WithSubscriptions(topics...))
			if err != nil {
				w.Close()
				return err
			}
			rec := record.NewRecorder(w, record.RecorderOptions{Limit: count})
			fmt.Fprintf(errOut, "recording %s to %s (Ctrl-C to stop)\n", topicList(topics), path)
			err = rec.Run(ctx, c.Messages())
			c.Close()
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			fmt.Fprintf(errOut, "recorded %d messages (%s) to %s\n", rec.Count(), ratestats.HumanBytes(float64(rec.Bytes())), path)
			return err
		},
	}
	addComponentFlags(cmd, &cf, "Recorder")
	fs := cmd.Flags()
	fs.StringArrayVarP(&topics, "topic", "t", nil, "topic prefix to record (repeatable; default: everything)")
	fs.BoolVarP(&appendTo, "append", "a", false, "add to an existing recording (after its last whole record)")
	fs.BoolVarP(&force, "force", "f", false, "overwrite an existing FILE")
	fs.IntVarP(&count, "count", "c", 0, "stop after this many messages (0: no limit)")
	fs.DurationVar(&duration, "duration", 0, "stop after this long (0: no limit)")
	fs.BoolVar(&info, "info", false, "print FILE's topics, counts, rates and duration instead of recording")
	fs.BoolVar(&asJSON, "json", false, "with --info: print JSON")
	fs.BoolVar(&repair, "repair", false, "cut a corrupt FILE after its last good record")
	return cmd
}

func openRecording(path string, appendTo, force bool) (*record.Writer, error) {
	switch {
	case appendTo:
		return record.Append(path)
	case force:
		return record.Create(path)
	}
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("%s exists: use --append to add to it or --force to overwrite it", path)
	}
	return record.Create(path)
}

func topicList(topics []string) string {
	if len(topics) == 1 && topics[0] == "" {
		return "every topic"
	}
	q := make([]string, len(topics))
	for i, t := range topics {
		q[i] = strconv.Quote(t)
	}
	return "topics " + strings.Join(q, ", ")
}

func printInfo(w io.Writer, path string, asJSON bool) error {
	info, err := record.ReadInfo(path)
	if err != nil && !errors.Is(err, record.ErrCorrupt) {
		return err // could not open it, or not a recording
	}
	if asJSON {
		b, jerr := json.MarshalIndent(info, "", "  ")
		if jerr != nil {
			return jerr
		}
		fmt.Fprintf(w, "%s\n", b)
	} else {
		fmt.Fprintf(w, "%s\n", path)
		if werr := info.WriteText(w); werr != nil {
			return werr
		}
	}
	if err != nil {
		return fmt.Errorf("%w (the summary covers the %d records before it)", err, info.Records)
	}
	return nil
}

func newReplayCmd() *cobra.Command {
	var (
		cf       componentFlags
		speed    float64
		maxSpeed bool
		exact    []string
		prefixes []string
		topics   []string
		progress string
	)
	cmd := &cobra.Command{
		Use:   "replay [flags] FILE",
		Short: "Publish a recording again, at its original pace, --speed N or --max",
		Long: `Publish the messages of a recording (made by banyan record) again, with the
gaps between them as recorded (--speed 1), scaled (--speed 2 is twice as fast,
0.5 half as fast), or as fast as possible (--max or --speed 0).

Topics can be renamed: --topic-map old=new renames one topic, --topic-prefix
old=new replaces a leading old with new (the longest match wins; an exact
mapping wins over prefixes; "--topic-prefix =replay/" prefixes every topic).
-t replays only topics starting with the given prefixes.

A progress bar is drawn on stderr when stderr is a terminal (--progress
always|never to override).`,
		Example: `  banyan replay session.brec
  banyan replay --speed 10 session.brec
  banyan replay --max --topic-prefix sensor/=replayed/sensor/ session.brec
  banyan replay -t button --topic-map button=test_button session.brec`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			opts := record.ReplayOptions{Speed: speed, Topics: topics}
			if maxSpeed {
				opts.Speed = 0
			}
			if speed < 0 {
				return fmt.Errorf("--speed %v: want a positive factor, or 0 for as fast as possible", speed)
			}
			for _, p := range exact {
				if err := opts.Map.AddExact(p); err != nil {
					return err
				}
			}
			for _, p := range prefixes {
				if err := opts.Map.AddPrefix(p); err != nil {
					return err
				}
			}
			errOut := cmd.ErrOrStderr()
			var bar *progressBar
			switch progress {
			case "always":
				bar = newProgressBar(errOut)
			case "auto":
				if isTerminal(errOut) {
					bar = newProgressBar(errOut)
				}
			case "never":
			default:
				return fmt.Errorf("--progress %q: want auto, always or never", progress)
			}
			r, err := record.Open(path)
			if err != nil {
				return err
			}
			defer r.Close()
			c, err := cf.connect(cmd.Context(), banyan.WithHWM(banyan.Unlimited))
			if err != nil {
				return err
			}
			defer c.Close()
			if bar != nil {
				opts.Progress = bar.update
			}
			start := time.Now()
			res, err := record.Replay(cmd.Context(), r, record.ComponentPublisher{Component: c}, opts)
			if bar != nil {
				bar.finish(err == nil)
			}
			stopped := ""
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				stopped, err = " (interrupted)", nil
			}
			fmt.Fprintf(errOut, "replayed %d messages from %s in %s%s", res.Published, path, time.Since(start).Round(time.Millisecond), stopped)
			if res.Skipped > 0 {
				fmt.Fprintf(errOut, ", skipped %d on other topics", res.Skipped)
			}
			if res.TornBytes > 0 {
				fmt.Fprintf(errOut, ", ignored a torn tail of %d bytes", res.TornBytes)
			}
			fmt.Fprintln(errOut)
			return err
		},
	}
	addComponentFlags(cmd, &cf, "Replay")
	fs := cmd.Flags()
	fs.Float64Var(&speed, "speed", 1, "pace factor: 1 as recorded, 2 twice as fast, 0 as fast as possible")
	fs.BoolVar(&maxSpeed, "max", false, "as fast as possible (same as --speed 0)")
	fs.StringArrayVar(&exact, "topic-map", nil, "rename a topic: old=new (repeatable)")
	fs.StringArrayVar(&prefixes, "topic-prefix", nil, "rename a topic prefix: old=new (repeatable)")
	fs.StringArrayVarP(&topics, "topic", "t", nil, "replay only topics with this prefix (repeatable; default: all)")
	fs.StringVar(&progress, "progress", "auto", "progress bar on stderr: auto (if a terminal), always, never")
	return cmd
}

// isTerminal reports whether w is a character device (a terminal; also
// /dev/null, where a bar is harmless), not a file or a pipe.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar redraws a record.Progress bar in place at most ten times a
// second.
type progressBar struct {
	w     io.Writer
	width int
	last  time.Time
	p     record.Progress
	drawn bool
}

func newProgressBar(w io.Writer) *progressBar {
	width := 80
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 20 {
		width = n
	}
	return &progressBar{w: w, width: width - 1}
}

func (b *progressBar) update(p record.Progress) {
	b.p = p
	if now := time.Now(); now.Sub(b.last) >= 100*time.Millisecond {
		b.last = now
		b.draw()
	}
}

func (b *progressBar) draw() {
	fmt.Fprintf(b.w, "\r%s", b.p.Bar(b.width))
	b.drawn = true
}

// finish draws the last state (full when the replay completed) and ends the line.
func (b *progressBar) finish(completed bool) {
	if completed && b.p.Size > 0 {
		b.p.Offset = b.p.Size
	}
	if b.drawn || b.p.Records > 0 {
		b.draw()
		fmt.Fprintln(b.w)
	}
}
