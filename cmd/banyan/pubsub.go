package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/msgjson"
	"github.com/spf13/cobra"
	"github.com/vmihailenco/msgpack/v5"
)

// parsePayload reads a JSON value, or key=value pairs whose values are
// numbers, true/false/null, or else strings.
func parsePayload(args []string) (any, error) {
	if len(args) == 0 {
		return map[string]any{}, nil
	}
	if len(args) == 1 && !strings.Contains(args[0], "=") || strings.HasPrefix(strings.TrimSpace(args[0]), "{") {
		return fromJSON(strings.Join(args, " "))
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

// fromJSON converts the JSON text of `banyan pub` to the msgpack payload,
// with internal/msgjson and these settings: object keys in the order
// given (as Python's dicts keep them), integers exact over [-2^63,
// 2^64-1] (beyond: an error), other numbers float64, {"$bin":
// "<base64>"} as bytes and the tokens NaN, Infinity and -Infinity as
// floats (as json.loads reads them), so that what `sub --json` and
// `monitor --json` print can be published again. Text after the value is
// an error.
func fromJSON(text string) (any, error) {
	b, err := msgjson.AppendMsgpack(nil, []byte(text), msgjson.Options{
		MaxSize: math.MaxInt, Bin: msgjson.BinObject, NonFinite: msgjson.NonFiniteLiteral,
	})
	if err != nil {
		return nil, fmt.Errorf("payload is neither JSON nor key=value pairs: %w", err)
	}
	return msgpack.RawMessage(b), nil // Publish copies it as it is
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
		Long: `Publish one message (or -c of them) on a topic. The payload is JSON or
key=value pairs. JSON goes through the one msgpack/JSON converter with these
settings: object keys keep their order; integers are exact from -2^63 to
2^64-1; other numbers are floats; {"$bin": "<base64>"} becomes bytes; the bare
tokens NaN, Infinity and -Infinity become floats, as Python's json.loads
reads them. So what "sub --json" and "monitor --json" print can be published
again, except non-finite floats, which they print as the strings "NaN",
"Infinity" and "-Infinity" (valid JSON) and which come back as strings.`,
		Example: `  banyan pub echo '{"message_number": 10}'
  banyan pub to_rpi_gateway command=digital_write pin=4 value=1`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			payload, err := parsePayload(args[1:])
			if err != nil {
				return err
			}
			c, err := cf.connect(cmd.Context())
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
		Long: `Print the messages on topic prefixes (all when none is given) as the monitor
does: "topic payload" as Python prints it (-m True: as a numpy-mode component
decodes it), or NDJSON with --json.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := p.prepare(); err != nil {
				return err
			}
			if len(args) == 0 {
				args = []string{""}
			}
			c, err := cf.connect(cmd.Context(), banyan.WithSubscriptions(args...), banyan.WithoutValidation())
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
	addPrinterFlags(cmd, &p)
	return cmd
}
