package main

import (
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/esp8266/espsim"
	"github.com/gobanyan/banyan/internal/testbp"
)

// gatewayESP8266 runs `banyan gateway esp8266` with args against a fresh
// backplane and returns a client subscribed to sys_msg and the report
// topic; the cleanup stops the command and checks that it returned nil.
func gatewayESP8266(t *testing.T, args ...string) (*banyan.Component, *testbp.Buffer) {
	t.Helper()
	bp := testbp.Start(t, backplane.Options{})
	client := bp.Connect(t, banyan.WithSubscriptions(gateway.SysMsgTopic, "from_esp8266_gateway"))
	ctx, cancel := context.WithCancel(context.Background())
	cmd := newGatewayCmd()
	out := &testbp.Buffer{}
	cmd.SetOut(out)
	cmd.SetErr(io.Discard)
	cmd.SetArgs(append(append([]string{"esp8266"}, bp.Args()...), args...))
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("gateway esp8266 returned %v", err)
		}
	})
	return client, out
}

func awaitSysMsg(t *testing.T, c *banyan.Component, prefix string) {
	t.Helper()
	for {
		m := testbp.Next(t, c)
		p, err := banyan.DecodeMap(m.Payload)
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := p["sys_msg"].(string); m.Topic == gateway.SysMsgTopic && strings.HasPrefix(s, prefix) {
			return
		}
	}
}

func runSim(t *testing.T, f func(ctx context.Context, d *espsim.Device)) *espsim.Device {
	t.Helper()
	d := espsim.New(espsim.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); f(ctx, d) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return d
}

func blink(t *testing.T, client *banyan.Component, d *espsim.Device) {
	t.Helper()
	client.Publish("to_esp8266_gateway", gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(12), Tag: "led"})
	client.Publish("to_esp8266_gateway", gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "led", Value: 1})
	testbp.WaitFor(t, "the LED", func() bool { s, _ := d.Pin(12); return s.Value == 1 })
	if d.Crashed() != "" {
		t.Fatal(d.Crashed())
	}
}

func TestGatewayESP8266Client(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	d := runSim(t, func(ctx context.Context, d *espsim.Device) { d.Serve(ctx, l) })
	client, out := gatewayESP8266(t, "-i", "127.0.0.1", "-t", port, "-m", "to_esp8266_gateway", "to_esp_extra", "-l", "96", "-x", "True", "-n", "Esp")
	awaitSysMsg(t, client, "system_up")
	awaitSysMsg(t, client, "connected")
	blink(t, client, d)
	if !strings.Contains(out.String(), `esp8266 gateway "Esp": client of 127.0.0.1:`+port) {
		t.Fatalf("output %q", out.String())
	}
}

func TestGatewayESP8266Server(t *testing.T) {
	port := strconv.Itoa(testbp.FreePort(t))
	client, _ := gatewayESP8266(t, "-c", "server", "-i", "127.0.0.1", "-t", port)
	awaitSysMsg(t, client, "waiting for the esp8266")
	d := runSim(t, func(ctx context.Context, d *espsim.Device) { d.Connect(ctx, "127.0.0.1:"+port) })
	awaitSysMsg(t, client, "connected")
	blink(t, client, d)
}

func TestGatewayESP8266Flags(t *testing.T) {
	for _, args := range [][]string{
		{},             // client mode without -i
		{"-i", "None"}, // Python's default string
		{"-c", "bogus", "-i", "127.0.0.1"},
		{"-i", "127.0.0.1", "-l", "abc"},
		{"-i", "127.0.0.1", "-l", "4"},
		{"-i", "127.0.0.1", "-x", "maybe"},
	} {
		cmd := newGatewayCmd()
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		cmd.SetArgs(append([]string{"esp8266", "-b", "127.0.0.1", "-p", "1", "-s", "1"}, args...))
		if err := cmd.Execute(); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
