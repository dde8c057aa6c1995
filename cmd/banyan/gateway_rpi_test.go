package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/rpi"
	"github.com/gobanyan/banyan/gateway/rpi/rpitest"
	"github.com/gobanyan/banyan/internal/testbp"
)

// The command in-process, with the board on the fake hardware: Python's
// flags (-l with two values, -t) and ours reach the board, and commands on
// the second topic are served.
func TestGatewayRPiOnFakeHardware(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	hw := rpitest.New()
	var (
		mu  sync.Mutex
		got rpi.Options
	)
	open := func(o rpi.Options) (*rpi.Board, error) {
		mu.Lock()
		got = o
		mu.Unlock()
		o.Hardware = hw
		return rpi.New(o)
	}
	cmd := gatewayRPiCommand(open)
	out := &testbp.Buffer{}
	cmd.SetOut(out)
	cmd.SetErr(io.Discard)
	cmd.SetArgs(append(bp.Args(), "-n", "Pi", "-l", "to_rpi_gateway", "pi/cmd", "-t", ".1",
		"--debounce", "5ms", "--pwm", "12=0:0", "--i2c-bus", "3", "--chip", "gpiochip4"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("gateway rpi returned %v", err)
		}
		if !hw.Closed() || len(hw.Lines()) != 0 {
			t.Errorf("the board was not closed: lines %v", hw.Lines())
		}
	})
	client := bp.Connect(t, banyan.WithSubscriptions(gateway.ReportTopic("rpi")))

	if in := gwFirstInput(t, client, "pi/cmd"); in.Pin != 2 || in.Value != 0 {
		t.Fatalf("first report %+v", in)
	}
	out.WaitFor(t, `Pi: Raspberry Pi: commands on to_rpi_gateway, pi/cmd, reports on from_rpi_gateway`)
	mu.Lock()
	o := got
	mu.Unlock()
	if o.Debounce != 5*time.Millisecond || o.Host.Chip != "gpiochip4" || o.Host.I2CDevice != "/dev/i2c-3" ||
		len(o.Host.PWM) != 1 || o.Host.PWM[12] != (rpi.PWMChannel{Chip: 0, Channel: 0}) || o.PCF8591Addr != 0x48 {
		t.Errorf("board options %+v", o)
	}
	hw.Drive(2, 1)
	for {
		r := gwNextReport(t, client, 10*time.Second)
		in, ok := r.(gateway.DigitalInput)
		if !ok {
			t.Fatalf("report %#v, want digital_input", r)
		}
		if in.Value == 1 {
			break
		}
	}
	client.Publish("to_rpi_gateway", gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(30)})
	for {
		r := gwNextReport(t, client, 10*time.Second)
		if _, ok := r.(gateway.DigitalInput); ok {
			continue // repeats of the first set_mode
		}
		if e, ok := r.(gateway.ErrorReport); !ok || e.Code != gateway.CodeBoard || !strings.Contains(e.Error, "BCM 30") {
			t.Fatalf("report %#v, want a board error about BCM 30", r)
		}
		break
	}
}

// On this machine, not a Raspberry Pi, the real command says so and ends.
func TestGatewayRPiNotAPi(t *testing.T) {
	if m, err := rpi.Model(""); err == nil {
		t.Skipf("this is a %s", m)
	}
	cmd := newGatewayCmd()
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"rpi", "-b", "127.0.0.1", "-p", "1", "-s", "1"})
	err := cmd.ExecuteContext(context.Background())
	if !errors.Is(err, rpi.ErrNotRaspberryPi) && !errors.Is(err, rpi.ErrUnsupportedOS) {
		t.Fatalf("error %v, want ErrNotRaspberryPi", err)
	}
	if !strings.Contains(err.Error(), "not a Raspberry Pi") && !errors.Is(err, rpi.ErrUnsupportedOS) {
		t.Errorf("error %q does not say why", err)
	}
	cmd = newGatewayCmd()
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"rpi", "--chip", "gpiochip77"})
	if err := cmd.ExecuteContext(context.Background()); !errors.Is(err, rpi.ErrNoGPIOChip) && !errors.Is(err, rpi.ErrUnsupportedOS) {
		t.Fatalf("--chip gpiochip77: %v, want ErrNoGPIOChip", err)
	}
}

func TestGatewayRPiBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--pwm", "40=0:0"}, {"--pwm", "18"}, {"-t", "fast"}, {"--pcf8591-addr", "200"}, {"-l", ""}, {"--i2c-bus", "-1"}, {"extra"},
	} {
		cmd := gatewayRPiCommand(func(rpi.Options) (*rpi.Board, error) {
			t.Errorf("%q: the board was opened", args)
			return nil, errors.New("no")
		})
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		cmd.SetArgs(args)
		if err := cmd.ExecuteContext(context.Background()); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

func TestGatewayRPiPWMNone(t *testing.T) {
	f := &gatewayRPiFlags{topics: []string{"a"}, reportTopic: "b", loopTime: ".1", i2cBus: 1, pcf8591: 0x48, pwm: []string{"none"}}
	o, err := f.options()
	if err != nil {
		t.Fatal(err)
	}
	if o.Host.PWM == nil || len(o.Host.PWM) != 0 {
		t.Errorf("--pwm none: %v, want an empty map (no hardware PWM)", o.Host.PWM)
	}
	f.pwm = nil
	if o, _ := f.options(); o.Host.PWM != nil {
		t.Errorf("no --pwm: %v, want nil (the defaults)", o.Host.PWM)
	}
}
