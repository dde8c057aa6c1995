package gateway_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/gateway"
)

// allCommands has one value of each command type, with every field set.
func allCommands() []gateway.Command {
	return []gateway.Command{
		gateway.Command{Name: gateway.CmdAnalogWrite, Pin: new(1), Tag: "dac", Value: 512},
		gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(0), Value: 1},
		gateway.Command{Name: gateway.CmdDisableAnalogReporting, Pin: new(2)},
		gateway.Command{Name: gateway.CmdDisableDigitalReporting, Tag: "button"},
		gateway.Command{Name: gateway.CmdEnableAnalogReporting, Pin: new(3), Tag: "pot"},
		gateway.Command{Name: gateway.CmdEnableDigitalReporting, Pin: new(4)},
		gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x48, Register: new(0), NumberOfBytes: 2},
		gateway.Command{Name: gateway.CmdI2CWrite, Pin: new(200), Addr: 0x48, Data: []byte{0, 255}},
		gateway.Command{Name: gateway.CmdPlayTone, Pin: new(8), Freq: 1000, Duration: 0},
		gateway.Command{Name: gateway.CmdPWMWrite, Tag: "motor", Value: 255},
		gateway.Command{Name: gateway.CmdServoPosition, Pin: new(9), Position: 180},
		gateway.Command{Name: gateway.CmdSetModeAnalogInput, Pin: new(0)},
		gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(2), Tag: "button"},
		gateway.Command{Name: gateway.CmdSetModeDigitalInputPullup, Pin: new(3)},
		gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(13), Tag: "led"},
		gateway.Command{Name: gateway.CmdSetModeI2C},
		gateway.Command{Name: gateway.CmdSetModePWM, Pin: new(5)},
		gateway.Command{Name: gateway.CmdSetModeServo, Pin: new(9)},
		gateway.Command{Name: gateway.CmdSetModeSonar, Pin: new(7), Tag: "sonar", EchoPin: 6},
		gateway.Command{Name: gateway.CmdSetModeStepper, Pins: []int{8, 9, 10, 11}, StepsPerRevolution: 512},
		gateway.Command{Name: gateway.CmdSetModeTone, Pin: new(8)},
		gateway.Command{Name: gateway.CmdStepperWrite, MotorSpeed: 20, NumberOfSteps: -100},
	}
}

func TestCommandsRoundTrip(t *testing.T) {
	names := map[string]bool{}
	for _, c := range allCommands() {
		names[c.Name] = true
		data, err := banyan.Marshal(c)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		m, err := banyan.DecodeMap(data)
		if err != nil {
			t.Fatal(err)
		}
		if m["command"] != c.Name {
			t.Errorf("%s encodes command %v", c.Name, m["command"])
		}
		back, err := gateway.DecodeCommand(data)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if !reflect.DeepEqual(back, c) {
			t.Errorf("round trip %#v -> %#v", c, back)
		}
	}
	if len(names) != 22 || len(gateway.Commands()) != 22 {
		t.Fatalf("%d command types, %d names, want 22", len(names), len(gateway.Commands()))
	}
	for _, n := range gateway.Commands() {
		if !names[n] {
			t.Errorf("no command type for %s", n)
		}
	}
}

// The bytes on the wire are those of the equivalent Python dict.
func TestCommandWireForm(t *testing.T) {
	for _, c := range []struct {
		cmd  gateway.Command
		want map[string]any
	}{
		{gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "blinker", Value: 1}, map[string]any{"command": "digital_write", "tag": "blinker", "value": 1}},
		{gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(0), Value: 0}, map[string]any{"command": "digital_write", "pin": 0, "value": 0}},
		{gateway.Command{Name: gateway.CmdSetModeSonar, Pin: new(7), EchoPin: 6}, map[string]any{"command": "set_mode_sonar", "trigger_pin": 7, "echo_pin": 6}},
		{gateway.Command{Name: gateway.CmdI2CWrite, Addr: 72, Register: new(1), Data: []byte{3}}, map[string]any{"command": "i2c_write", "addr": 72, "register": 1, "data": []any{3}}},
		{gateway.Command{Name: gateway.CmdSetModeI2C}, map[string]any{"command": "set_mode_i2c"}},
	} {
		got, err := banyan.Marshal(c.cmd)
		if err != nil {
			t.Fatal(err)
		}
		want, err := banyan.Marshal(c.want)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%#v encodes as %x, want %x", c.cmd, got, want)
		}
	}
}

func TestParseCommandErrors(t *testing.T) {
	for _, c := range []struct {
		m    map[string]any
		want error
	}{
		{map[string]any{}, gateway.ErrMissingCommand},
		{map[string]any{"command": nil}, gateway.ErrBadCommand},
		{map[string]any{"command": "fly"}, gateway.ErrUnknownCommand},
		{map[string]any{"command": "set_mode_pwm"}, gateway.ErrBadCommand},
		{map[string]any{"command": "set_mode_pwm", "pin": uint64(1 << 63)}, gateway.ErrBadCommand},
		{map[string]any{"command": "i2c_read", "addr": 1, "number_of_bytes": 0}, gateway.ErrBadCommand},
		{map[string]any{"command": "stepper_write", "motor_speed": 1}, gateway.ErrBadCommand},
	} {
		if _, err := gateway.ParseCommand(c.m); !errors.Is(err, c.want) {
			t.Errorf("%v: error %v, want %v", c.m, err, c.want)
		}
	}
	// A nil field is absent, as Python's None; bin data is accepted.
	c, err := gateway.ParseCommand(map[string]any{"command": "i2c_write", "addr": int64(80), "register": nil, "data": []byte{1, 2}, "tag": nil})
	if err != nil {
		t.Fatal(err)
	}
	if want := (gateway.Command{Name: gateway.CmdI2CWrite, Addr: 80, Data: []byte{1, 2}}); !reflect.DeepEqual(c, want) {
		t.Fatalf("got %#v", c)
	}
	if _, err := gateway.DecodeCommand([]byte{0x05}); !errors.Is(err, banyan.ErrNotMap) {
		t.Fatalf("DecodeCommand(5): %v", err)
	}
}

func TestReports(t *testing.T) {
	for _, r := range []gateway.Report{
		gateway.DigitalInput{Pin: 2, Value: 1, Timestamp: 1700000000.25},
		gateway.AnalogInput{Pin: 0, Value: 1023, Timestamp: 1},
		gateway.I2CData{Value: []int{1, 2}, Addr: new(80), Register: new(0)},
		gateway.I2CData{Value: []int{}},
		gateway.SonarData{Value: 12.5, TriggerPin: new(7)},
		gateway.SonarData{Value: 3},
		gateway.ErrorReport{Code: gateway.CodeUnknownTag, Error: "x", Command: "digital_write", Tag: "t", Pin: new(-1), Timestamp: 2},
	} {
		data, err := banyan.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		back, err := gateway.DecodeReport(data)
		if err != nil {
			t.Fatalf("%#v: %v", r, err)
		}
		if !reflect.DeepEqual(back, r) {
			t.Errorf("round trip %#v -> %#v", r, back)
		}
	}
	// Python gateways' forms.
	for _, c := range []struct {
		m    map[string]any
		want gateway.Report
	}{
		{map[string]any{"report": "i2c_data", "value": "6, 80, 0, 1, 2"}, gateway.I2CData{Value: []int{6, 80, 0, 1, 2}}},
		{map[string]any{"report": "i2c_data", "value": []byte{9}}, gateway.I2CData{Value: []int{9}}},
		{map[string]any{"report": "sonar_data", "value": int64(31)}, gateway.SonarData{Value: 31}},
		{map[string]any{"report": "analog_input", "pin": int64(0), "value": int64(5)}, gateway.AnalogInput{Pin: 0, Value: 5}},
		{map[string]any{"error": "json value error - data: x length 3"}, gateway.ErrorReport{Error: "json value error - data: x length 3"}},
	} {
		got, err := gateway.ParseReport(c.m)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v: got %#v, %v; want %#v", c.m, got, err, c.want)
		}
	}
	for _, m := range []map[string]any{
		{}, {"report": 1}, {"report": "connected"}, {"report": "digital_input", "pin": "2", "value": 1},
		{"report": "i2c_data", "value": "1, x"}, {"report": "sonar_data", "value": "far"},
	} {
		if _, err := gateway.ParseReport(m); !errors.Is(err, gateway.ErrBadReport) {
			t.Errorf("%v: error %v, want ErrBadReport", m, err)
		}
	}
}

func TestConstants(t *testing.T) {
	// Python GatewayBase's numbers.
	modes := []gateway.PinMode{gateway.ModeDigitalInput, gateway.ModeDigitalOutput, gateway.ModePWM, gateway.ModeAnalogInput,
		gateway.ModeAnalogOutput, gateway.ModeDigitalInputPullup, gateway.ModeI2C, gateway.ModeTone, gateway.ModeServo,
		gateway.ModeStepper, gateway.ModeSonar, gateway.ModeWildCard}
	for i, m := range modes {
		if int(m) != i {
			t.Errorf("%v = %d, want %d", m, m, i)
		}
	}
	if gateway.ModeDigitalInputPullup.String() != "digital_input_pullup" || gateway.PinMode(42).String() != "PinMode(42)" {
		t.Error("PinMode.String")
	}
	if gateway.BoardArduino != 0 || gateway.BoardRPi != 1 || gateway.BoardESP8266 != 2 || gateway.BoardCrickit != 3 ||
		gateway.BoardESP8266.String() != "esp8266" {
		t.Error("board types")
	}
	if gateway.CommandTopic("arduino") != "to_arduino_gateway" || gateway.ReportTopic("rpi") != "from_rpi_gateway" {
		t.Error("topics")
	}
	if !errors.Is(gateway.ErrUnsupported, errors.ErrUnsupported) || gateway.ErrorCode(errors.ErrUnsupported) != gateway.CodeUnsupported ||
		gateway.ErrorCode(errors.New("x")) != gateway.CodeBoard {
		t.Error("ErrorCode")
	}
	if !strings.Contains(gateway.ErrUnknownTag.Error(), "tag") {
		t.Error("ErrUnknownTag text")
	}
}

// Keys the spec does not name for a command (the ESP8266's options) are
// kept in Extra, and sent again by Map.
func TestCommandExtraFields(t *testing.T) {
	m := map[string]any{"command": "set_mode_digital_input", "pin": int64(4), "pull_up": false, "irq": "rising", "count": int64(2)}
	c, err := gateway.ParseCommand(m)
	if err != nil {
		t.Fatal(err)
	}
	want := gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(4),
		Extra: map[string]any{"pull_up": false, "irq": "rising", "count": int64(2)}}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got %#v, want %#v", c, want)
	}
	got, err := banyan.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := banyan.Marshal(m)
	if string(got) != string(wire) {
		t.Fatalf("re-encoded as %x, want %x", got, wire)
	}
	// Extra never overrides the command's own keys.
	c = gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(5), Value: 1, Extra: map[string]any{"value": 0, "drain": 0}}
	if m := c.Map(); m["value"] != 1 || m["drain"] != 0 || m["command"] != "digital_write" {
		t.Fatalf("Map() = %v", m)
	}
}
