package firmata_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/firmata"
	"github.com/gobanyan/banyan/gateway/firmata/firmatasim"
	"github.com/gobanyan/banyan/internal/testbp"
)

// Python's blinker.py: the tag is bound by set_mode_digital_output, then
// digital_write carries only the tag.
func TestBlinker(t *testing.T) {
	for _, tcp := range []bool{false, true} {
		t.Run(map[bool]string{false: "pty", true: "tcp"}[tcp], func(t *testing.T) {
			r := newRig(t, rigOptions{tcp: tcp})
			r.send(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(13), Tag: "blinker"})
			for _, v := range []int{1, 0, 1} {
				r.send(gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "blinker", Value: v})
				r.wait(fmt.Sprintf("pin 13 at %d", v), func() bool { return r.dev.Mode(13) == 1 && r.dev.Digital(13) == v })
			}
		})
	}
}

func TestInputReports(t *testing.T) {
	for _, tcp := range []bool{false, true} {
		t.Run(map[bool]string{false: "pty", true: "tcp"}[tcp], func(t *testing.T) {
			r := newRig(t, rigOptions{tcp: tcp})
			r.dev.SetDigitalInput(2, 1)
			r.send(gateway.Command{Name: gateway.CmdSetModeDigitalInputPullup, Pin: new(2), Tag: "button"})
			in := r.digital(2, 1) // the initial value
			if in.Timestamp < float64(time.Now().Add(-time.Hour).Unix()) {
				t.Errorf("timestamp %v", in.Timestamp)
			}
			if r.dev.Mode(2) != 11 {
				t.Errorf("pin 2 mode %d, want PULLUP (11)", r.dev.Mode(2))
			}
			r.dev.SetDigitalInput(2, 0)
			r.digital(2, 0)

			r.dev.SetAnalogInput(1, 512)
			r.send(gateway.Command{Name: gateway.CmdSetModeAnalogInput, Pin: new(1)})
			a := r.next("analog_input 512", func(topic string, rep gateway.Report) bool {
				a, ok := rep.(gateway.AnalogInput)
				return topic == "from_arduino_gateway" && ok && a.Pin == 1 && a.Value == 512
			}).(gateway.AnalogInput)
			if a.Timestamp == 0 {
				t.Error("analog report without timestamp")
			}
			if r.dev.Mode(15) != 2 {
				t.Errorf("pin 15 (A1) mode %d, want ANALOG (2)", r.dev.Mode(15))
			}
			r.dev.SetAnalogInput(1, 700)
			r.next("analog_input 700", func(_ string, rep gateway.Report) bool {
				a, ok := rep.(gateway.AnalogInput)
				return ok && a.Pin == 1 && a.Value == 700
			})
			// Disabled, the board stops reporting; enabled, it starts again.
			r.send(gateway.Command{Name: gateway.CmdDisableAnalogReporting, Pin: new(1)})
			r.wait("analog reporting off", func() bool { return !r.dev.AnalogReporting(1) })
			r.send(gateway.Command{Name: gateway.CmdEnableAnalogReporting, Pin: new(1)})
			r.wait("analog reporting on", func() bool { return r.dev.AnalogReporting(1) })
		})
	}
}

func TestI2C(t *testing.T) {
	r := newRig(t, rigOptions{board: firmata.Options{I2CTimeout: 300 * time.Millisecond}})
	r.send(gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x50, Register: new(1), NumberOfBytes: 1})
	if e := r.errorReport(); e.Code != gateway.CodeBoard || !strings.Contains(e.Error, "set_mode_i2c") {
		t.Errorf("read before set_mode_i2c: %+v", e)
	}
	r.send(gateway.Command{Name: gateway.CmdSetModeI2C})
	r.send(gateway.Command{Name: gateway.CmdI2CWrite, Addr: 0x50, Register: new(3), Data: []byte{200, 201}})
	r.wait("register 3 written", func() bool { v, _ := r.dev.I2CRegister(0x50, 3); return v == 200 })
	if v, _ := r.dev.I2CRegister(0x50, 4); v != 201 {
		t.Errorf("register 4 = %d, want 201", v)
	}
	r.send(gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x50, Register: new(2), NumberOfBytes: 3})
	d := r.next("i2c_data", func(_ string, rep gateway.Report) bool { _, ok := rep.(gateway.I2CData); return ok }).(gateway.I2CData)
	if fmt.Sprint(d.Value) != "[2 200 201]" || d.Addr == nil || *d.Addr != 0x50 {
		t.Errorf("i2c_data %v addr %v, want [2 200 201] from 0x50", d.Value, d.Addr)
	}
	// Nobody at 0x51: the read times out with a message naming it.
	r.send(gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x51, Register: new(0), NumberOfBytes: 1})
	if e := r.errorReport(); e.Code != gateway.CodeBoard || !contains(e.Error, "0x51", "no I2C_REPLY") {
		t.Errorf("read at 0x51: %+v", e)
	}
	// A continuous read reports every sampling interval until stopped.
	r.sendMap(map[string]any{"command": "i2c_read", "addr": 0x50, "register": 5, "number_of_bytes": 2, "continuous": true})
	for range 3 {
		d := r.next("continuous i2c_data", func(_ string, rep gateway.Report) bool { _, ok := rep.(gateway.I2CData); return ok }).(gateway.I2CData)
		if fmt.Sprint(d.Value) != "[5 6]" {
			t.Fatalf("continuous i2c_data %v, want [5 6]", d.Value)
		}
	}
	r.sendMap(map[string]any{"command": "i2c_read", "addr": 0x50, "number_of_bytes": 1, "stop": true})
	// After the stop, a once read still gets its own answer.
	r.send(gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x50, Register: new(9), NumberOfBytes: 1})
	r.next("i2c_data [9]", func(_ string, rep gateway.Report) bool {
		d, ok := rep.(gateway.I2CData)
		return ok && fmt.Sprint(d.Value) == "[9]"
	})
}

func TestPWMAndServo(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.send(gateway.Command{Name: gateway.CmdSetModePWM, Pin: new(3)})
	r.send(gateway.Command{Name: gateway.CmdPWMWrite, Pin: new(3), Value: 128})
	r.wait("pwm 128 on pin 3", func() bool { return r.dev.Mode(3) == 3 && r.dev.Analog(3) == 128 })
	r.send(gateway.Command{Name: gateway.CmdPWMWrite, Pin: new(3), Value: 256})
	if e := r.errorReport(); e.Code != gateway.CodeBoard || !contains(e.Error, "256", "0-255") {
		t.Errorf("pwm 256: %+v", e)
	}
	r.send(gateway.Command{Name: gateway.CmdSetModeServo, Pin: new(9), Tag: "arm"})
	r.send(gateway.Command{Name: gateway.CmdServoPosition, Tag: "arm", Position: 90})
	r.wait("servo at 90 on pin 9", func() bool { return r.dev.Mode(9) == 4 && r.dev.Analog(9) == 90 })
	if rg, ok := r.dev.Servo(9); !ok || rg.Min != 544 || rg.Max != 2400 {
		t.Errorf("servo config %+v %v", rg, ok)
	}
	r.send(gateway.Command{Name: gateway.CmdServoPosition, Pin: new(3), Position: 10})
	if e := r.errorReport(); e.Code != gateway.CodeBoard || !strings.Contains(e.Error, "set_mode_servo") {
		t.Errorf("servo on a PWM pin: %+v", e)
	}
}

func TestUnsupported(t *testing.T) {
	r := newRig(t, rigOptions{})
	for _, c := range []struct {
		cmd  gateway.Command
		want []string
	}{
		{gateway.Command{Name: gateway.CmdSetModePWM, Pin: new(2)}, []string{"pin 2", "PWM", "3, 5-6, 9-11"}},
		{gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(40)}, []string{"pin 40", "0-19"}},
		{gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(0)}, []string{"pin 0", "INPUT"}},
		{gateway.Command{Name: gateway.CmdSetModeAnalogInput, Pin: new(7)}, []string{"analog pin 7", "0-5"}},
		{gateway.Command{Name: gateway.CmdSetModeTone, Pin: new(8)}, []string{"FirmataExpress", "StandardFirmata"}},
		{gateway.Command{Name: gateway.CmdSetModeSonar, Pin: new(7), EchoPin: 8}, []string{"FirmataExpress"}},
		{gateway.Command{Name: gateway.CmdAnalogWrite, Pin: new(3), Value: 1}, []string{"analog_write"}},
	} {
		r.send(c.cmd)
		e := r.errorReport()
		if e.Code != gateway.CodeUnsupported || !contains(e.Error, c.want...) || e.Command != c.cmd.Name {
			t.Errorf("%s: %+v, want unsupported naming %q", c.cmd.Name, e, c.want)
		}
	}
}

func TestFirmataExpress(t *testing.T) {
	r := newRig(t, rigOptions{dev: firmatasim.Options{Firmware: "FirmataExpress.ino", InstanceID: 4}, board: firmata.Options{KeepAlive: time.Second}})
	if info := r.board.Info(); info.InstanceID != 4 || info.Firmware != "FirmataExpress.ino" {
		t.Errorf("info %+v", info)
	}
	r.send(gateway.Command{Name: gateway.CmdSetModeTone, Pin: new(8)})
	r.send(gateway.Command{Name: gateway.CmdPlayTone, Pin: new(8), Freq: 440, Duration: 250})
	r.wait("a tone", func() bool { return len(r.dev.Tones()) == 1 })
	if tn := r.dev.Tones()[0]; tn.Pin != 8 || tn.Freq != 440 || tn.Duration != 250*time.Millisecond {
		t.Errorf("tone %+v", tn)
	}
	r.send(gateway.Command{Name: gateway.CmdSetModeSonar, Pin: new(7), EchoPin: 6, Tag: "sonar"})
	r.wait("sonar configured", func() bool { return r.dev.Mode(7) == 12 })
	r.dev.SetSonarDistance(7, 42)
	s := r.next("sonar_data", func(_ string, rep gateway.Report) bool { _, ok := rep.(gateway.SonarData); return ok }).(gateway.SonarData)
	if s.Value != 42 || s.TriggerPin == nil || *s.TriggerPin != 7 {
		t.Errorf("sonar_data %+v", s)
	}
	r.send(gateway.Command{Name: gateway.CmdSetModeStepper, Pins: []int{8, 9, 10, 11}, StepsPerRevolution: 512})
	r.send(gateway.Command{Name: gateway.CmdStepperWrite, MotorSpeed: 20, NumberOfSteps: -100})
	r.wait("stepper moved", func() bool { return r.dev.Stepper().Position == -100 })
	if st := r.dev.Stepper(); st.StepsPerRevolution != 512 || st.Speed != 20 || len(st.Pins) != 4 {
		t.Errorf("stepper %+v", st)
	}
	r.wait("keep-alives", func() bool { return r.dev.KeepAlives() >= 2 })
}

func TestUnplugReplug(t *testing.T) {
	// The simulator's PTY: Unplug closes the master (the host's port
	// hangs up, as when the USB cable is pulled); Replug puts a new pty
	// behind the same link, and the board resets when the host opens it.
	dev := firmatasim.New(firmatasim.Options{Logger: testbp.Quiet()})
	link, hp := serve(t, dev, false)
	r := newRig(t, rigOptions{board: firmata.Options{Port: link, SamplingInterval: 50 * time.Millisecond}, device: dev})
	r.send(gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(2)})
	r.digital(2, 0)
	r.send(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(13), Tag: "led"})
	r.send(gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "led", Value: 1})
	r.wait("led on", func() bool { return r.dev.Digital(13) == 1 })
	resets := r.dev.Resets()

	if err := hp.Unplug(); err != nil {
		t.Fatal(err)
	}
	lost := r.next("link lost", func(topic string, rep gateway.Report) bool {
		s, ok := rep.(gateway.SystemMessage)
		return topic == gateway.SysMsgTopic && ok && strings.Contains(s.Text, "lost")
	}).(gateway.SystemMessage)
	if !strings.Contains(lost.Text, link) {
		t.Errorf("sys_msg %q does not name the port", lost.Text)
	}
	r.send(gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "led", Value: 0})
	if e := r.errorReport(); e.Code != gateway.CodeBoard || !contains(e.Error, "not connected", "lost") {
		t.Errorf("command while unplugged: %+v", e)
	}

	if err := hp.Replug(); err != nil {
		t.Fatal(err)
	}
	r.next("reconnected", func(topic string, rep gateway.Report) bool {
		s, ok := rep.(gateway.SystemMessage)
		return ok && strings.Contains(s.Text, "reconnected")
	})
	// The board restarted; modes, outputs, reporting and the sampling
	// interval are back.
	r.wait("state restored", func() bool {
		return r.dev.Resets() > resets && r.dev.Mode(2) == 0 && r.dev.Mode(13) == 1 && r.dev.Digital(13) == 1 &&
			r.dev.DigitalReporting(0) && r.dev.SamplingInterval() == 50*time.Millisecond
	})
	r.digital(2, 0) // reported afresh
	r.dev.SetDigitalInput(2, 1)
	r.digital(2, 1)
	if s := r.board.Stats(); s.LinkLosses != 1 || s.Reconnects != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestGarbageIsSkipped(t *testing.T) {
	r := newRig(t, rigOptions{board: firmata.Options{MaxSysex: 512}})
	r.send(gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(4)})
	r.digital(4, 0)
	before := r.board.Stats()
	r.dev.Inject([]byte{0x01, 0x02, 0x03})                                       // 3 garbage bytes
	r.dev.Inject([]byte{0xF0, 0x77, 0x50, 0x00})                                 // a sysex cut short...
	r.dev.Inject([]byte{0x90, 0x10})                                             // ...by a digital message cut short...
	r.dev.Inject(append(append([]byte{0xF0, 0x71}, make([]byte, 600)...), 0xF7)) // ...by an oversized sysex
	r.dev.Inject([]byte{0x90, 0x10, 0x00})                                       // pin 4 high, well formed
	r.digital(4, 1)
	s := r.board.Stats()
	if s.Garbage-before.Garbage != 3 || s.Truncated-before.Truncated != 2 || s.Oversized-before.Oversized != 1 {
		t.Errorf("stats before %+v after %+v: want 3 garbage, 2 truncated, 1 oversized", before, s)
	}
}

func TestSilentBoardTimesOut(t *testing.T) {
	dev := firmatasim.New(firmatasim.Options{Silent: true, Logger: testbp.Quiet()})
	port, _ := serve(t, dev, false)
	start := time.Now()
	_, err := firmata.New(context.Background(), firmata.Options{Port: port, StartTimeout: 600 * time.Millisecond, PollInterval: 100 * time.Millisecond, Logger: testbp.Quiet()})
	if !errors.Is(err, firmata.ErrNoBoard) || !contains(err.Error(), port, "no Firmata board answered within 600ms", "REPORT_VERSION") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestAutoDetectByInstance(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var links []string
	for id := 1; id <= 3; id++ {
		dev := firmatasim.New(firmatasim.Options{Firmware: "FirmataExpress", InstanceID: id, Logger: testbp.Quiet()})
		link := filepath.Join(dir, fmt.Sprintf("ttyACM%d", id))
		p, err := dev.ServePTY(ctx, link)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		links = append(links, link)
	}
	// A silent port and a StandardFirmata one are passed over too.
	silent := firmatasim.New(firmatasim.Options{Silent: true, Logger: testbp.Quiet()})
	if p, err := silent.ServePTY(ctx, filepath.Join(dir, "ttyUSB0")); err != nil {
		t.Fatal(err)
	} else {
		defer p.Close()
	}
	o := firmata.Options{Patterns: []string{filepath.Join(dir, "ttyACM*"), filepath.Join(dir, "ttyUSB*")}, InstanceID: 2,
		StartTimeout: 1500 * time.Millisecond, PollInterval: 50 * time.Millisecond, Logger: testbp.Quiet()}
	b, err := firmata.New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if info := b.Info(); info.Port != links[1] || info.InstanceID != 2 {
		t.Errorf("chose %+v, want %s", info, links[1])
	}
	b.Close()

	o.InstanceID = 9
	_, err = firmata.New(ctx, o)
	if !errors.Is(err, firmata.ErrNoBoard) || !contains(err.Error(), "arduino_instance_id 9", links[0], "is arduino_instance_id 1") {
		t.Errorf("instance 9: %v", err)
	}
	o.Patterns = []string{filepath.Join(dir, "nothing*")}
	if _, err := firmata.New(ctx, o); !errors.Is(err, firmata.ErrNoBoard) || !strings.Contains(err.Error(), "no serial port matches") {
		t.Errorf("no ports: %v", err)
	}
}
