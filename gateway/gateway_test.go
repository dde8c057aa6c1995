package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/sim"
	"github.com/gobanyan/banyan/internal/testbp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = testbp.Quiet()

const device = "test"

// rig is a backplane, a gateway serving a board, and a client subscribed
// to the gateway's reports.
type rig struct {
	t      *testing.T
	gw     *gateway.Gateway
	client *banyan.Component
	sent   map[string]bool // command names published
	syncN  *int
	bp     *testbp.BP
}

// on returns the rig for use in subtest t.
func (r *rig) on(t *testing.T) *rig {
	c := *r
	c.t = t
	return &c
}

func newRig(t *testing.T, board gateway.Board, o gateway.Options) *rig {
	t.Helper()
	bp := testbp.Start(t, backplane.Options{})
	if o.Device == "" && o.CommandTopics == nil {
		o.Device = device
	}
	if o.Logger == nil {
		o.Logger = quiet
	}
	o.Backplane = bp.Options()
	gw, err := gateway.New(context.Background(), board, o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- gw.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	r := &rig{t: t, gw: gw, client: bp.Connect(t, banyan.WithSubscriptions(gw.ReportTopic())), sent: map[string]bool{}, syncN: new(0), bp: bp}
	// A first round trip proves that Run is serving.
	r.sync()
	return r
}

func simRig(t *testing.T) (*rig, *sim.Board) {
	b := sim.New(sim.Options{Logger: quiet})
	return newRig(t, b, gateway.Options{}), b
}

// send publishes a command (a gateway.Command or a raw map) on the
// command topic.
func (r *rig) send(cmd any) {
	r.t.Helper()
	switch c := cmd.(type) {
	case gateway.Command:
		r.sent[c.Name] = true
	case map[string]any:
		if name, ok := c["command"].(string); ok {
			r.sent[name] = true
		}
	}
	if err := r.client.Publish(gateway.CommandTopic(device), cmd); err != nil {
		r.t.Fatal(err)
	}
}

// next returns the next report.
func (r *rig) next() gateway.Report {
	r.t.Helper()
	select {
	case m := <-r.client.Messages():
		rep, err := gateway.DecodeReport(m.Payload)
		if err != nil {
			r.t.Fatalf("report %x: %v", m.Payload, err)
		}
		return rep
	case <-time.After(10 * time.Second):
		r.t.Fatal("no report within 10 s")
	}
	return nil
}

// sync sends a marker command the gateway answers with an error report,
// and returns the reports that came before the answer. Commands are served
// in order and every report leaves through the gateway's one connection,
// so when the answer arrives every earlier command has been carried out
// and every earlier report has arrived.
func (r *rig) sync() []gateway.Report {
	r.t.Helper()
	*r.syncN++
	n := *r.syncN
	tag := fmt.Sprintf("sync-%d", n)
	deadline := time.After(10 * time.Second)
	for {
		// The first sync, in newRig, repeats until the gateway subscribes.
		r.client.Publish(gateway.CommandTopic(device), map[string]any{"command": "__sync", "tag": tag})
		var before []gateway.Report
		for {
			var m *banyan.Message
			select {
			case m = <-r.client.Messages():
			case <-time.After(100 * time.Millisecond):
			case <-deadline:
				r.t.Fatal("gateway does not answer")
			}
			if m == nil {
				if n == 1 {
					break
				}
				continue
			}
			rep, err := gateway.DecodeReport(m.Payload)
			if err != nil {
				r.t.Fatalf("report %x: %v", m.Payload, err)
			}
			if e, ok := rep.(gateway.ErrorReport); ok && e.Tag == tag {
				return before
			}
			if e, ok := rep.(gateway.ErrorReport); ok && strings.HasPrefix(e.Tag, "sync-") {
				continue // a repeat of the first marker
			}
			before = append(before, rep)
		}
	}
}

// noReports asserts that nothing was reported since the last sync.
func (r *rig) noReports(what string) {
	r.t.Helper()
	if got := r.sync(); len(got) > 0 {
		r.t.Fatalf("%s: unexpected reports %v", what, got)
	}
}

// ok sends commands and asserts that none of them was answered.
func (r *rig) ok(cmds ...any) {
	r.t.Helper()
	for _, c := range cmds {
		r.send(c)
	}
	if got := r.sync(); len(got) > 0 {
		r.t.Fatalf("commands %v: unexpected reports %v", cmds, got)
	}
}

// expect sends a command and asserts the reports it causes.
func (r *rig) expect(cmd any, want ...gateway.Report) {
	r.t.Helper()
	r.send(cmd)
	r.expectReports(fmt.Sprint(cmd), want...)
}

func (r *rig) expectReports(what string, want ...gateway.Report) {
	r.t.Helper()
	got := r.sync()
	if len(got) != len(want) {
		r.t.Fatalf("%s: got reports %v, want %v", what, got, want)
	}
	for i := range got {
		if !sameReport(got[i], want[i]) {
			r.t.Fatalf("%s: report %d is %#v, want %#v", what, i, got[i], want[i])
		}
	}
}

// sameReport compares reports, ignoring timestamps (which must be set)
// and, for errors, comparing the code, command, tag and pin.
func sameReport(got, want gateway.Report) bool {
	switch g := got.(type) {
	case gateway.DigitalInput:
		w, ok := want.(gateway.DigitalInput)
		return ok && g.Timestamp > 0 && g.Pin == w.Pin && g.Value == w.Value
	case gateway.AnalogInput:
		w, ok := want.(gateway.AnalogInput)
		return ok && g.Timestamp > 0 && g.Pin == w.Pin && g.Value == w.Value
	case gateway.ErrorReport:
		w, ok := want.(gateway.ErrorReport)
		return ok && g.Code == w.Code && g.Command == w.Command && g.Tag == w.Tag && eqPtr(g.Pin, w.Pin) && g.Error != ""
	}
	return reflect.DeepEqual(got, want)
}

func eqPtr(a, b *int) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func digital(pin, value int) gateway.Report { return gateway.DigitalInput{Pin: pin, Value: value} }
func analog(pin, value int) gateway.Report  { return gateway.AnalogInput{Pin: pin, Value: value} }
func failed(code, command, tag string, pin *int) gateway.Report {
	return gateway.ErrorReport{Code: code, Command: command, Tag: tag, Pin: pin}
}

// TestEveryCommand sends each of the 22 commands through a real backplane
// to the simulated board and checks what it did and what came back.
func TestEveryCommand(t *testing.T) {
	r, b := simRig(t)

	t.Run("digital output", func(t *testing.T) {
		r := r.on(t)
		r.ok(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(13)}, gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(13), Value: 1})
		if s := b.Digital(13); s.Mode != gateway.ModeDigitalOutput || s.Value != 1 {
			t.Fatalf("pin 13: %+v", s)
		}
		r.ok(gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(13), Value: 0})
		if s := b.Digital(13); s.Value != 0 {
			t.Fatalf("pin 13: %+v", s)
		}
	})
	t.Run("pwm servo tone analog write", func(t *testing.T) {
		r := r.on(t)
		r.ok(gateway.Command{Name: gateway.CmdSetModePWM, Pin: new(5)}, gateway.Command{Name: gateway.CmdPWMWrite, Pin: new(5), Value: 128},
			gateway.Command{Name: gateway.CmdSetModeServo, Pin: new(9)}, gateway.Command{Name: gateway.CmdServoPosition, Pin: new(9), Position: 90},
			gateway.Command{Name: gateway.CmdSetModeTone, Pin: new(8)}, gateway.Command{Name: gateway.CmdPlayTone, Pin: new(8), Freq: 440, Duration: 250},
			gateway.Command{Name: gateway.CmdAnalogWrite, Pin: new(1), Value: 512})
		if s := b.Digital(5); s.Mode != gateway.ModePWM || s.Value != 128 {
			t.Errorf("pwm pin 5: %+v", s)
		}
		if s := b.Digital(9); s.Mode != gateway.ModeServo || s.Value != 90 {
			t.Errorf("servo pin 9: %+v", s)
		}
		if got, want := b.Tones(), []sim.Tone{{Pin: 8, Freq: 440, Duration: 250 * time.Millisecond}}; !slices.Equal(got, want) {
			t.Errorf("tones %v, want %v", got, want)
		}
		if s := b.Analog(1); s.Mode != gateway.ModeAnalogOutput || s.Value != 512 {
			t.Errorf("analog pin 1: %+v", s)
		}
	})
	t.Run("digital inputs", func(t *testing.T) {
		r := r.on(t)
		r.expect(gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(2)}, digital(2, 0))
		b.SetDigitalInput(2, 1)
		r.expectReports("pin 2 driven high", digital(2, 1))
		b.SetDigitalInput(2, 1)
		r.noReports("pin 2 unchanged")
		r.expect(gateway.Command{Name: gateway.CmdSetModeDigitalInputPullup, Pin: new(3)}, digital(3, 1))
		b.SetDigitalInput(3, 0)
		r.expectReports("pin 3 pulled low", digital(3, 0))
	})
	t.Run("analog inputs", func(t *testing.T) {
		r := r.on(t)
		r.expect(gateway.Command{Name: gateway.CmdSetModeAnalogInput, Pin: new(0)}, analog(0, 0))
		b.SetAnalogInput(0, 700)
		r.expectReports("A0 at 700", analog(0, 700))
	})
	t.Run("disable and enable reporting", func(t *testing.T) {
		r := r.on(t)
		// Python dispatches enable_* to the disable handlers: here enable enables.
		r.ok(gateway.Command{Name: gateway.CmdDisableDigitalReporting, Pin: new(2)})
		b.SetDigitalInput(2, 0)
		r.noReports("pin 2 with reporting disabled")
		r.expect(gateway.Command{Name: gateway.CmdEnableDigitalReporting, Pin: new(2)}, digital(2, 0))
		b.SetDigitalInput(2, 1)
		r.expectReports("pin 2 with reporting enabled", digital(2, 1))

		r.ok(gateway.Command{Name: gateway.CmdDisableAnalogReporting, Pin: new(0)})
		b.SetAnalogInput(0, 100)
		r.noReports("A0 with reporting disabled")
		r.expect(gateway.Command{Name: gateway.CmdEnableAnalogReporting, Pin: new(0)}, analog(0, 100))
		b.SetAnalogInput(0, 200)
		r.expectReports("A0 with reporting enabled", analog(0, 200))
	})
	t.Run("i2c", func(t *testing.T) {
		r := r.on(t)
		r.ok(gateway.Command{Name: gateway.CmdSetModeI2C}, gateway.Command{Name: gateway.CmdI2CWrite, Addr: sim.DefaultMemoryAddr, Register: new(0x10), Data: []byte{1, 2, 250}})
		if !b.I2CEnabled() {
			t.Fatal("i2c not enabled")
		}
		r.expect(gateway.Command{Name: gateway.CmdI2CRead, Addr: sim.DefaultMemoryAddr, Register: new(0x10), NumberOfBytes: 4},
			gateway.I2CData{Value: []int{1, 2, 250, 0x13}, Addr: new(sim.DefaultMemoryAddr), Register: new(0x10)})
		// Without a register: the first byte written sets the register pointer.
		r.ok(gateway.Command{Name: gateway.CmdI2CWrite, Addr: sim.DefaultMemoryAddr, Data: []byte{0x20, 7}})
		r.expect(gateway.Command{Name: gateway.CmdI2CRead, Addr: sim.DefaultMemoryAddr, Register: new(0x20), NumberOfBytes: 2},
			gateway.I2CData{Value: []int{7, 0x21}, Addr: new(sim.DefaultMemoryAddr), Register: new(0x20)})
		r.expect(gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x51, Register: new(0), NumberOfBytes: 1},
			failed(gateway.CodeBoard, gateway.CmdI2CRead, "", nil))
	})
	t.Run("sonar", func(t *testing.T) {
		r := r.on(t)
		b.SetSonarDistance(7, 12)
		r.expect(gateway.Command{Name: gateway.CmdSetModeSonar, Pin: new(7), EchoPin: 6}, gateway.SonarData{Value: 12, TriggerPin: new(7)})
		b.SetSonarDistance(7, 42.5)
		r.expectReports("sonar 42.5 cm", gateway.SonarData{Value: 42.5, TriggerPin: new(7)})
	})
	t.Run("stepper", func(t *testing.T) {
		r := r.on(t)
		r.ok(gateway.Command{Name: gateway.CmdSetModeStepper, Pins: []int{10, 11, 12, 14}, StepsPerRevolution: 512},
			gateway.Command{Name: gateway.CmdStepperWrite, MotorSpeed: 20, NumberOfSteps: 100},
			gateway.Command{Name: gateway.CmdStepperWrite, MotorSpeed: 30, NumberOfSteps: -150})
		s := b.Stepper()
		if !s.Configured || !slices.Equal(s.Pins, []int{10, 11, 12, 14}) || s.StepsPerRevolution != 512 || s.Speed != 30 || s.Position != -50 {
			t.Fatalf("stepper %+v", s)
		}
	})

	for _, name := range gateway.Commands() {
		if !r.sent[name] {
			t.Errorf("command %s not exercised", name)
		}
	}
}

func TestTags(t *testing.T) {
	r, b := simRig(t)
	cmd := gateway.CmdDigitalWrite

	// The blinker pattern: the pin comes once, with the mode; then the tag alone.
	r.ok(map[string]any{"command": "set_mode_digital_output", "pin": 13, "tag": "blinker"},
		map[string]any{"command": "digital_write", "tag": "blinker", "value": 1})
	if b.Digital(13).Value != 1 {
		t.Fatal("digital_write by tag did not reach pin 13")
	}
	if got := r.gw.Tags(); got["blinker"] != 13 {
		t.Fatalf("tags %v", got)
	}

	// A tag nobody bound.
	r.expect(gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "nope", Value: 1}, failed(gateway.CodeUnknownTag, cmd, "nope", nil))

	// A contradicting pin is refused; pin 12 is left alone.
	r.ok(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(12)})
	r.expect(gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(12), Tag: "blinker", Value: 1}, failed(gateway.CodeTagConflict, cmd, "blinker", new(12)))
	if b.Digital(12).Value != 0 {
		t.Fatal("conflicting command reached pin 12")
	}
	// The same pin again is fine.
	r.ok(gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(13), Tag: "blinker", Value: 0})

	// set_mode_* rebinds.
	r.ok(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(12), Tag: "blinker"}, gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "blinker", Value: 1})
	if b.Digital(12).Value != 1 || b.Digital(13).Value != 0 {
		t.Fatalf("after rebinding: pin 12 %+v, pin 13 %+v", b.Digital(12), b.Digital(13))
	}

	// Any first command with a tag and a pin binds (as in Python).
	r.ok(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(4)}, gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(4), Tag: "relay", Value: 1},
		gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "relay", Value: 0})
	if s := b.Digital(4); s.Value != 0 {
		t.Fatalf("pin 4 %+v", s)
	}

	// A failed command binds nothing.
	r.expect(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(99), Tag: "bad"}, failed(gateway.CodeBoard, gateway.CmdSetModeDigitalOutput, "bad", new(99)))
	r.expect(gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "bad", Value: 1}, failed(gateway.CodeUnknownTag, cmd, "bad", nil))

	// Inputs by tag, including reporting commands.
	r.expect(gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(2), Tag: "button"}, digital(2, 0))
	r.ok(gateway.Command{Name: gateway.CmdDisableDigitalReporting, Tag: "button"})
	b.SetDigitalInput(2, 1)
	r.noReports("button disabled by tag")
	r.expect(gateway.Command{Name: gateway.CmdEnableDigitalReporting, Tag: "button"}, digital(2, 1))

	// Errors name the resolved pin.
	r.expect(gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(6), Tag: "in6"}, digital(6, 0))
	r.expect(gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "in6", Value: 1}, failed(gateway.CodeBoard, cmd, "in6", new(6)))

	// The sonar's tag binds its trigger pin (Python raises KeyError: no "pin").
	r.ok(gateway.Command{Name: gateway.CmdSetModeSonar, Pin: new(7), EchoPin: 8, Tag: "distance"})
	if got := r.gw.Tags()["distance"]; got != 7 {
		t.Fatalf("sonar tag bound to %d, want 7", got)
	}
	// Commands without pins ignore tags.
	r.ok(map[string]any{"command": "set_mode_i2c", "tag": "anything"})
}

func TestMalformedCommands(t *testing.T) {
	r, b := simRig(t)
	for _, c := range []struct {
		payload any
		code    string
		command string
		tag     string
		pin     *int
		text    string // in the error message
	}{
		{5, gateway.CodeBadPayload, "", "", nil, "not a msgpack map"},
		{[]any{"digital_write", 13, 1}, gateway.CodeBadPayload, "", "", nil, "not a msgpack map"},
		{map[string]any{"pin": 13, "value": 1}, gateway.CodeMissingCommand, "", "", new(13), `"command"`},
		{map[string]any{"command": 7}, gateway.CodeBadCommand, "", "", nil, "want a str"},
		{map[string]any{"command": "blink", "pin": 13}, gateway.CodeUnknownCommand, "blink", "", new(13), `"blink"`},
		{map[string]any{"command": "endable_analog_reporting", "pin": 0}, gateway.CodeUnknownCommand, "endable_analog_reporting", "", new(0), "endable"},
		{map[string]any{"command": "digital_write", "pin": "13", "value": 1}, gateway.CodeBadCommand, "digital_write", "", nil, `"pin" is a str`},
		{map[string]any{"command": "digital_write", "pin": 13.5, "value": 1}, gateway.CodeBadCommand, "digital_write", "", nil, `"pin" is 13.5`},
		{map[string]any{"command": "digital_write", "pin": -1, "value": 1}, gateway.CodeBadCommand, "digital_write", "", new(-1), "at least 0"},
		{map[string]any{"command": "digital_write", "pin": 13}, gateway.CodeBadCommand, "digital_write", "", new(13), `"value" is missing`},
		{map[string]any{"command": "digital_write", "value": 1}, gateway.CodeBadCommand, "digital_write", "", nil, `"pin" is missing`},
		{map[string]any{"command": "digital_write", "pin": 13, "tag": 5, "value": 1}, gateway.CodeBadCommand, "digital_write", "", new(13), `"tag" is an int`},
		{map[string]any{"command": "pwm_write", "pin": 5, "value": []any{1}}, gateway.CodeBadCommand, "pwm_write", "", new(5), `"value" is an array`},
		{map[string]any{"command": "i2c_write", "addr": 80, "data": []any{1, 300}}, gateway.CodeBadCommand, "i2c_write", "", nil, "element 1 is 300"},
		{map[string]any{"command": "i2c_write", "addr": 80, "data": "abc"}, gateway.CodeBadCommand, "i2c_write", "", nil, `"data" is a str`},
		{map[string]any{"command": "i2c_read", "addr": 80, "register": 0}, gateway.CodeBadCommand, "i2c_read", "", nil, `"number_of_bytes" is missing`},
		{map[string]any{"command": "set_mode_stepper", "pins": "abc", "steps_per_revolution": 100}, gateway.CodeBadCommand, "set_mode_stepper", "", nil, `"pins" is a str`},
		{map[string]any{"command": "set_mode_stepper", "pins": []any{}, "steps_per_revolution": 100}, gateway.CodeBadCommand, "set_mode_stepper", "", nil, "at least 1"},
		{map[string]any{"command": "set_mode_sonar", "trigger_pin": 7}, gateway.CodeBadCommand, "set_mode_sonar", "", nil, `"echo_pin" is missing`},
		{map[string]any{"command": "play_tone", "pin": 8, "freq": 440}, gateway.CodeBadCommand, "play_tone", "", new(8), `"duration" is missing`},
		// Well-formed, but the board refuses.
		{map[string]any{"command": "digital_write", "pin": 11, "value": 1}, gateway.CodeBoard, "digital_write", "", new(11), "needs digital_output"},
		{map[string]any{"command": "stepper_write", "motor_speed": 1, "number_of_steps": 1}, gateway.CodeBoard, "stepper_write", "", nil, "set_mode_stepper"},
	} {
		r.send(c.payload)
		got := r.sync()
		if len(got) != 1 {
			t.Errorf("%v: got %v, want one error report", c.payload, got)
			continue
		}
		e, ok := got[0].(gateway.ErrorReport)
		if !ok || e.Code != c.code || e.Command != c.command || e.Tag != c.tag || !eqPtr(e.Pin, c.pin) ||
			!strings.Contains(e.Error, c.text) || e.Timestamp == 0 {
			t.Errorf("%v: got %#v, want code %s command %q tag %q pin %v and an error containing %q", c.payload, got[0], c.code, c.command, c.tag, c.pin, c.text)
		}
	}
	// The gateway goes on serving.
	r.ok(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(11)}, gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(11), Value: 1})
	if b.Digital(11).Value != 1 {
		t.Fatal("gateway stopped serving after bad commands")
	}
	// Bools and whole floats are integers, as for a Python gateway.
	r.ok(map[string]any{"command": "digital_write", "pin": 11.0, "value": false})
	if b.Digital(11).Value != 0 {
		t.Fatal("digital_write with pin 11.0 and value False was not applied")
	}
}

// bareBoard supports only digital inputs, and reports through a function,
// without ReportingControl.
type bareBoard struct {
	mu     sync.Mutex
	report func(gateway.Report)
}

func (b *bareBoard) SetMode(pin int, mode gateway.PinMode) error {
	if mode != gateway.ModeDigitalInput {
		return fmt.Errorf("%w: mode %v", gateway.ErrUnsupported, mode)
	}
	return nil
}

func (b *bareBoard) SetReportFunc(f func(gateway.Report)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.report = f
}

func (b *bareBoard) emit(r gateway.Report) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.report != nil {
		b.report(r)
	}
}

func TestUnsupported(t *testing.T) {
	b := &bareBoard{}
	r := newRig(t, b, gateway.Options{})
	for _, c := range []gateway.Command{
		gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(13)},
		gateway.Command{Name: gateway.CmdSetModePWM, Pin: new(5)},
		gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(13), Value: 1},
		gateway.Command{Name: gateway.CmdAnalogWrite, Pin: new(1), Value: 1},
		gateway.Command{Name: gateway.CmdPWMWrite, Pin: new(5), Value: 1},
		gateway.Command{Name: gateway.CmdServoPosition, Pin: new(9), Position: 1},
		gateway.Command{Name: gateway.CmdPlayTone, Pin: new(8), Freq: 1, Duration: 1},
		gateway.Command{Name: gateway.CmdSetModeSonar, Pin: new(7), EchoPin: 6},
		gateway.Command{Name: gateway.CmdSetModeI2C},
		gateway.Command{Name: gateway.CmdI2CRead, Addr: 80, NumberOfBytes: 1},
		gateway.Command{Name: gateway.CmdI2CWrite, Addr: 80, Data: []byte{1}},
		gateway.Command{Name: gateway.CmdSetModeStepper, Pins: []int{1, 2}, StepsPerRevolution: 1},
		gateway.Command{Name: gateway.CmdStepperWrite, MotorSpeed: 1, NumberOfSteps: 1},
	} {
		r.send(c)
		got := r.sync()
		if len(got) != 1 {
			t.Fatalf("%s: got %v, want one error report", c.Name, got)
		}
		if e, ok := got[0].(gateway.ErrorReport); !ok || e.Code != gateway.CodeUnsupported || e.Command != c.Name {
			t.Errorf("%s: got %#v, want an unsupported error report", c.Name, got[0])
		}
	}

	// The gateway filters reports itself when the board cannot stop them.
	r.ok(gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(2)})
	b.emit(gateway.DigitalInput{Pin: 2, Value: 1, Timestamp: 1234.5})
	if got := r.sync(); len(got) != 1 || got[0] != (gateway.DigitalInput{Pin: 2, Value: 1, Timestamp: 1234.5}) {
		t.Fatalf("got %v, want the board's report with its own timestamp", got)
	}
	r.ok(gateway.Command{Name: gateway.CmdDisableDigitalReporting, Pin: new(2)})
	b.emit(gateway.DigitalInput{Pin: 2, Value: 0})
	b.emit(gateway.AnalogInput{Pin: 2, Value: 5}) // analog pin 2 is another pin
	r.expectReports("digital pin 2 disabled", analog(2, 5))
	if st := r.gw.Stats(); st.Muted != 1 {
		t.Errorf("Stats().Muted = %d, want 1", st.Muted)
	}
	r.ok(gateway.Command{Name: gateway.CmdEnableDigitalReporting, Pin: new(2)})
	b.emit(gateway.DigitalInput{Pin: 2, Value: 1})
	r.expectReports("digital pin 2 enabled", digital(2, 1))
}

func TestOtherCommandsAndTopics(t *testing.T) {
	var mu sync.Mutex // got is written on the gateway's goroutine
	var got []string
	b := sim.New(sim.Options{Logger: quiet})
	r := newRig(t, b, gateway.Options{
		Now: func() time.Time { return time.Unix(1700000000, 500000000) },
		Other: func(topic string, payload map[string]any) error {
			name := payload["command"].(string)
			if name == "refuse" {
				return errors.New("refused")
			}
			if name != "__sync" {
				mu.Lock()
				got = append(got, topic+" "+name)
				mu.Unlock()
				return nil
			}
			return gateway.ErrUnknownCommand
		},
	})
	r.ok(map[string]any{"command": "blink", "rate": 2})
	r.expect(map[string]any{"command": "refuse"}, failed(gateway.CodeBoard, "refuse", "", nil))
	mu.Lock()
	seen := slices.Clone(got)
	mu.Unlock()
	if want := []string{gateway.CommandTopic(device) + " blink"}; !slices.Equal(seen, want) {
		t.Fatalf("Other got %v, want %v", seen, want)
	}

	// Timestamps come from Options.Now.
	r.send(gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(2)})
	if rep := r.sync(); len(rep) != 1 || rep[0] != (gateway.DigitalInput{Pin: 2, Value: 0, Timestamp: 1700000000.5}) {
		t.Fatalf("got %v", rep)
	}

	// A topic that only shares the command topic's prefix is ignored.
	if err := r.client.Publish(gateway.CommandTopic(device)+"2", gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(13)}); err != nil {
		t.Fatal(err)
	}
	r.noReports("other topic")
	if b.Digital(13).Configured {
		t.Fatal("a command on to_test_gateway2 reached the board")
	}
	if st := r.gw.Stats(); st.Ignored != 1 {
		t.Fatalf("Stats %+v, want Ignored 1", st)
	}
}

func TestNewAndRun(t *testing.T) {
	b := sim.New(sim.Options{Logger: quiet})
	bp := testbp.Start(t, backplane.Options{})
	ctx := context.Background()
	if _, err := gateway.New(ctx, nil, gateway.Options{Device: "x", Backplane: bp.Options()}); err == nil {
		t.Error("New without a board succeeded")
	}
	if _, err := gateway.New(ctx, b, gateway.Options{Backplane: bp.Options()}); err == nil {
		t.Error("New without device or topics succeeded")
	}
	if _, err := gateway.New(ctx, b, gateway.Options{CommandTopics: []string{"cmds"}, Backplane: bp.Options()}); err == nil {
		t.Error("New without a report topic succeeded")
	}
	g, err := gateway.New(ctx, b, gateway.Options{CommandTopics: []string{"a", "b"}, ReportTopic: "r", Backplane: bp.Options(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.CommandTopics(), []string{"a", "b"}) || g.ReportTopic() != "r" {
		t.Fatalf("topics %v %q", g.CommandTopics(), g.ReportTopic())
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- g.Run(runCtx) }()
	client := bp.Connect(t, banyan.WithSubscriptions("r"))
	// Either command topic works: New returned subscribed, so nothing is
	// lost, though Run may not have started yet.
	client.Publish("a", gateway.Command{Name: gateway.CmdSetModeI2C})
	testbp.WaitFor(t, "i2c enabled through topic a", b.I2CEnabled)
	client.Publish("b", map[string]any{"nothing": 1})
	select {
	case m := <-client.Messages():
		if rep, err := gateway.DecodeReport(m.Payload); err != nil || rep.(gateway.ErrorReport).Code != gateway.CodeMissingCommand {
			t.Fatalf("got %v %v", rep, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no answer on topic b")
	}
	if err := g.Run(runCtx); !errors.Is(err, gateway.ErrRunning) {
		t.Errorf("second Run returned %v, want ErrRunning", err)
	}
	st := g.Stats()
	if st.Commands != 2 || st.Errors != 1 || st.Backplane.Received < 2 || st.Backplane.Published < 1 || !st.Backplane.Connected {
		t.Errorf("Stats %+v", st)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v after cancel, want nil", err)
	}
	if err := g.Close(); err != nil {
		t.Errorf("Close after Run: %v", err)
	}
}

func TestCloseEndsRun(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	g, err := gateway.New(context.Background(), sim.New(sim.Options{Logger: quiet}), gateway.Options{Device: "x", Backplane: bp.Options(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- g.Run(context.Background()) }()
	time.Sleep(20 * time.Millisecond) // Close may come before or after Run starts
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if err := g.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, banyan.ErrClosed) {
			t.Fatalf("Run returned %v after Close, want banyan.ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end Run")
	}
}

func TestRunAfterClose(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	g, err := gateway.New(context.Background(), sim.New(sim.Options{Logger: quiet}), gateway.Options{Device: "x", Backplane: bp.Options(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	g.Close()
	if err := g.Run(context.Background()); !errors.Is(err, banyan.ErrClosed) {
		t.Fatalf("Run after Close returned %v, want banyan.ErrClosed", err)
	}
}

func TestNewFailsWithoutBackplane(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	port := testbp.FreePort(t)
	_, err := gateway.New(ctx, sim.New(sim.Options{Logger: quiet}), gateway.Options{Device: "x", Logger: quiet,
		Backplane: []banyan.Option{banyan.WithBackplane("127.0.0.1"), banyan.WithPorts(port, port), banyan.WithLogger(quiet)}})
	if err == nil {
		t.Fatal("New without a backplane succeeded")
	}
}

// espBoard takes digital_write and set_mode_digital_input whole, to see
// the ESP8266's options; everything else it leaves to the gateway.
type espBoard struct {
	bareBoard
	mu   sync.Mutex
	seen []gateway.Command
}

func (b *espBoard) HandleCommand(c gateway.Command) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seen = append(b.seen, c)
	return c.Name == gateway.CmdDigitalWrite, nil
}

func (b *espBoard) commands() []gateway.Command {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.seen)
}

func TestCommandHandlerSeesExtraFields(t *testing.T) {
	b := &espBoard{}
	r := newRig(t, b, gateway.Options{})
	r.ok(map[string]any{"command": "set_mode_digital_input", "pin": 4, "tag": "button", "pull_up": false, "irq": "rising"},
		map[string]any{"command": "digital_write", "tag": "button", "value": 1, "drain": 0})
	var got []gateway.Command
	for _, c := range b.commands() {
		if !strings.HasPrefix(c.Name, "__") {
			got = append(got, c)
		}
	}
	want := []gateway.Command{
		{Name: gateway.CmdSetModeDigitalInput, Pin: new(4), Tag: "button", Extra: map[string]any{"pull_up": false, "irq": "rising"}},
		{Name: gateway.CmdDigitalWrite, Pin: new(4), Tag: "button", Value: 1, Extra: map[string]any{"drain": int64(0)}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("board got %#v\nwant %#v", got, want)
	}
}

// A board's SystemMessage goes to sys_msg, with the gateway's report topic
// and a timestamp; a RawReport goes to the report topic unchanged.
func TestSystemMessageAndRawReport(t *testing.T) {
	b := &bareBoard{}
	r := newRig(t, b, gateway.Options{})
	watch := r.bp.Connect(t, banyan.WithSubscriptions(gateway.SysMsgTopic, gateway.ReportTopic(device)))
	b.emit(gateway.SystemMessage{Text: "board lost"})
	b.emit(gateway.RawReport{"report": "connected", "info": "esp"})
	want := []struct {
		topic string
		check func(map[string]any) bool
	}{
		{gateway.SysMsgTopic, func(m map[string]any) bool {
			ts, _ := m["timestamp"].(float64)
			return m["sys_msg"] == "board lost" && m["gateway"] == gateway.ReportTopic(device) && ts > 0 && len(m) == 3
		}},
		{gateway.ReportTopic(device), func(m map[string]any) bool {
			return m["report"] == "connected" && m["info"] == "esp" && len(m) == 2
		}},
	}
	for _, w := range want {
		select {
		case m := <-watch.Messages():
			p, err := m.Map()
			if err != nil || m.Topic != w.topic || !w.check(p) {
				t.Errorf("got %s %v (%v), want a message on %s", m.Topic, p, err, w.topic)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("nothing on %s within 10 s", w.topic)
		}
	}
}
