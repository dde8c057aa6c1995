// Command blinker is Python Banyan's OneGPIO blinker demo
// (projects/OneGPIO/shared/blinker.py) in Go: it blinks an LED through any
// OneGPIO gateway, naming the pin by tag.
//
// It publishes, on to_<device>_gateway,
//
//	{"command": "set_mode_digital_output", "pin": 10, "tag": "blinker"}
//
// (again whenever the gateway answers "unknown_tag" for its tag: it started
// later, or restarted), then every second a digital_write that carries only the tag,
// alternately 1 and 0:
//
//	{"command": "digital_write", "tag": "blinker", "value": 1}
//
// usage: blinker [-b addr] [-d arduino|esp8266|rpi] [-g pin] [-n name] [-p port] [-s port] [-i interval]
//
// The flags are Python's: -b the backplane ("None": find it), -d the device
// type (arduino, esp8266 or rpi; anything else is an error), -g the pin
// ("10"), -n the component name ("blinker"), -p and -s the backplane's
// publisher and subscriber ports. -i (the blink interval, 1s) is ours.
//
// To try it without hardware:
//
//	banyan backplane &
//	banyan gateway sim --device arduino &
//	go run ./examples/blinker -d arduino
//
// and the simulated board prints pin 10 going 1, 0, 1... With an Arduino
// Uno on USB running StandardFirmata (an LED on pin 10, or -g 13 for the
// on-board one), run "banyan launch examples/blinker/b_a.csv" (see that
// file), or start the backplane, "banyan gateway arduino --baud 57600" and
// the blinker by hand.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/gateway"
)

// Tag is the tag the blinker gives its pin.
const Tag = "blinker"

// ErrDeviceType is a -d that is not arduino, esp8266 or rpi.
var ErrDeviceType = errors.New("invalid device type")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "blinker:", err)
		}
		os.Exit(1)
	}
}

// run is the whole program; it returns nil when ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("blinker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bp := fs.String("b", "None", `backplane address ("None": $BANYAN_BACKPLANE, else this host's LAN address)`)
	device := fs.String("d", "arduino", "device type: arduino, esp8266 or rpi")
	pinFlag := fs.String("g", "10", "gpio pin to blink")
	name := fs.String("n", "blinker", "component name")
	pub := fs.String("p", "43124", "backplane publisher port")
	sub := fs.String("s", "43125", "backplane subscriber port")
	interval := fs.Duration("i", time.Second, "time between toggles")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	switch *device {
	case "arduino", "esp8266", "rpi":
	default:
		return fmt.Errorf("%w: %q (want arduino, esp8266 or rpi)", ErrDeviceType, *device)
	}
	pin, err := strconv.Atoi(*pinFlag)
	if err != nil || pin < 0 {
		return fmt.Errorf("-g %q: not a pin number", *pinFlag)
	}
	pubPort, err := strconv.Atoi(*pub)
	if err != nil {
		return fmt.Errorf("-p %q: not a port", *pub)
	}
	subPort, err := strconv.Atoi(*sub)
	if err != nil {
		return fmt.Errorf("-s %q: not a port", *sub)
	}
	if *interval <= 0 {
		return fmt.Errorf("-i %v: must be positive", *interval)
	}
	opts := []banyan.Option{
		banyan.WithName(*name), banyan.WithPorts(pubPort, subPort), banyan.WithSubscriptions(gateway.ReportTopic(*device)),
		banyan.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	}
	if *bp != "None" && *bp != "" {
		opts = append(opts, banyan.WithBackplane(*bp))
	}
	c, err := banyan.Connect(ctx, opts...)
	if err != nil {
		return err
	}
	defer c.Close()
	return blink(ctx, c, *device, pin, *interval, stdout)
}

// blink binds Tag to pin as a digital output, then toggles it by tag every
// interval until ctx ends. Unlike Python's blinker it reads the gateway's
// reports: an unknown_tag error for its tag (the gateway started after the
// blinker, or restarted) binds the tag again, so start order does not
// matter.
func blink(ctx context.Context, c *banyan.Component, device string, pin int, interval time.Duration, stdout io.Writer) error {
	topic := gateway.CommandTopic(device)
	setMode := gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: &pin, Tag: Tag}
	if err := c.Publish(topic, setMode); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "blinking pin %d (tag %q) on %s\n", pin, Tag, topic)
	t := time.NewTicker(interval)
	defer t.Stop()
	value := 1
	for {
		select {
		case <-ctx.Done():
			return nil
		case m := <-c.Messages():
			// A gateway that started after our set_mode_digital_output
			// (or restarted) does not know the tag: bind it again.
			if r, err := gateway.DecodeReport(m.Payload); err == nil {
				if e, ok := r.(gateway.ErrorReport); ok && e.Code == gateway.CodeUnknownTag && e.Tag == Tag {
					if err := c.Publish(topic, setMode); err != nil {
						return err
					}
				}
			}
			continue
		case <-t.C:
		}
		if err := c.Publish(topic, gateway.Command{Name: gateway.CmdDigitalWrite, Tag: Tag, Value: value}); err != nil {
			return err
		}
		value ^= 1
	}
}
