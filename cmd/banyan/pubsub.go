package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/spf13/cobra"
)

// parsePayload reads a JSON value, or key=value pairs whose values are
// numbers, true/false/null, or else strings.
func parsePayload(args []string) (any, error) {
	if len(args) == 0 {
		return map[string]any{}, nil
	}
	if len(args) == 1 && !strings.Contains(args[0], "=") || strings.HasPrefix(strings.TrimSpace(args[0]), "{") {
		var v any
		d := json.NewDecoder(strings.NewReader(strings.Join(args, " ")))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			return nil, fmt.Errorf("payload is neither JSON nor key=value pairs: %w", err)
		}
		return fromJSON(v), nil
	}
	m := map[string]any{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return nil, fmt.Errorf("%q is not key=value", a)
		}
		m[k] = scalarValue(v)
	}
	return m, nil
}

func scalarValue(s string) any {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	switch s {
	case "true", "True":
		return true
	case "false", "False":
		return false
	case "null", "None":
		return nil
	}
	return s
}

// fromJSON turns json.Number into int64 or float64, recursively.
func fromJSON(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case map[string]any:
		for k, x := range v {
			v[k] = fromJSON(x)
		}
	case []any:
		for i, x := range v {
			v[i] = fromJSON(x)
		}
	}
	return v
}

func newPubCmd() *cobra.Command {
	var (
		cf       componentFlags
		count    int
		interval time.Duration
	)
	cmd := &cobra.Command{
		Use:   "pub TOPIC [JSON | key=value ...]",
		Short: "Publish one message (or -c of them) on a topic",
		Example: `  banyan pub echo '{"message_number": 10}'
  banyan pub to_rpi_gateway command=digital_write pin=4 value=1`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			payload, err := parsePayload(args[1:])
			if err != nil {
				return err
			}
			c, err := banyan.Connect(cmd.Context(), cf.options()...)
			if err != nil {
				return err
			}
			defer c.Close()
			for i := 0; i < count; i++ {
				if i > 0 && interval > 0 {
					select {
					case <-time.After(interval):
					case <-cmd.Context().Done():
						return nil
					}
				}
				if err := c.Publish(args[0], payload); err != nil {
					return err
				}
			}
			return nil
		},
	}
	addComponentFlags(cmd, &cf, "pub")
	cmd.Flags().IntVarP(&count, "count", "c", 1, "how many times to publish")
	cmd.Flags().DurationVar(&interval, "interval", 0, "pause between messages")
	return cmd
}

func newSubCmd() *cobra.Command {
	var (
		cf    componentFlags
		count int
		p     printer
	)
	cmd := &cobra.Command{
		Use:   "sub [TOPIC ...]",
		Short: "Print messages on topic prefixes (all when none is given)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{""}
			}
			c, err := banyan.Connect(cmd.Context(), cf.options(banyan.WithSubscriptions(args...))...)
			if err != nil {
				return err
			}
			defer c.Close()
			p.w = cmd.OutOrStdout()
			p.failed = new(atomic.Uint64)
			defer p.report(cmd.ErrOrStderr())
			n := 0
			for {
				select {
				case m, ok := <-c.Messages():
					if !ok {
						return nil
					}
					p.print(m)
					if n++; count > 0 && n >= count {
						return nil
					}
				case <-cmd.Context().Done():
					return nil
				}
			}
		},
	}
	addComponentFlags(cmd, &cf, "sub")
	cmd.Flags().IntVarP(&count, "count", "c", 0, "exit after this many messages (0 = never)")
	cmd.Flags().BoolVar(&p.json, "json", false, "print NDJSON lines")
	cmd.Flags().BoolVar(&p.stamps, "time", false, "prefix each line with the receive time")
	return cmd
}
