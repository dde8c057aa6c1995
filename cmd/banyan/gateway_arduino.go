package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/firmata"
	"github.com/spf13/cobra"
)

type arduinoFlags struct {
	comp         componentFlags
	comPort      string
	instanceID   int
	keepAlive    pyBool
	logToFile    pyBool
	topics       []string
	rpiTopic     string
	tcp          string
	baud         int
	startTimeout time.Duration
	ports        []string
	sampling     time.Duration
}

func newGatewayArduinoCmd() *cobra.Command {
	f := &arduinoFlags{keepAlive: true}
	cmd := &cobra.Command{
		Use:   "arduino",
		Short: "Run the OneGPIO gateway for an Arduino running Firmata (Python's arduino_gateway)",
		Long: `Run a OneGPIO gateway for an Arduino (or another board) running StandardFirmata
or FirmataExpress, with the flags of Python Banyan's arduino_gateway.py:
commands on to_arduino_gateway (-m), reports on from_arduino_gateway.

The board is found as pymata-express finds it: every /dev/ttyACM* and
/dev/ttyUSB* port (the COM ports on Windows; --ports to choose) is opened,
and the first board whose firmware answers is used; with -i, only the
FirmataExpress board with that arduino_instance_id. -c names the port;
--tcp HOST[:PORT] reaches StandardFirmataWiFi/Ethernet boards and ESP32s
(port 3030 by default). The baud rate is 115200 (FirmataExpress, as Python's
gateway); give --baud 57600 for StandardFirmata.

Opening the port resets an Uno: the gateway sends only queries until the
firmware answers, and gives up after --start-timeout naming the port. When
the board is unplugged, the gateway says so on sys_msg, answers commands
with an error, reconnects when the board is back, and restores pin modes,
outputs and reporting.

Unlike Python's gateway: a command the board cannot carry out (a pin or
mode its capability report lacks, tone/sonar/stepper without FirmataExpress)
is answered with an "error" report; enable_*_reporting enables; i2c_read
with "continuous": true reads continuously ("stop": true stops); -k
(default True, as Python's code; its help says False) is ignored unless the
board runs FirmataExpress; -l True logs to ~/ardgw.log as Python's does, at
Info level, otherwise warnings go to stderr; -r is accepted and unused.`,
		Example: `  banyan gateway arduino                       # auto-detect, FirmataExpress at 115200
  banyan gateway arduino -c /dev/ttyACM0 --baud 57600   # StandardFirmata
  banyan gateway arduino -i 2                  # the FirmataExpress board with instance id 2
  banyan gateway arduino --tcp 192.168.2.40    # StandardFirmataWiFi on port 3030`,
		DisableFlagParsing: true,
		RunE: withNargs(func(cmd *cobra.Command) error {
			return runGatewayArduino(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		}, "subscriber-list"),
	}
	addComponentFlags(cmd, &f.comp, "ArduinoGateway")
	fs := cmd.Flags()
	fs.StringVarP(&f.comPort, "com-port", "c", "None", `serial port of the board; "None" (Python's default): auto-detect`)
	fs.IntVarP(&f.instanceID, "arduino-instance-id", "i", 0, `FirmataExpress arduino_instance_id to look for ("None" or 0: any board)`)
	fs.VarP(&f.keepAlive, "keep-alive", "k", "FirmataExpress keep-alive: the board resets if the gateway goes silent for 1 s")
	fs.VarP(&f.logToFile, "log", "l", "log to ~/ardgw.log (as Python's gateway) instead of warnings on stderr")
	fs.StringArrayVarP(&f.topics, "subscriber-list", "m", []string{gateway.CommandTopic("arduino")}, "topics to read commands from (several: -m a b)")
	fs.StringVarP(&f.rpiTopic, "publisher-topic", "r", "from_rpi_gpio", "accepted for Python compatibility; unused (as in Python)")
	fs.StringVar(&f.tcp, "tcp", "", "reach the board over TCP at HOST[:PORT] (port 3030 if omitted) instead of a serial port")
	fs.IntVar(&f.baud, "baud", firmata.DefaultBaud, "serial speed: 115200 for FirmataExpress, 57600 for StandardFirmata")
	fs.DurationVar(&f.startTimeout, "start-timeout", 10*time.Second, "give up when the board has not answered for this long after the port opens")
	fs.StringSliceVar(&f.ports, "ports", nil, "glob patterns of the serial ports auto-detection tries, comma-separated (default /dev/ttyACM*,/dev/ttyUSB*; COM ports on Windows)")
	fs.DurationVar(&f.sampling, "sampling-interval", 0, "analog and i2c sampling interval set on the board, e.g. 20ms (0: the firmware's, 19 ms)")
	// -i also takes Python's "None".
	fs.Lookup("arduino-instance-id").Value = &instanceFlag{&f.instanceID}
	return cmd
}

// instanceFlag is -i: an int, or Python's "None" for any.
type instanceFlag struct{ v *int }

func (i *instanceFlag) String() string {
	if i.v == nil || *i.v == 0 {
		return "None"
	}
	return fmt.Sprint(*i.v)
}

func (i *instanceFlag) Set(s string) error {
	if s == "None" || s == "" {
		*i.v = 0
		return nil
	}
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil || n < 1 || n > 127 {
		return fmt.Errorf("%q: want an instance id 1-127, or None", s)
	}
	*i.v = n
	return nil
}

func (i *instanceFlag) Type() string { return "id" }

func runGatewayArduino(ctx context.Context, out, errOut io.Writer, f *arduinoFlags) error {
	bp, err := f.comp.options()
	if err != nil {
		return err
	}
	log := f.comp.logger()
	if f.logToFile {
		home, err := os.UserHomeDir()
		if err != nil {
			return fmt.Errorf("gateway arduino: -l True: %w", err)
		}
		w, err := os.OpenFile(filepath.Join(home, "ardgw.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("gateway arduino: -l True: %w", err)
		}
		defer w.Close()
		log = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	o := firmata.Options{
		TCP: f.tcp, Baud: f.baud, InstanceID: f.instanceID, StartTimeout: f.startTimeout,
		Patterns: f.ports, SamplingInterval: f.sampling, Logger: log,
	}
	if f.comPort != "None" {
		o.Port = f.comPort
	}
	if f.keepAlive {
		o.KeepAlive = time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	board, err := firmata.New(ctx, o)
	if err != nil {
		return fmt.Errorf("gateway arduino: %w", err)
	}
	defer board.Close()
	info := board.Info()
	gw, err := gateway.New(ctx, board, gateway.Options{
		CommandTopics: f.topics, ReportTopic: gateway.ReportTopic("arduino"), Backplane: bp, Logger: log,
	})
	if err != nil {
		return err
	}
	defer gw.Close()
	id := ""
	if info.InstanceID >= 0 {
		id = fmt.Sprintf(", instance %d", info.InstanceID)
	}
	fmt.Fprintf(out, "arduino gateway %q: %s on %s (Firmata %s%s, %d pins); commands on %s, reports on %s\n",
		f.comp.name, info.Firmware, info.Port, info.Protocol, id, len(info.Pins), strings.Join(f.topics, ", "), gw.ReportTopic())

	boardDone := make(chan error, 1)
	go func() {
		err := board.Run(ctx)
		cancel() // the gateway stops with the board
		boardDone <- err
	}()
	err = gw.Run(ctx)
	cancel()
	berr := <-boardDone
	st := board.Stats()
	fmt.Fprintf(errOut, "%s: %d reports, %d bytes from the board, %d garbage, %d truncated, %d oversized, %d link losses, %d reconnects\n",
		f.comp.name, st.Reports, st.BytesRead, st.Garbage, st.Truncated, st.Oversized, st.LinkLosses, st.Reconnects)
	if err == nil && berr != nil && berr != firmata.ErrClosed {
		err = berr
	}
	return err
}
