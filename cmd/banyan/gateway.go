package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/sim"
	"github.com/spf13/cobra"
)

func newGatewayCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gateway",
		Short: "OneGPIO gateways: boards on the Banyan bus",
	}
	cmd.AddCommand(newGatewaySimCmd(), newGatewayArduinoCmd(), newGatewayESP8266Cmd(), newGatewayRPiCmd())
	return cmd
}

func newGatewaySimCmd() *cobra.Command {
	var (
		f             componentFlags
		device        string
		commandTopics []string
		reportTopic   string
		digitalPins   int
		analogPins    int
		animate       time.Duration
		quiet         bool
	)
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run a OneGPIO gateway for a simulated board, to try OneGPIO clients without hardware",
		Long: `Run a OneGPIO gateway for a simulated board, so OneGPIO clients (the Python
Banyan demos, the Tk and web GUIs, your own) can be tried without hardware.

The board is an Arduino Uno as Firmata presents it: digital pins 0-19, analog
pins 0-5, PWM 0-255, servo 0-180 degrees, tones, a stepper (2 or 4 pins),
sonars, and an i2c memory at address 0x50 whose register i holds i until
written. Commands are read from to_<device>_gateway and reports published on
from_<device>_gateway; --device arduino serves clients written for the
Arduino gateway. Every board operation is printed (unless -q); with
--animate the inputs move by themselves: digital inputs toggle, analog
inputs climb, sonar distances sweep.

Unlike Python's gateways, a command the board cannot carry out is answered
with an "error" report on the report topic, and enable_*_reporting enables.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGatewaySim(cmd.Context(), cmd.OutOrStdout(), gatewaySimConfig{
				flags: f, device: device, commandTopics: commandTopics, reportTopic: reportTopic,
				digitalPins: digitalPins, analogPins: analogPins, animate: animate, quiet: quiet,
			})
		},
	}
	addComponentFlags(cmd, &f, "SimGateway")
	fs := cmd.Flags()
	fs.StringVar(&device, "device", "sim", "device name in the topics: to_<device>_gateway, from_<device>_gateway")
	fs.StringSliceVarP(&commandTopics, "command-topic", "m", nil, "topics to read commands from (repeatable; default to_<device>_gateway)")
	fs.StringVarP(&reportTopic, "report-topic", "r", "", "topic to publish reports on (default from_<device>_gateway)")
	fs.IntVar(&digitalPins, "digital-pins", 20, "number of digital pins")
	fs.IntVar(&analogPins, "analog-pins", 6, "number of analog pins")
	fs.DurationVar(&animate, "animate", 0, "move the inputs every interval, e.g. 1s (0: only commands change the board)")
	fs.BoolVarP(&quiet, "quiet", "q", false, "do not print board operations")
	return cmd
}

type gatewaySimConfig struct {
	flags         componentFlags
	device        string
	commandTopics []string
	reportTopic   string
	digitalPins   int
	analogPins    int
	animate       time.Duration
	quiet         bool
}

func runGatewaySim(ctx context.Context, out io.Writer, cfg gatewaySimConfig) error {
	if cfg.device == "" && (len(cfg.commandTopics) == 0 || cfg.reportTopic == "") {
		return fmt.Errorf("gateway sim: --device is empty: give --command-topic and --report-topic")
	}
	topics := cfg.commandTopics
	if len(topics) == 0 {
		topics = []string{gateway.CommandTopic(cfg.device)}
	}
	report := cfg.reportTopic
	if report == "" {
		report = gateway.ReportTopic(cfg.device)
	}
	boardLog := slog.New(slog.DiscardHandler)
	if !cfg.quiet {
		boardLog = slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{
			Level: slog.LevelDebug,
			ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
				if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey) {
					return slog.Attr{}
				}
				return a
			},
		}))
	}
	bp, err := cfg.flags.options()
	if err != nil {
		return err
	}
	board := sim.New(sim.Options{DigitalPins: cfg.digitalPins, AnalogPins: cfg.analogPins, Logger: boardLog})

	gw, err := gateway.New(ctx, board, gateway.Options{
		CommandTopics: topics, ReportTopic: report, Backplane: bp, Logger: cfg.flags.logger(),
	})
	if err != nil {
		return err
	}
	defer gw.Close()
	fmt.Fprintf(out, "simulated board gateway %q: commands on %s, reports on %s\n", cfg.flags.name, strings.Join(topics, ", "), report)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	animated := make(chan struct{})
	if cfg.animate > 0 {
		go func() { board.Animate(ctx, cfg.animate); close(animated) }()
	} else {
		close(animated)
	}
	err = gw.Run(ctx)
	cancel()
	<-animated
	return err
}
