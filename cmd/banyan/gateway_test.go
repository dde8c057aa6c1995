package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/internal/testbp"
)

// gatewaySim runs `banyan gateway sim` with args against a fresh backplane
// and returns a client subscribed to reportTopic; the cleanup stops the
// command and checks that it returned nil.
func gatewaySim(t *testing.T, reportTopic string, args ...string) (*banyan.Component, *testbp.Buffer) {
	t.Helper()
	bp := testbp.Start(t, backplane.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cmd := newGatewayCmd()
	out := &testbp.Buffer{}
	cmd.SetOut(out)
	cmd.SetErr(io.Discard)
	cmd.SetArgs(append(append([]string{"sim"}, bp.Args()...), args...))
	cmdDone := make(chan error, 1)
	go func() { cmdDone <- cmd.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-cmdDone; err != nil {
			t.Errorf("gateway sim returned %v", err)
		}
	})
	// Cleanups run last first: the client closes, then the command stops,
	// then the backplane.
	client := bp.Connect(t, banyan.WithSubscriptions(reportTopic))
	return client, out
}

// nextReport waits for a report.
func gwNextReport(t *testing.T, c *banyan.Component, wait time.Duration) gateway.Report {
	t.Helper()
	select {
	case m := <-c.Messages():
		r, err := gateway.DecodeReport(m.Payload)
		if err != nil {
			t.Fatal(err)
		}
		return r
	case <-time.After(wait):
		return nil
	}
}

// firstInput sets pin 2 as a digital input on topic until the gateway
// (which may still be connecting) answers with its report.
func gwFirstInput(t *testing.T, c *banyan.Component, topic string) gateway.DigitalInput {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		c.Publish(topic, gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(2)})
		if r := gwNextReport(t, c, 100*time.Millisecond); r != nil {
			in, ok := r.(gateway.DigitalInput)
			if !ok {
				t.Fatalf("first report %#v", r)
			}
			return in
		}
	}
	t.Fatal("the gateway never answered")
	return gateway.DigitalInput{}
}

func TestGatewaySim(t *testing.T) {
	client, out := gatewaySim(t, "from_bench_gateway", "--device", "bench", "-n", "Bench")
	if in := gwFirstInput(t, client, "to_bench_gateway"); in.Pin != 2 || in.Value != 0 {
		t.Fatalf("first report %+v", in)
	}
	client.Publish("to_bench_gateway", gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(13), Tag: "led"})
	client.Publish("to_bench_gateway", gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "led", Value: 1})
	client.Publish("to_bench_gateway", gateway.Command{Name: gateway.CmdSetModeI2C})
	client.Publish("to_bench_gateway", gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x50, Register: new(7), NumberOfBytes: 2})
	var r gateway.Report
	for {
		if r = gwNextReport(t, client, 10*time.Second); r == nil {
			t.Fatal("no i2c_data report")
		}
		if _, ok := r.(gateway.DigitalInput); !ok { // skip repeats of the first set-mode
			break
		}
	}
	if d, ok := r.(gateway.I2CData); !ok || len(d.Value) != 2 || d.Value[0] != 7 || d.Value[1] != 8 {
		t.Fatalf("report %#v, want i2c_data [7 8]", r)
	}
	client.Publish("to_bench_gateway", gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "nobody", Value: 1})
	if e, ok := gwNextReport(t, client, 10*time.Second).(gateway.ErrorReport); !ok || e.Code != gateway.CodeUnknownTag {
		t.Fatalf("got %#v, want an unknown_tag error", e)
	}
	text := out.String()
	for _, want := range []string{
		`simulated board gateway "Bench": commands on to_bench_gateway, reports on from_bench_gateway`,
		`msg="digital write" pin=13 value=1`,
		`msg="i2c read" addr=80 register=7 bytes=2`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

func TestGatewaySimTopicsAnimateQuiet(t *testing.T) {
	client, out := gatewaySim(t, "sim/out", "-m", "sim/in", "-m", "sim/in2", "-r", "sim/out", "--animate", "2ms", "-q")
	first := gwFirstInput(t, client, "sim/in2")
	// The input toggles by itself.
	seen := map[int]bool{first.Value: true}
	for !seen[0] || !seen[1] {
		r := gwNextReport(t, client, 10*time.Second)
		in, ok := r.(gateway.DigitalInput)
		if !ok {
			t.Fatalf("report %#v, want digital_input from --animate", r)
		}
		seen[in.Value] = true
	}
	if strings.Contains(out.String(), "msg=") {
		t.Errorf("-q still prints board operations:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "commands on sim/in, sim/in2, reports on sim/out") {
		t.Errorf("output %q", out.String())
	}
}

func TestGatewaySimNeedsTopics(t *testing.T) {
	cmd := newGatewayCmd()
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"sim", "--device", "", "-r", "x"})
	if err := cmd.ExecuteContext(context.Background()); err == nil || !strings.Contains(err.Error(), "--device") {
		t.Fatalf("error %v, want one about --device", err)
	}
}
