package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/sim"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/launch"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// write is one DigitalWrite the gateway made on the board.
type write struct{ pin, value int }

// watched is the simulated board with its digital writes recorded.
type watched struct {
	*sim.Board
	writes chan write
}

func (w *watched) DigitalWrite(pin, value int) error {
	err := w.Board.DigitalWrite(pin, value)
	if err == nil {
		select {
		case w.writes <- write{pin, value}:
		default: // the test has seen enough
		}
	}
	return err
}

// The blinker drives a gateway for a simulated board through a real
// backplane: the pin it names once (-g 7) toggles 1, 0, 1 by tag.
func TestBlinkerTogglesPinByTag(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	board := &watched{Board: sim.New(sim.Options{Logger: testbp.Quiet()}), writes: make(chan write, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	gw, err := gateway.New(ctx, board, gateway.Options{Device: "arduino", Backplane: bp.Options(), Logger: testbp.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	gwDone := make(chan error, 1)
	go func() { gwDone <- gw.Run(ctx) }()

	var out testbp.Buffer
	args := append(bp.Args(), "-d", "arduino", "-g", "7", "-i", "10ms")
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, &out, io.Discard) }()

	var got []int
	timer := time.NewTimer(20 * time.Second)
	defer timer.Stop()
	for len(got) < 3 {
		select {
		case w := <-board.writes:
			if w.pin != 7 {
				t.Fatalf("write to pin %d", w.pin)
			}
			got = append(got, w.value)
		case err := <-done:
			t.Fatalf("blinker ended: %v", err)
		case <-timer.C:
			t.Fatalf("timed out; writes so far %v", got)
		}
	}
	if !slices.Equal(got, []int{1, 0, 1}) {
		t.Errorf("writes %v, want 1 0 1", got)
	}
	if pin, ok := gw.Tags()[Tag]; !ok || pin != 7 {
		t.Errorf("gateway tags %v", gw.Tags())
	}
	out.WaitFor(t, `blinking pin 7 (tag "blinker") on to_arduino_gateway`)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("blinker: %v", err)
	}
	<-gwDone
}

func TestBlinkerFlags(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		args []string
		want error
	}{
		{[]string{"-d", "crickit"}, ErrDeviceType},
		{[]string{"-g", "ten"}, nil},
		{[]string{"-p", "x"}, nil},
		{[]string{"extra"}, nil},
	} {
		err := run(ctx, c.args, io.Discard, io.Discard)
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("run(%q) = %v, want an error (%v)", c.args, err, c.want)
		}
	}
}

// b_a.csv is a launch file the launcher reads: the Arduino gateway, then
// the blinker.
func TestLaunchFile(t *testing.T) {
	b, err := os.ReadFile("b_a.csv")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := launch.ParseCSV(bytes.NewReader(b), "b_a.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("%d entries", len(entries))
	}
	if e := entries[0]; !slices.Equal(e.Args, []string{"banyan", "gateway", "arduino"}) || e.Wait != 5*time.Second || e.Topic != "local" {
		t.Errorf("first entry %+v", e)
	}
	if e := entries[1]; !slices.Equal(e.Args, []string{"blinker", "-d", "arduino"}) {
		t.Errorf("second entry %+v", e)
	}
}

// Started before its gateway, the blinker's set_mode_digital_output is
// lost; the gateway's unknown_tag error reports make it bind the tag
// again, and the pin blinks.
func TestBlinkerStartedBeforeGateway(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out testbp.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append(bp.Args(), "-d", "arduino", "-g", "5", "-i", "10ms"), &out, io.Discard)
	}()
	out.WaitFor(t, `blinking pin 5`)

	board := &watched{Board: sim.New(sim.Options{Logger: testbp.Quiet()}), writes: make(chan write, 16)}
	gw, err := gateway.New(ctx, board, gateway.Options{Device: "arduino", Backplane: bp.Options(), Logger: testbp.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	gwDone := make(chan error, 1)
	go func() { gwDone <- gw.Run(ctx) }()
	select {
	case w := <-board.writes:
		if w.pin != 5 {
			t.Fatalf("write to pin %d", w.pin)
		}
	case err := <-done:
		t.Fatalf("blinker ended: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the pin never blinked")
	}
	if st := gw.Stats(); st.Errors == 0 {
		t.Errorf("Stats %+v: the first writes should have failed with unknown_tag", st)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("blinker: %v", err)
	}
	<-gwDone
}
