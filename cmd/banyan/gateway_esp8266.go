package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/esp8266"
	"github.com/spf13/cobra"
)

// gatewayESP8266Config is what `banyan gateway esp8266` was told.
type gatewayESP8266Config struct {
	flags           componentFlags
	connType        string
	commandTopics   []string
	reportTopic     string
	addr            backplaneAddr // "None" is empty, as for -b
	frameLen        int
	port            int
	validate        pyBool
	i2cAddrs        []int
	changeDiff      int
	greetingTimeout time.Duration
}

func newGatewayESP8266Cmd() *cobra.Command {
	cfg := gatewayESP8266Config{validate: true}
	cmd := &cobra.Command{
		Use:   "esp8266",
		Short: "Run the OneGPIO gateway for an ESP8266 running Python Banyan's MicroPython firmware",
		Long: `Run the OneGPIO gateway for an ESP8266 running Python Banyan's MicroPython
firmware (projects/OneGPIO/esp_8266), unchanged: JSON padded to 96-byte frames
over TCP. By default the gateway connects to the board (-i address, -t port
31337); with -c server it listens and the board connects to it.

Commands are read from to_esp8266_gateway (-m) and reports published on
from_esp8266_gateway; link news (connected, lost, a board that must be reset)
on sys_msg. Valid pins are 4, 5, 12, 13, 14 and 15 (-x False turns the check
off). The board options pull_up, irq, count, change_diff, value and drain
pass through.

The firmware crashes on some commands; the gateway sends what it needs and
answers what it cannot take with an "error" report instead: analog_write,
digital_write or pwm_write on GPIO16, stepper_write before set_mode_stepper,
i2c_read of a device not listed with --i2c-addr, a command longer than a
frame. After a disconnect the firmware serves no one until its reset button
is pressed; the gateway says so on sys_msg and reconnects with backoff.`,
		DisableFlagParsing: true,
		RunE: withNargs(func(cmd *cobra.Command) error {
			return runGatewayESP8266(cmd.Context(), cmd.OutOrStdout(), cfg)
		}, "command-topic"),
	}
	addComponentFlags(cmd, &cfg.flags, "Esp8266Gateway")
	fs := cmd.Flags()
	fs.StringVarP(&cfg.connType, "connection-type", "c", "client", "client: connect to the board; server: listen for it")
	fs.StringArrayVarP(&cfg.commandTopics, "command-topic", "m", []string{gateway.CommandTopic("esp8266")}, "topics to read commands from (several: -m a b, as Python's nargs)")
	fs.StringVar(&cfg.reportTopic, "report-topic", gateway.ReportTopic("esp8266"), "topic to publish reports on")
	fs.VarP(&cfg.addr, "ip-address", "i", `the board's address (client mode; required), or the address to listen on (server mode; "None" or empty: all)`)
	fs.IntVarP(&cfg.frameLen, "packet-length", "l", esp8266.DefaultFrameLen, "frame length, as the firmware's")
	fs.IntVarP(&cfg.port, "ip-port", "t", esp8266.DefaultPort, "TCP port")
	fs.VarP(&cfg.validate, "validate-pins", "x", "accept only pins 4, 5, 12, 13, 14 and 15: True or False")
	fs.IntSliceVar(&cfg.i2cAddrs, "i2c-addr", nil, "address of a device on the board's i2c bus (repeatable; i2c_read of any other is refused, since it crashes the firmware)")
	fs.IntVar(&cfg.changeDiff, "change-diff", esp8266.DefaultChangeDiff, "change_diff sent with set_mode_analog_input when the client gives none (-1: none, and the firmware reports ~100 times a second)")
	fs.DurationVar(&cfg.greetingTimeout, "greeting-timeout", 5*time.Second, "how long a new connection may take to greet before it is dropped")
	return cmd
}

func runGatewayESP8266(ctx context.Context, out io.Writer, cfg gatewayESP8266Config) error {
	bp, err := cfg.flags.options()
	if err != nil {
		return err
	}
	o := esp8266.Options{
		Addr: string(cfg.addr), Port: cfg.port, FrameLen: cfg.frameLen, AnyPin: !bool(cfg.validate),
		I2CAddrs: cfg.i2cAddrs, ChangeDiff: cfg.changeDiff, GreetingTimeout: cfg.greetingTimeout, Logger: cfg.flags.logger(),
	}
	if cfg.changeDiff == 0 {
		o.ChangeDiff = -1 // 0 asks for every reading, which is what sending none does
	}
	switch strings.ToLower(cfg.connType) {
	case "client":
		if o.Addr == "" {
			return errors.New("gateway esp8266: client mode needs the board's address: -i <address> (or -c server)")
		}
	case "server":
		o.Mode = esp8266.Server
	default:
		return fmt.Errorf("gateway esp8266: -c %q: want client or server", cfg.connType)
	}
	if cfg.frameLen < 16 {
		return fmt.Errorf("gateway esp8266: -l %d: too short for any command", cfg.frameLen)
	}
	board, err := esp8266.New(o)
	if err != nil {
		return err
	}
	gw, err := gateway.New(ctx, board, gateway.Options{
		CommandTopics: cfg.commandTopics, ReportTopic: cfg.reportTopic, Backplane: bp, Logger: cfg.flags.logger(),
	})
	if err != nil {
		return err
	}
	defer gw.Close()
	where := "client of " + net.JoinHostPort(o.Addr, strconv.Itoa(o.Port))
	if o.Mode == esp8266.Server {
		where = "listening on " + net.JoinHostPort(o.Addr, strconv.Itoa(o.Port))
	}
	fmt.Fprintf(out, "esp8266 gateway %q: %s; commands on %s, reports on %s, link news on %s\n",
		cfg.flags.name, where, strings.Join(cfg.commandTopics, ", "), cfg.reportTopic, gateway.SysMsgTopic)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	boardErr := make(chan error, 1)
	go func() {
		err := board.Run(ctx)
		cancel() // a board that cannot run (its port taken) ends the gateway
		boardErr <- err
	}()
	err = gw.Run(ctx)
	cancel()
	if berr := <-boardErr; berr != nil {
		return berr
	}
	return err
}
