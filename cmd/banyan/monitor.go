package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/render"
	"github.com/spf13/cobra"
)

// printer writes received messages as "topic payload" (Python's monitor
// format) or as NDJSON.
type printer struct {
	w      io.Writer
	json   bool
	stamps bool
}

func (p printer) print(m *banyan.Message) {
	now := time.Now()
	if p.json {
		payload, err := render.JSON(m.Payload)
		if err != nil {
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
	text, err := render.Python(m.Payload)
	if err != nil {
		text = fmt.Sprintf("<undecodable payload, %d bytes: %v>", len(m.Payload), err)
	}
	if p.stamps {
		fmt.Fprintf(p.w, "%s %s %s\n", stamp(true, now), m.Topic, text)
	} else {
		fmt.Fprintf(p.w, "%s %s\n", m.Topic, text)
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
		Long: `Print every message on the backplane as "topic payload", the payload shown as
Python would print it (Python Banyan's monitor format), or as NDJSON with --json.
-t limits it to topic prefixes (repeat -t for several).
--stats adds a rate line every second (messages and payload bytes per second,
per topic) on stderr; -q prints only the rate lines, on stdout.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := sf.validate(); err != nil {
				return err
			}
			if len(topics) == 0 {
				topics = []string{""}
			}
			c, err := banyan.Connect(cmd.Context(), cf.options(banyan.WithSubscriptions(topics...))...)
			if err != nil {
				return err
			}
			defer c.Close()
			p.w = cmd.OutOrStdout()
			return sf.run(cmd.Context(), cmd, c, p)
		},
	}
	addComponentFlags(cmd, &cf, "Monitor")
	cmd.Flags().StringArrayVarP(&topics, "topic", "t", nil, "topic prefix to show (repeatable; default: everything)")
	cmd.Flags().BoolVar(&p.json, "json", false, "print NDJSON lines {time, topic, payload}")
	cmd.Flags().BoolVar(&p.stamps, "time", false, "prefix each line with the receive time")
	addStatsFlags(cmd, &sf)
	return cmd
}
