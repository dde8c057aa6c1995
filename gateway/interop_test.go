package gateway_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/sim"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
)

// TestPythonClient drives the gateway from a Python OneGPIO client (pyzmq
// and msgpack, as Python Banyan applications talk).
func TestPythonClient(t *testing.T) {
	py := testpeer.Python(t, "zmq", "msgpack")
	bp := testbp.Start(t, backplane.Options{})
	board := sim.New(sim.Options{Logger: quiet})
	gw, err := gateway.New(context.Background(), board, gateway.Options{Device: "sim", Backplane: bp.Options(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- gw.Run(ctx) }()
	defer func() { cancel(); <-done }()

	peer := testpeer.Start(t, py, "testdata/onegpio_client.py", "127.0.0.1", strconv.Itoa(bp.PublisherPort()), strconv.Itoa(bp.SubscriberPort()), "sim")
	for _, want := range []string{"INPUT 2 0 float", "I2C [5, 6]", "ERROR missing_command -", "ERROR unknown_command endable_analog_reporting", "DONE"} {
		if got := peer.Expect(want[:4]); got != want {
			t.Fatalf("python client printed %q, want %q", got, want)
		}
	}
	if s := board.Digital(13); s.Mode != gateway.ModeDigitalOutput || s.Value != 1 {
		t.Fatalf("pin 13 after the blinker's commands: %+v", s)
	}
	if got := gw.Tags(); got["blinker"] != 13 || got["button"] != 2 {
		t.Fatalf("tags %v", got)
	}
	board.SetDigitalInput(2, 1)
	if got := peer.Expect("INPUT"); got != "INPUT 2 1 float" {
		t.Fatalf("python client printed %q", got)
	}
}
