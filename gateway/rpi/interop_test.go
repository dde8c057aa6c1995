package rpi_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/rpi"
	"github.com/gobanyan/banyan/gateway/rpi/rpitest"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
)

// TestPythonClient drives the Raspberry Pi gateway, on the fake hardware,
// from the Python OneGPIO client the gateway package's interop test uses
// (pyzmq and msgpack, as Python Banyan applications talk).
func TestPythonClient(t *testing.T) {
	py := testpeer.Python(t, "zmq", "msgpack")
	bp := testbp.Start(t, backplane.Options{})
	hw := rpitest.New()
	hw.AddI2C(0x50, rpitest.NewMemory())
	board, err := rpi.New(rpi.Options{Hardware: hw, Logger: testbp.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer board.Close()
	gw, err := gateway.New(context.Background(), board, gateway.Options{Device: "rpi", Backplane: bp.Options(), Logger: testbp.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- gw.Run(ctx) }()
	defer func() { cancel(); <-done }()

	peer := testpeer.Start(t, py, "../testdata/onegpio_client.py", "127.0.0.1", strconv.Itoa(bp.PublisherPort()), strconv.Itoa(bp.SubscriberPort()), "rpi")
	for _, want := range []string{"INPUT 2 0 float", "I2C [5, 6]", "ERROR missing_command -", "ERROR unknown_command endable_analog_reporting", "DONE"} {
		if got := peer.Expect(want[:4]); got != want {
			t.Fatalf("python client printed %q, want %q", got, want)
		}
	}
	if w := hw.Writes(13); !slices.Equal(w, []int{0, 1}) {
		t.Fatalf("BCM 13 after the blinker's commands: writes %v, want [0 1]", w)
	}
	hw.Drive(2, 1)
	if got := peer.Expect("INPUT"); got != "INPUT 2 1 float" {
		t.Fatalf("python client printed %q", got)
	}
}
