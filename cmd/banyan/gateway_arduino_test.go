package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/firmata/firmatasim"
	"github.com/gobanyan/banyan/internal/testbp"
)

// `banyan gateway arduino` finds a FirmataExpress board among the ports
// --ports names, by -i, and serves Python's blinker sequence and an input.
func TestGatewayArduino(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var dev *firmatasim.Device
	for id := 1; id <= 2; id++ {
		d := firmatasim.New(firmatasim.Options{Firmware: "FirmataExpress.ino", InstanceID: id, Logger: testbp.Quiet()})
		p, err := d.ServePTY(ctx, filepath.Join(dir, "ttyACM"+string(rune('0'+id))))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		if id == 2 {
			dev = d
		}
	}
	bp := testbp.Start(t, backplane.Options{})
	cmdCtx, stop := context.WithCancel(context.Background())
	cmd := newGatewayCmd()
	out := &testbp.Buffer{}
	errOut := &testbp.Buffer{}
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	cmd.SetArgs(append(append([]string{"arduino"}, bp.Args()...),
		"--ports", filepath.Join(dir, "ttyACM*"), "-i", "2", "-k", "False", "-l", "False", "-m", "to_arduino_gateway", "mine", "-r", "None"))
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(cmdCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("gateway arduino returned %v", err)
		}
	})
	client := bp.Connect(t, banyan.WithSubscriptions(gateway.ReportTopic("arduino")))
	out.WaitFor(t, "commands on to_arduino_gateway, mine, reports on from_arduino_gateway")
	if s := out.String(); !strings.Contains(s, `arduino gateway "ArduinoGateway": FirmataExpress.ino on `+filepath.Join(dir, "ttyACM2")) || !strings.Contains(s, "instance 2") {
		t.Errorf("banner: %s", s)
	}
	client.Publish("to_arduino_gateway", gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(13), Tag: "blinker"})
	client.Publish("mine", gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "blinker", Value: 1})
	wctx, wcancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer wcancel()
	if err := dev.Wait(wctx, func() bool { return dev.Digital(13) == 1 }); err != nil {
		t.Fatalf("pin 13 never went high: %v", err)
	}
	client.Publish("mine", gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(2)})
	if in, ok := gwNextReport(t, client, 15*time.Second).(gateway.DigitalInput); !ok || in.Pin != 2 || in.Value != 0 {
		t.Fatalf("report %#v, want digital_input pin 2 value 0", in)
	}
}

func TestGatewayArduinoNoBoard(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	cmd := newGatewayCmd()
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	dir := t.TempDir()
	cmd.SetArgs(append(append([]string{"arduino"}, bp.Args()...), "--ports", filepath.Join(dir, "ttyACM*")))
	err := cmd.ExecuteContext(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no serial port matches "+filepath.Join(dir, "ttyACM*")) {
		t.Fatalf("err = %v", err)
	}
	cmd = newGatewayCmd()
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"arduino", "-i", "x"})
	if err := cmd.ExecuteContext(context.Background()); err == nil || !strings.Contains(err.Error(), "instance id") {
		t.Fatalf("-i x: %v", err)
	}
}
