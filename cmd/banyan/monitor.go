package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/pyrepr"
	"github.com/gobanyan/banyan/internal/render"
	"github.com/spf13/cobra"
)

// printer writes received messages as "topic payload", exactly as Python
// Banyan's monitor prints them (print(topic, payload), package pyrepr), or
// as NDJSON. A payload that cannot be rendered (not msgpack, or one that
// makes the renderer panic) is shown as <undecodable payload> (or
// {"$error": ...}) and counted; the command goes on with the next one.
type printer struct {
	w      io.Writer
	json   bool
	stamps bool
	// numpy is the -m flag: "True" decodes as a numpy-mode Python
	// component does (msgpack-numpy arrays shown as numpy prints them).
	numpy string
	// failed counts the messages shown as undecodable; copies of the
	// printer share it. Nil counts nothing.
	failed *atomic.Uint64
	// python and asJSON render payloads: pyrepr.Str in the -m mode and
	// render.JSON unless set before prepare.
	python func([]byte) (string, error)
	asJSON func([]byte) (json.RawMessage, error)
}

// addPrinterFlags adds the flags that choose how messages are printed.
func addPrinterFlags(cmd *cobra.Command, p *printer) {
	fs := cmd.Flags()
	fs.BoolVar(&p.json, "json", false, `print NDJSON lines {time, topic, payload}, the payload as the one msgpack/JSON converter writes it with these settings: keys in wire order, floats as Python's repr (1.0, 1e-05), strings ASCII with \u escapes (json.dumps), bytes {"$bin": "<base64>"}, bytes keys their Python repr ("b'k'"), NaN and infinities the strings "NaN", "Infinity", "-Infinity", msgpack-numpy arrays the string of numpy's repr`)
	fs.BoolVar(&p.stamps, "time", false, "prefix each line with the receive time")
	fs.StringVarP(&p.numpy, "numpy", "m", "False", "True: decode as a numpy-mode Python component (Python's monitor -m True), numpy arrays shown as numpy prints them")
}

// mode checks the -m flag, which takes Python's strings True and False.
func (p *printer) mode() (pyrepr.Mode, error) {
	switch p.numpy {
	case "True":
		return pyrepr.Numpy, nil
	case "False", "":
		return pyrepr.Plain, nil
	}
	return pyrepr.Plain, fmt.Errorf("-m %q: want True or False", p.numpy)
}

// prepare checks the flags and sets the renderers for them.
func (p *printer) prepare() error {
	mode, err := p.mode()
	if err != nil {
		return err
	}
	if p.python == nil {
		p.python = func(payload []byte) (string, error) { return pyrepr.Str(payload, mode) }
	}
	if p.asJSON == nil {
		p.asJSON = render.JSON
	}
	return nil
}

func (p printer) print(m *banyan.Message) {
	now := time.Now()
	if p.json {
		payload, err := render.Safely(p.asJSON, m.Payload)
		if err != nil {
			p.fail()
			payload, _ = json.Marshal(map[string]string{"$error": err.Error()})
		}
		line, _ := json.Marshal(struct {
			Time    string          `json:"time,omitempty"`
			Topic   string          `json:"topic"`
			Payload json.RawMessage `json:"payload"`
		}{stamp(p.stamps, now), m.Topic, payload})
		fmt.Fprintf(p.w, "%s\n", line)
		return
	}
	text, err := render.Safely(p.python, m.Payload)
	if err != nil {
		p.fail()
		text = fmt.Sprintf("<undecodable payload, %d bytes: %v>", len(m.Payload), err)
	}
	if p.stamps {
		fmt.Fprintf(p.w, "%s %s %s\n", stamp(true, now), m.Topic, text)
	} else {
		fmt.Fprintf(p.w, "%s %s\n", m.Topic, text)
	}
}

func (p printer) fail() {
	if p.failed != nil {
		p.failed.Add(1)
	}
}

// report writes how many messages could not be rendered, if any.
func (p printer) report(w io.Writer) {
	if p.failed == nil {
		return
	}
	if n := p.failed.Load(); n > 0 {
		fmt.Fprintf(w, "banyan: %d message(s) could not be rendered (shown as undecodable)\n", n)
	}
}

func stamp(on bool, t time.Time) string {
	if !on {
		return ""
	}
	return t.Format("15:04:05.000000")
}

func newMonitorCmd() *cobra.Command {
	var (
		cf     componentFlags
		topics []string
		p      printer
		sf     statsFlags
	)
	cmd := &cobra.Command{
		Use:   "monitor",
		Short: "Print every message on the backplane (or those on -t topics)",
		Long: `Print every message on the backplane as "topic payload", exactly as Python
Banyan's monitor prints it (print(topic, payload)), or as NDJSON with --json.
-m True decodes payloads as a numpy-mode Python component does, as Python's
monitor -m True: msgpack-numpy arrays are shown as numpy prints them.
-t limits it to topic prefixes (repeat -t for several).
--stats adds a rate line every second (messages and payload bytes per second,
per topic) on stderr; -q prints only the rate lines, on stdout.
Messages that Python Banyan components refuse (ext values, bad UTF-8, keys
that are not strings) are shown too.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := sf.validate(); err != nil {
				return err
			}
			if err := p.prepare(); err != nil {
				return err
			}
			if len(topics) == 0 {
				topics = []string{""}
			}
			// Every message is shown, also those components refuse.
			c, err := cf.connect(cmd.Context(), banyan.WithSubscriptions(topics...), banyan.WithoutValidation())
			if err != nil {
				return err
			}
			defer c.Close()
			p.w = cmd.OutOrStdout()
			p.failed = new(atomic.Uint64)
			defer p.report(cmd.ErrOrStderr())
			return sf.run(cmd.Context(), cmd, c, p)
		},
	}
	addComponentFlags(cmd, &cf, "Monitor")
	cmd.Flags().StringArrayVarP(&topics, "topic", "t", nil, "topic prefix to show (repeatable; default: everything)")
	addPrinterFlags(cmd, &p)
	addStatsFlags(cmd, &sf)
	return cmd
}
