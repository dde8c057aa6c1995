package rpi_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/rpi"
	"github.com/gobanyan/banyan/gateway/rpi/gpiocdev"
	"github.com/gobanyan/banyan/gateway/rpi/rpitest"
	"github.com/gobanyan/banyan/internal/testbp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// bench is a Raspberry Pi gateway on the fake hardware, end to end: a
// backplane, the gateway, and a client on its report topic.
type bench struct {
	t      *testing.T
	hw     *rpitest.Hardware
	board  *rpi.Board
	client *banyan.Component
}

func newBench(t *testing.T, o rpi.Options) *bench {
	t.Helper()
	hw := rpitest.New()
	o.Hardware = hw
	o.Logger = testbp.Quiet()
	board, err := rpi.New(o)
	if err != nil {
		t.Fatal(err)
	}
	bp := testbp.Start(t, backplane.Options{})
	client := bp.Connect(t, banyan.WithSubscriptions(gateway.ReportTopic("rpi")))
	ctx, cancel := context.WithCancel(context.Background())
	gw, err := gateway.New(ctx, board, gateway.Options{Device: "rpi", Backplane: bp.Options(), Logger: testbp.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- gw.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := board.Close(); err != nil {
			t.Errorf("board Close: %v", err)
		}
		if !hw.Closed() {
			t.Error("the board did not close the hardware")
		}
		if lines := hw.Lines(); len(lines) != 0 {
			t.Errorf("lines still requested after Close: %v", lines)
		}
	})
	return &bench{t: t, hw: hw, board: board, client: client}
}

func (b *bench) send(c gateway.Command) {
	b.t.Helper()
	if err := b.client.Publish(gateway.CommandTopic("rpi"), c); err != nil {
		b.t.Fatal(err)
	}
}

// next returns the next report.
func (b *bench) next() gateway.Report {
	b.t.Helper()
	r, err := gateway.DecodeReport(testbp.Next(b.t, b.client).Payload)
	if err != nil {
		b.t.Fatal(err)
	}
	return r
}

// sync sends a command that fails (digital_write to BCM 2, never
// configured here) and returns the reports before its error: the gateway
// serves commands in order, so everything sent before is done.
func (b *bench) sync() []gateway.Report {
	b.t.Helper()
	b.send(gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(2), Value: 1, Tag: "sync"})
	var out []gateway.Report
	for {
		r := b.next()
		if e, ok := r.(gateway.ErrorReport); ok && e.Tag == "sync" {
			return out
		}
		out = append(out, r)
	}
}

func (b *bench) wantDigital(pin, value int) {
	b.t.Helper()
	r := b.next()
	if in, ok := r.(gateway.DigitalInput); !ok || in.Pin != pin || in.Value != value || in.Timestamp == 0 {
		b.t.Fatalf("report %#v, want digital_input pin %d value %d with a timestamp", r, pin, value)
	}
}

func (b *bench) wantError(code string) gateway.ErrorReport {
	b.t.Helper()
	r := b.next()
	e, ok := r.(gateway.ErrorReport)
	if !ok || e.Code != code {
		b.t.Fatalf("report %#v, want an error with code %q", r, code)
	}
	return e
}

func TestDigitalInputPullDownEdgesReporting(t *testing.T) {
	b := newBench(t, rpi.Options{})
	b.send(gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(17), Tag: "button"})
	b.wantDigital(17, 0)
	cfg, ok := b.hw.Requested(17)
	if !ok || cfg.Output || cfg.Bias != gpiocdev.BiasPullDown || cfg.Edges != gpiocdev.EdgeBoth || cfg.Debounce != 20*time.Millisecond {
		t.Fatalf("line config %+v, want an input, pull-down, both edges, 20 ms debounce (Python's glitch filter)", cfg)
	}
	b.hw.Drive(17, 1)
	b.wantDigital(17, 1)
	b.hw.Drive(17, 0)
	b.wantDigital(17, 0)

	b.send(gateway.Command{Name: gateway.CmdDisableDigitalReporting, Tag: "button"})
	b.sync()
	b.hw.Drive(17, 1)
	if got := b.sync(); len(got) != 0 {
		t.Fatalf("reports while disabled: %#v", got)
	}
	// Enabling reports the value at once (Python maps enable to disable).
	b.send(gateway.Command{Name: gateway.CmdEnableDigitalReporting, Tag: "button"})
	b.wantDigital(17, 1)
	b.hw.Drive(17, 0)
	b.wantDigital(17, 0)
}

func TestDigitalInputPullUp(t *testing.T) {
	b := newBench(t, rpi.Options{Debounce: -1})
	b.send(gateway.Command{Name: gateway.CmdSetModeDigitalInputPullup, Pin: new(4)})
	b.wantDigital(4, 1) // nothing drives it: the pull-up wins
	if cfg, _ := b.hw.Requested(4); cfg.Bias != gpiocdev.BiasPullUp || cfg.Debounce != 0 {
		t.Fatalf("line config %+v, want pull-up without debounce (Options.Debounce < 0)", cfg)
	}
	b.hw.Drive(4, 0) // the button, to ground
	b.wantDigital(4, 0)
}

func TestDigitalOutputAndErrors(t *testing.T) {
	b := newBench(t, rpi.Options{})
	b.send(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(27), Tag: "led"})
	b.send(gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "led", Value: 1})
	b.send(gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "led", Value: 0})
	b.send(gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "led", Value: 1})
	if got := b.sync(); len(got) != 0 {
		t.Fatalf("reports %#v", got)
	}
	if w := b.hw.Writes(27); !slices.Equal(w, []int{0, 1, 0, 1}) {
		t.Errorf("BCM 27 writes %v, want [0 1 0 1] (starts low)", w)
	}
	b.send(gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "led", Value: 2})
	b.wantError(gateway.CodeBoard)
	b.send(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(28)})
	if e := b.wantError(gateway.CodeBoard); e.Pin == nil || *e.Pin != 28 {
		t.Errorf("error %+v, want one about pin 28", e)
	}
	b.send(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(1)})
	b.wantError(gateway.CodeBoard)
	// The Pi has no DAC: analog_write is unsupported, as in Python.
	b.send(gateway.Command{Name: gateway.CmdAnalogWrite, Pin: new(27), Value: 1})
	b.wantError(gateway.CodeUnsupported)
}

func TestModeChangeRequestsTheLineAgain(t *testing.T) {
	b := newBench(t, rpi.Options{})
	b.send(gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(22)})
	b.wantDigital(22, 0)
	b.send(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(22)})
	b.send(gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(22), Value: 1})
	b.sync()
	if cfg, ok := b.hw.Requested(22); !ok || !cfg.Output || b.hw.Level(22) != 1 {
		t.Fatalf("BCM 22: %+v %v level %d, want an output at 1", cfg, ok, b.hw.Level(22))
	}
	// The old input's edges are gone with it.
	b.hw.Drive(22, 0)
	if got := b.sync(); len(got) != 0 {
		t.Fatalf("reports from a released input: %#v", got)
	}
}

func TestPWMSoftware(t *testing.T) {
	b := newBench(t, rpi.Options{SoftPWMFrequency: 1000})
	b.send(gateway.Command{Name: gateway.CmdSetModePWM, Pin: new(5)})
	b.send(gateway.Command{Name: gateway.CmdPWMWrite, Pin: new(5), Value: 255})
	b.sync()
	if b.hw.Level(5) != 1 {
		t.Fatal("pwm_write 255 does not hold the pin high")
	}
	b.send(gateway.Command{Name: gateway.CmdPWMWrite, Pin: new(5), Value: 128})
	b.sync()
	n := len(b.hw.Writes(5))
	testbp.WaitFor(t, "software PWM edges", func() bool { return len(b.hw.Writes(5)) >= n+6 })
	b.send(gateway.Command{Name: gateway.CmdPWMWrite, Pin: new(5), Value: 0})
	b.sync()
	w := b.hw.Writes(5)
	if b.hw.Level(5) != 0 {
		t.Fatal("pwm_write 0 does not hold the pin low")
	}
	if !slices.Contains(w[n:], 1) || !slices.Contains(w[n:], 0) {
		t.Fatalf("writes %v do not toggle", w[n:])
	}
	b.sync()
	if got := len(b.hw.Writes(5)); got != len(w) {
		t.Fatalf("software PWM still running after pwm_write 0 (%d writes, then %d)", len(w), got)
	}
	b.send(gateway.Command{Name: gateway.CmdPWMWrite, Pin: new(5), Value: 256})
	b.wantError(gateway.CodeBoard)
	b.send(gateway.Command{Name: gateway.CmdPWMWrite, Pin: new(6), Value: 1})
	b.wantError(gateway.CodeBoard) // not a PWM pin yet
}

func TestPWMServoToneHardware(t *testing.T) {
	b := newBench(t, rpi.Options{})
	p18, p19 := b.hw.AddPWM(18), b.hw.AddPWM(19)
	b.send(gateway.Command{Name: gateway.CmdSetModePWM, Pin: new(18)})
	b.send(gateway.Command{Name: gateway.CmdPWMWrite, Pin: new(18), Value: 51})
	b.sync()
	if s, open := p18.State(); !open || s != (rpitest.Setting{Period: 1250 * time.Microsecond, Duty: 250 * time.Microsecond}) {
		t.Fatalf("BCM 18 PWM %+v open %v, want 800 Hz at 20%%", s, open)
	}
	if _, ok := b.hw.Requested(18); ok {
		t.Fatal("a hardware PWM pin's GPIO line is requested (it would take the pin from the PWM)")
	}
	b.send(gateway.Command{Name: gateway.CmdSetModeServo, Pin: new(18)})
	b.send(gateway.Command{Name: gateway.CmdServoPosition, Pin: new(18), Position: 90})
	b.sync()
	if s, _ := p18.State(); s != (rpitest.Setting{Period: 20 * time.Millisecond, Duty: 1400 * time.Microsecond}) {
		t.Fatalf("servo at 90: %+v, want 1400 µs every 20 ms (Python: position*10+500)", s)
	}
	b.send(gateway.Command{Name: gateway.CmdServoPosition, Pin: new(18), Position: 181})
	b.wantError(gateway.CodeBoard)

	b.send(gateway.Command{Name: gateway.CmdSetModeTone, Pin: new(19)})
	b.send(gateway.Command{Name: gateway.CmdPlayTone, Pin: new(19), Freq: 1000, Duration: 30})
	b.sync()
	testbp.WaitFor(t, "the tone's end", func() bool { s, _ := p19.State(); return s.Period == 0 })
	sets := p19.Settings()
	if len(sets) < 2 || sets[0] != (rpitest.Setting{Period: time.Millisecond, Duty: 500 * time.Microsecond}) {
		t.Fatalf("tone settings %+v, want 1 kHz square, then off", sets)
	}
	b.send(gateway.Command{Name: gateway.CmdPlayTone, Pin: new(19), Freq: 20001, Duration: 30})
	b.wantError(gateway.CodeBoard)
}

func TestServoToneSoftware(t *testing.T) {
	b := newBench(t, rpi.Options{})
	b.send(gateway.Command{Name: gateway.CmdSetModeServo, Pin: new(6)})
	b.send(gateway.Command{Name: gateway.CmdServoPosition, Pin: new(6), Position: 0})
	b.sync()
	testbp.WaitFor(t, "servo pulses", func() bool { return len(b.hw.Writes(6)) >= 5 })

	b.send(gateway.Command{Name: gateway.CmdSetModeTone, Pin: new(13), Tag: "buzzer"})
	b.send(gateway.Command{Name: gateway.CmdPlayTone, Tag: "buzzer", Freq: 2000, Duration: 0})
	b.sync()
	testbp.WaitFor(t, "tone edges", func() bool { return len(b.hw.Writes(13)) >= 7 })
	b.send(gateway.Command{Name: gateway.CmdPlayTone, Tag: "buzzer", Freq: 0})
	b.sync()
	w := b.hw.Writes(13)
	if b.hw.Level(13) != 0 || w[len(w)-1] != 0 {
		t.Fatalf("play_tone freq 0 left the pin at %d", b.hw.Level(13))
	}
	b.send(gateway.Command{Name: gateway.CmdPlayTone, Tag: "buzzer", Freq: rpi.MaxSoftToneFreq + 1, Duration: 10})
	b.wantError(gateway.CodeBoard)
}

func TestSonar(t *testing.T) {
	b := newBench(t, rpi.Options{SonarInterval: time.Millisecond})
	b.hw.AttachSonar(23, 24, 42.5)
	b.send(gateway.Command{Name: gateway.CmdSetModeSonar, Pin: new(23), EchoPin: 24, Tag: "sonar"})
	r := b.next()
	s, ok := r.(gateway.SonarData)
	if !ok || s.Value != 42.5 || s.TriggerPin == nil || *s.TriggerPin != 23 {
		t.Fatalf("report %#v, want sonar_data 42.5 cm from trigger 23", r)
	}
	w := b.hw.Writes(23)
	if len(w) < 3 || w[0] != 0 || w[1] != 1 || w[2] != 0 {
		t.Fatalf("trigger writes %v, want 0 (request), then a pulse 1, 0", w)
	}
	if cfg, _ := b.hw.Requested(24); cfg.Output || cfg.Edges != gpiocdev.EdgeBoth || cfg.Debounce != 0 {
		t.Fatalf("echo line %+v, want an input with both edges and no debounce", cfg)
	}
	b.hw.SetSonarDistance(23, 250)
	for {
		r := b.next()
		if s, ok := r.(gateway.SonarData); ok && s.Value == 250 {
			break
		} else if !ok || s.Value != 42.5 {
			t.Fatalf("report %#v", r)
		}
	}
	// Reconfiguring the echo pin releases the sonar, trigger included.
	b.send(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(24)})
	for _, r := range b.sync() {
		if _, ok := r.(gateway.SonarData); !ok {
			t.Fatalf("report %#v", r)
		}
	}
	if _, ok := b.hw.Requested(23); ok {
		t.Fatal("the trigger is still requested")
	}
	n := len(b.hw.Writes(23))
	b.sync()
	if len(b.hw.Writes(23)) != n {
		t.Fatal("the trigger still pulses")
	}
}

func TestEchoDistance(t *testing.T) {
	for _, c := range []struct {
		pulse time.Duration
		cm    float64
		ok    bool
	}{
		{58 * time.Microsecond, 0.99, true}, // about 1 cm per 58 µs
		{1166 * time.Microsecond, 20, true},
		{2915452 * time.Nanosecond, 50, true},
		{0, 0, false},
		{-time.Millisecond, 0, false},
		{38 * time.Millisecond, 0, false}, // the HC-SR04's "nothing there"
	} {
		cm, ok := rpi.EchoDistance(c.pulse)
		if cm != c.cm || ok != c.ok {
			t.Errorf("EchoDistance(%v) = %v, %v; want %v, %v", c.pulse, cm, ok, c.cm, c.ok)
		}
	}
}

func TestI2C(t *testing.T) {
	b := newBench(t, rpi.Options{})
	b.hw.AddI2C(0x50, rpitest.NewMemory())
	b.send(gateway.Command{Name: gateway.CmdSetModeI2C})
	b.send(gateway.Command{Name: gateway.CmdI2CWrite, Addr: 0x50, Register: new(0x10), Data: []byte{1, 2, 3}})
	b.send(gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x50, Register: new(0x10), NumberOfBytes: 3})
	r := b.next()
	d, ok := r.(gateway.I2CData)
	if !ok || !slices.Equal(d.Value, []int{1, 2, 3}) || *d.Addr != 0x50 || *d.Register != 0x10 {
		t.Fatalf("report %#v, want i2c_data [1 2 3] from 0x50 register 0x10", r)
	}
	b.send(gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x50, NumberOfBytes: 2}) // no register: read on
	if d, ok := b.next().(gateway.I2CData); !ok || !slices.Equal(d.Value, []int{1, 2}) {
		t.Fatalf("read without register: %#v", d)
	}
	tx := b.hw.Transfers()
	if len(tx) != 3 || !slices.Equal(tx[0].Write, []byte{0x10, 1, 2, 3}) || tx[0].Read != 0 ||
		!slices.Equal(tx[1].Write, []byte{0x10}) || tx[1].Read != 3 || len(tx[2].Write) != 0 || tx[2].Read != 2 {
		t.Fatalf("transfers %+v", tx)
	}
	b.send(gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x33, Register: new(0), NumberOfBytes: 1})
	b.wantError(gateway.CodeBoard) // nobody at 0x33
	b.send(gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x50, Register: new(0), NumberOfBytes: rpi.MaxI2CRead + 1})
	b.wantError(gateway.CodeBoard)
	if len(b.hw.Transfers()) != 4 {
		t.Fatal("an oversized read reached the bus")
	}
}

func TestAnalogInputPCF8591(t *testing.T) {
	b := newBench(t, rpi.Options{AnalogInterval: time.Millisecond})
	adc := &rpitest.PCF8591{}
	adc.Set(1, 77)
	b.hw.AddI2C(rpi.DefaultPCF8591Addr, adc)
	b.send(gateway.Command{Name: gateway.CmdSetModeAnalogInput, Pin: new(1), Tag: "pot"})
	r := b.next()
	if a, ok := r.(gateway.AnalogInput); !ok || a.Pin != 1 || a.Value != 77 {
		t.Fatalf("report %#v, want analog_input pin 1 = 77 (the second byte read)", r)
	}
	if tx := b.hw.Transfers(); len(tx) == 0 || !slices.Equal(tx[0].Write, []byte{0x41}) || tx[0].Read != 2 {
		t.Fatalf("transfer %+v, want control byte 0x41 then 2 bytes", tx)
	}
	adc.Set(1, 200)
	if a, ok := b.next().(gateway.AnalogInput); !ok || a.Value != 200 {
		t.Fatalf("change not reported: %#v", a)
	}
	b.send(gateway.Command{Name: gateway.CmdDisableAnalogReporting, Tag: "pot"})
	b.sync()
	adc.Set(1, 5)
	b.send(gateway.Command{Name: gateway.CmdEnableAnalogReporting, Tag: "pot"})
	for {
		a, ok := b.next().(gateway.AnalogInput)
		if !ok {
			t.Fatalf("report %#v", a)
		}
		if a.Value == 5 {
			break
		}
	}
	b.send(gateway.Command{Name: gateway.CmdSetModeAnalogInput, Pin: new(4)})
	for {
		r := b.next()
		if _, ok := r.(gateway.AnalogInput); ok {
			continue // polls of channel 1 may come first
		}
		if e, ok := r.(gateway.ErrorReport); !ok || e.Code != gateway.CodeBoard {
			t.Fatalf("channel 4: %#v, want a board error", r)
		}
		break
	}
}

func TestStepper(t *testing.T) {
	b := newBench(t, rpi.Options{})
	b.send(gateway.Command{Name: gateway.CmdStepperWrite, MotorSpeed: 10, NumberOfSteps: 1})
	b.wantError(gateway.CodeBoard) // no stepper yet
	b.send(gateway.Command{Name: gateway.CmdSetModeStepper, Pins: []int{5, 6, 13, 19}, StepsPerRevolution: 512})
	b.send(gateway.Command{Name: gateway.CmdStepperWrite, MotorSpeed: 100, NumberOfSteps: 4})
	b.send(gateway.Command{Name: gateway.CmdStepperWrite, MotorSpeed: 100, NumberOfSteps: -2})
	if got := b.sync(); len(got) != 0 {
		t.Fatalf("reports %#v", got)
	}
	pins := []int{5, 6, 13, 19}
	testbp.WaitFor(t, "6 steps", func() bool { return len(b.hw.Writes(19)) == 7 })
	// Full steps through phases 1 2 3 0, then back 3 2; each pin starts at 0.
	want := [][]int{{0, 0, 0, 1, 1, 1, 0}, {0, 1, 0, 0, 1, 0, 0}, {0, 1, 1, 0, 0, 0, 1}, {0, 0, 1, 1, 0, 1, 1}}
	for i, p := range pins {
		if w := b.hw.Writes(p); !slices.Equal(w, want[i]) {
			t.Errorf("BCM %d writes %v, want %v", p, w, want[i])
		}
	}
	b.send(gateway.Command{Name: gateway.CmdSetModeStepper, Pins: []int{5, 6, 13}, StepsPerRevolution: 512})
	b.wantError(gateway.CodeBoard)
	b.send(gateway.Command{Name: gateway.CmdStepperWrite, MotorSpeed: 0, NumberOfSteps: 4})
	b.wantError(gateway.CodeBoard)
	b.send(gateway.Command{Name: gateway.CmdStepperWrite, MotorSpeed: 1, NumberOfSteps: rpi.MaxSteps + 1})
	b.wantError(gateway.CodeBoard)
	// Reusing a stepper pin releases the stepper.
	b.send(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(6)})
	b.send(gateway.Command{Name: gateway.CmdStepperWrite, MotorSpeed: 10, NumberOfSteps: 1})
	if e := b.wantError(gateway.CodeBoard); e.Command != gateway.CmdStepperWrite {
		t.Fatalf("error %+v", e)
	}
	if got := b.hw.Lines(); !slices.Equal(got, []int{6}) {
		t.Fatalf("requested lines %v, want only BCM 6", got)
	}
}

func TestStepperQueueBound(t *testing.T) {
	hw := rpitest.New()
	board, err := rpi.New(rpi.Options{Hardware: hw, Logger: testbp.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer board.Close()
	if err := board.SetModeStepper([]int{5, 6, 13, 19}, 1); err != nil {
		t.Fatal(err)
	}
	// 1 step per revolution at 1 rpm: a minute a step, so they queue.
	var busy error
	for range rpi.MaxStepperQueue + 2 {
		if err := board.StepperWrite(1, 1); err != nil {
			busy = err
		}
	}
	if !errors.Is(busy, rpi.ErrBusy) {
		t.Fatalf("%d queued moves: %v, want ErrBusy", rpi.MaxStepperQueue+2, busy)
	}
}
