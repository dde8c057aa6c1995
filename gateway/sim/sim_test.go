package sim_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/sim"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// recorder collects reports.
type recorder struct {
	mu   sync.Mutex
	reps []gateway.Report
	ch   chan gateway.Report
}

func record(b *sim.Board) *recorder {
	r := &recorder{ch: make(chan gateway.Report, 1000)}
	b.SetReportFunc(func(rep gateway.Report) {
		r.mu.Lock()
		r.reps = append(r.reps, rep)
		r.mu.Unlock()
		select {
		case r.ch <- rep:
		default:
		}
	})
	return r
}

// take returns and forgets the reports so far.
func (r *recorder) take() []gateway.Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reps
	r.reps = nil
	for len(r.ch) > 0 {
		<-r.ch
	}
	return out
}

func check(t *testing.T, what string, got []gateway.Report, want ...gateway.Report) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: reports %#v, want %#v", what, got, want)
	}
}

func TestInputs(t *testing.T) {
	b := sim.New(sim.Options{Logger: quiet})
	rec := record(b)

	b.SetDigitalInput(2, 1) // not an input yet: remembered, not reported
	check(t, "drive unconfigured pin", rec.take())
	if err := b.SetMode(2, gateway.ModeDigitalInput); err != nil {
		t.Fatal(err)
	}
	check(t, "set input", rec.take(), gateway.DigitalInput{Pin: 2, Value: 1})
	b.SetDigitalInput(2, 1)
	check(t, "same value", rec.take())
	b.SetDigitalInput(2, 0)
	check(t, "change", rec.take(), gateway.DigitalInput{Pin: 2, Value: 0})

	b.SetMode(3, gateway.ModeDigitalInputPullup)
	check(t, "pull-up", rec.take(), gateway.DigitalInput{Pin: 3, Value: 1})
	if s := b.Digital(3); s.Mode != gateway.ModeDigitalInputPullup || !s.Configured || s.Value != 1 || !s.Reporting {
		t.Fatalf("pin 3 %+v", s)
	}

	b.SetMode(0, gateway.ModeAnalogInput)
	check(t, "analog input", rec.take(), gateway.AnalogInput{Pin: 0, Value: 0})
	b.SetAnalogInput(0, 1023)
	check(t, "analog change", rec.take(), gateway.AnalogInput{Pin: 0, Value: 1023})

	b.SetDigitalReporting(2, false)
	b.SetDigitalInput(2, 1)
	check(t, "reporting off", rec.take())
	b.SetDigitalReporting(2, true)
	check(t, "reporting on", rec.take(), gateway.DigitalInput{Pin: 2, Value: 1})
	b.SetAnalogReporting(0, false)
	b.SetAnalogInput(0, 3)
	check(t, "analog reporting off", rec.take())
	b.SetAnalogReporting(0, true)
	check(t, "analog reporting on", rec.take(), gateway.AnalogInput{Pin: 0, Value: 3})
	b.SetDigitalReporting(13, true) // not an input: nothing
	check(t, "reporting on an output", rec.take())

	// An input that becomes an output stops reporting.
	b.SetMode(2, gateway.ModeDigitalOutput)
	b.SetDigitalInput(2, 0)
	check(t, "output", rec.take())

	b.SetSonarDistance(7, 50)
	check(t, "sonar not attached", rec.take())
	b.SetModeSonar(7, 6)
	check(t, "sonar attached", rec.take(), gateway.SonarData{Value: 50, TriggerPin: new(7)})
	b.SetSonarDistance(7, 50)
	check(t, "sonar measures again", rec.take(), gateway.SonarData{Value: 50, TriggerPin: new(7)})

	b.SetReportFunc(nil)
	b.SetDigitalInput(3, 0) // no report function: nothing to call
	check(t, "detached", rec.take())

	for _, err := range []error{b.SetDigitalInput(2, 2), b.SetAnalogInput(0, 1024), b.SetSonarDistance(7, -1)} {
		if !errors.Is(err, sim.ErrOutOfRange) {
			t.Errorf("error %v, want ErrOutOfRange", err)
		}
	}
	for _, err := range []error{b.SetDigitalInput(20, 1), b.SetAnalogInput(6, 1), b.SetSonarDistance(-1, 1)} {
		if !errors.Is(err, sim.ErrNoPin) {
			t.Errorf("error %v, want ErrNoPin", err)
		}
	}
}

func TestOutputs(t *testing.T) {
	b := sim.New(sim.Options{DigitalPins: 14, AnalogPins: 2, Logger: quiet})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	wrongMode := func(err error) {
		t.Helper()
		if !errors.Is(err, sim.ErrWrongMode) {
			t.Fatalf("error %v, want ErrWrongMode", err)
		}
	}
	wrongMode(b.DigitalWrite(13, 1))
	wrongMode(b.PWMWrite(5, 1))
	wrongMode(b.ServoPosition(9, 1))
	wrongMode(b.PlayTone(8, 1, time.Second))

	must(b.SetMode(13, gateway.ModeDigitalOutput))
	must(b.DigitalWrite(13, 1))
	must(b.SetMode(5, gateway.ModePWM))
	must(b.PWMWrite(5, 255))
	wrongMode(b.PWMWrite(13, 1))
	must(b.SetMode(9, gateway.ModeServo))
	must(b.ServoPosition(9, 180))
	must(b.AnalogWrite(1, 1023))
	if got := []int{b.Digital(13).Value, b.Digital(5).Value, b.Digital(9).Value, b.Analog(1).Value}; !slices.Equal(got, []int{1, 255, 180, 1023}) {
		t.Fatalf("values %v", got)
	}
	if b.Analog(1).Mode != gateway.ModeAnalogOutput {
		t.Fatalf("analog pin 1 %+v", b.Analog(1))
	}
	for _, err := range []error{b.DigitalWrite(13, 2), b.PWMWrite(5, 256), b.ServoPosition(9, -1), b.AnalogWrite(1, 1024)} {
		if !errors.Is(err, sim.ErrOutOfRange) {
			t.Errorf("error %v, want ErrOutOfRange", err)
		}
	}
	for _, err := range []error{b.SetMode(14, gateway.ModeDigitalOutput), b.SetMode(2, gateway.ModeAnalogInput), b.AnalogWrite(2, 0)} {
		if !errors.Is(err, sim.ErrNoPin) {
			t.Errorf("error %v, want ErrNoPin", err)
		}
	}
	for _, m := range []gateway.PinMode{gateway.ModeI2C, gateway.ModeSonar, gateway.ModeStepper, gateway.ModeWildCard, 99} {
		if err := b.SetMode(1, m); !errors.Is(err, gateway.ErrUnsupported) {
			t.Errorf("SetMode %v: %v, want ErrUnsupported", m, err)
		}
	}

	must(b.SetMode(8, gateway.ModeTone))
	for i := range 70 {
		must(b.PlayTone(8, 100+i, time.Duration(i)*time.Millisecond))
	}
	tones := b.Tones()
	if len(tones) != 64 || tones[0].Freq != 106 || tones[63] != (sim.Tone{Pin: 8, Freq: 169, Duration: 69 * time.Millisecond}) {
		t.Fatalf("tones: %d, first %+v, last %+v", len(tones), tones[0], tones[len(tones)-1])
	}

	if err := b.StepperWrite(1, 1); !errors.Is(err, sim.ErrNoStepper) {
		t.Fatalf("StepperWrite before setup: %v", err)
	}
	if err := b.SetModeStepper([]int{1, 2, 3}, 200); !errors.Is(err, sim.ErrOutOfRange) {
		t.Fatalf("3 stepper pins: %v", err)
	}
	if err := b.SetModeStepper([]int{1, 99}, 200); !errors.Is(err, sim.ErrNoPin) {
		t.Fatalf("stepper pin 99: %v", err)
	}
	must(b.SetModeStepper([]int{1, 2}, 200))
	must(b.StepperWrite(10, 200))
	must(b.StepperWrite(5, -50))
	if s := b.Stepper(); !reflect.DeepEqual(s, sim.StepperState{Configured: true, Pins: []int{1, 2}, StepsPerRevolution: 200, Speed: 5, Position: 150}) {
		t.Fatalf("stepper %+v", s)
	}
	if b.Digital(1).Mode != gateway.ModeStepper {
		t.Fatalf("pin 1 %+v", b.Digital(1))
	}
	if (b.Digital(99) != sim.PinState{}) || (b.Analog(-1) != sim.PinState{}) {
		t.Fatal("state of a missing pin")
	}
}

func TestI2C(t *testing.T) {
	b := sim.New(sim.Options{Logger: quiet})
	if _, err := b.I2CRead(sim.DefaultMemoryAddr, 0, 1); !errors.Is(err, sim.ErrI2CDisabled) {
		t.Fatalf("read before set_mode_i2c: %v", err)
	}
	b.SetModeI2C()
	if !b.I2CEnabled() {
		t.Fatal("I2CEnabled false")
	}
	if _, err := b.I2CRead(0x20, 0, 1); !errors.Is(err, sim.ErrNoDevice) {
		t.Fatalf("read from 0x20: %v", err)
	}
	if err := b.I2CWrite(sim.DefaultMemoryAddr, 0xfe, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	got, err := b.I2CRead(sim.DefaultMemoryAddr, 0xfe, 4) // wraps after 255
	if err != nil || !slices.Equal(got, []byte{1, 2, 3, 1}) {
		t.Fatalf("read %v, %v", got, err)
	}
	got, _ = b.I2CRead(sim.DefaultMemoryAddr, gateway.NoRegister, 1) // continues at the pointer
	if !slices.Equal(got, []byte{2}) {
		t.Fatalf("read at pointer %v", got)
	}
	for _, err := range []error{b.I2CWrite(sim.DefaultMemoryAddr, 256, nil), func() error { _, err := b.I2CRead(sim.DefaultMemoryAddr, 0, 0); return err }()} {
		if !errors.Is(err, sim.ErrOutOfRange) {
			t.Errorf("error %v, want ErrOutOfRange", err)
		}
	}

	m := sim.NewMemory()
	b.AddI2CDevice(0x21, m)
	b.I2CWrite(0x21, gateway.NoRegister, []byte{0x40, 9, 8})
	if r := m.Registers(); r[0x40] != 9 || r[0x41] != 8 || r[0x42] != 0x42 {
		t.Fatalf("registers %v", r[0x40:0x43])
	}
	b.AddI2CDevice(0x21, nil)
	if _, err := b.I2CRead(0x21, 0, 1); !errors.Is(err, sim.ErrNoDevice) {
		t.Fatalf("removed device: %v", err)
	}

	none := sim.New(sim.Options{I2C: map[int]sim.I2CDevice{}, Logger: quiet})
	none.SetModeI2C()
	if _, err := none.I2CRead(sim.DefaultMemoryAddr, 0, 1); !errors.Is(err, sim.ErrNoDevice) {
		t.Fatalf("empty bus: %v", err)
	}
}

func TestAnimate(t *testing.T) {
	b := sim.New(sim.Options{Logger: quiet})
	rec := record(b)
	b.SetMode(2, gateway.ModeDigitalInput)
	b.SetMode(0, gateway.ModeAnalogInput)
	b.SetModeSonar(7, 6)
	rec.take()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Animate(ctx, time.Millisecond); close(done) }()
	var digital, analog []int
	var sonar []float64
	for len(digital) < 3 || len(analog) < 3 || len(sonar) < 3 {
		select {
		case r := <-rec.ch:
			switch r := r.(type) {
			case gateway.DigitalInput:
				digital = append(digital, r.Value)
			case gateway.AnalogInput:
				analog = append(analog, r.Value)
			case gateway.SonarData:
				sonar = append(sonar, r.Value)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Animate reports nothing")
		}
	}
	cancel()
	<-done
	if digital[0] != 1 || digital[1] != 0 || digital[2] != 1 {
		t.Errorf("digital %v, want toggling from 1", digital)
	}
	if analog[0] != 64 || analog[1] != 128 {
		t.Errorf("analog %v, want climbing by 64", analog)
	}
	for _, d := range sonar {
		if d < 5 || d > 200 {
			t.Errorf("sonar %v out of 5-200", sonar)
		}
	}
}
