package esp8266

import (
	"errors"
	"strings"
	"testing"

	"github.com/gobanyan/banyan/gateway"
)

func newTestBoard(t *testing.T, o Options) *Board {
	t.Helper()
	if o.Addr == "" {
		o.Addr = "127.0.0.1"
	}
	b, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestTranslate checks what each command becomes for the firmware: the
// exact JSON (before padding) or the error report's code.
func TestTranslate(t *testing.T) {
	reg := new(7)
	cases := []struct {
		name string
		o    Options
		c    gateway.Command
		want string // JSON, "" for "nothing sent", or "code:<error code>"
	}{
		{"digital output gets a value", Options{}, gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(12)},
			`{"command":"set_mode_digital_output","pin":12,"value":0}`},
		{"digital output value and drain", Options{}, gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(12), Extra: map[string]any{"value": true, "drain": int64(0)}},
			`{"command":"set_mode_digital_output","pin":12,"value":1,"drain":0}`},
		{"string option refused", Options{}, gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(12), Extra: map[string]any{"value": "0"}}, "code:bad_command"},
		{"digital_write sends 0 or 1", Options{}, gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(13), Value: 7},
			`{"command":"digital_write","pin":13,"value":1}`},
		{"invalid pin", Options{}, gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(2), Value: 1}, "code:bad_command"},
		{"any pin with -x False", Options{AnyPin: true}, gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(2), Value: 0},
			`{"command":"digital_write","pin":2,"value":0}`},
		{"GPIO16 has no PWM", Options{AnyPin: true}, gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(16), Value: 1}, "code:unsupported"},
		{"GPIO17 does not exist", Options{AnyPin: true}, gateway.Command{Name: gateway.CmdSetModeServo, Pin: new(17)}, "code:bad_command"},
		{"digital input defaults", Options{}, gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(4)},
			`{"command":"set_mode_digital_input","pin":4,"pull_up":1,"irq":"both","count":0}`},
		{"digital input options", Options{}, gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(4), Extra: map[string]any{"pull_up": false, "irq": "rising", "count": int64(3)}},
			`{"command":"set_mode_digital_input","pin":4,"pull_up":0,"irq":"rising","count":3}`},
		{"bad irq", Options{}, gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(4), Extra: map[string]any{"irq": "sideways"}}, "code:bad_command"},
		{"pullup is digital input with pull_up", Options{}, gateway.Command{Name: gateway.CmdSetModeDigitalInputPullup, Pin: new(5), Extra: map[string]any{"pull_up": false}},
			`{"command":"set_mode_digital_input","pin":5,"pull_up":1,"irq":"both","count":0}`},
		{"analog input default change_diff", Options{}, gateway.Command{Name: gateway.CmdSetModeAnalogInput, Pin: new(0)},
			`{"command":"set_mode_analog_input","pin":0,"change_diff":8}`},
		{"analog input client change_diff", Options{}, gateway.Command{Name: gateway.CmdSetModeAnalogInput, Pin: new(3), Extra: map[string]any{"change_diff": 0.0}},
			`{"command":"set_mode_analog_input","pin":0,"change_diff":0}`},
		{"analog input no change_diff", Options{ChangeDiff: -1}, gateway.Command{Name: gateway.CmdSetModeAnalogInput, Pin: new(0)},
			`{"command":"set_mode_analog_input","pin":0}`},
		{"set_mode_pwm stays here", Options{}, gateway.Command{Name: gateway.CmdSetModePWM, Pin: new(14)}, ""},
		{"pwm range", Options{}, gateway.Command{Name: gateway.CmdPWMWrite, Pin: new(14), Value: 1024}, "code:bad_command"},
		{"pwm", Options{}, gateway.Command{Name: gateway.CmdPWMWrite, Pin: new(14), Value: 1023}, `{"command":"pwm_write","pin":14,"value":1023}`},
		{"analog_write", Options{}, gateway.Command{Name: gateway.CmdAnalogWrite, Pin: new(14), Value: 1}, "code:unsupported"},
		{"enable reporting not sent", Options{}, gateway.Command{Name: gateway.CmdEnableDigitalReporting, Pin: new(4)}, ""},
		{"disable reporting not sent", Options{}, gateway.Command{Name: gateway.CmdDisableAnalogReporting, Pin: new(0)}, ""},
		{"servo", Options{}, gateway.Command{Name: gateway.CmdServoPosition, Pin: new(15), Position: 90}, `{"command":"servo_position","pin":15,"position":90}`},
		{"tone", Options{}, gateway.Command{Name: gateway.CmdPlayTone, Pin: new(15), Freq: 440, Duration: 250},
			`{"command":"play_tone","pin":15,"freq":440,"duration":250}`},
		{"sonar both names", Options{}, gateway.Command{Name: gateway.CmdSetModeSonar, Pin: new(5), EchoPin: 4},
			`{"command":"set_mode_sonar","trigger_pin":5,"echo_pin":4,"trigger":5,"echo":4}`},
		{"sonar echo checked", Options{}, gateway.Command{Name: gateway.CmdSetModeSonar, Pin: new(5), EchoPin: 3}, "code:bad_command"},
		{"i2c_read unknown device", Options{}, gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x48, NumberOfBytes: 2}, "code:board_error"},
		{"i2c_read", Options{I2CAddrs: []int{0x48}}, gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x48, Register: reg, NumberOfBytes: 2},
			`{"command":"i2c_read","addr":72,"register":7,"number_of_bytes":2}`},
		{"i2c_read too many", Options{I2CAddrs: []int{0x48}}, gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x48, NumberOfBytes: MaxI2CRead + 1}, "code:bad_command"},
		{"i2c_write", Options{}, gateway.Command{Name: gateway.CmdI2CWrite, Addr: 0x48, Data: []byte{1, 255}},
			`{"command":"i2c_write","addr":72,"data":[1,255]}`},
		{"i2c_write too long for a frame", Options{}, gateway.Command{Name: gateway.CmdI2CWrite, Addr: 0x48, Data: make([]byte, 40)}, "code:board_error"},
		{"stepper_write first", Options{}, gateway.Command{Name: gateway.CmdStepperWrite, MotorSpeed: 5, NumberOfSteps: 10}, "code:board_error"},
		{"stepper", Options{}, gateway.Command{Name: gateway.CmdSetModeStepper, Pins: []int{4, 5, 12, 13}, StepsPerRevolution: 512},
			`{"command":"set_mode_stepper","pins":[4,5,12,13],"steps_per_revolution":512}`},
		{"unknown", Options{}, gateway.Command{Name: "blink"}, "code:unsupported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestBoard(t, tc.o)
			p, err := b.translate(tc.c)
			var frame []byte
			if err == nil && p != nil {
				frame, err = p.frame(b.o.FrameLen)
			}
			if code, ok := strings.CutPrefix(tc.want, "code:"); ok {
				if err == nil {
					t.Fatalf("sent %q, want an error with code %s", frame, code)
				}
				if got := gateway.ErrorCode(err); got != code {
					t.Fatalf("code %s (%v), want %s", got, err, code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if p != nil {
					t.Fatalf("sent %q, want nothing", frame)
				}
				return
			}
			if len(frame) != DefaultFrameLen {
				t.Fatalf("frame is %d bytes", len(frame))
			}
			if got := strings.TrimRight(string(frame), " "); got != tc.want {
				t.Fatalf("sent\n %s\nwant\n %s", got, tc.want)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	for _, o := range []Options{{}, {Addr: "None"}, {Addr: "x", FrameLen: 8}, {Addr: "x", Port: 70000}, {Addr: "x", I2CAddrs: []int{128}}, {Addr: "x", Mode: 7}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) succeeded", o)
		}
	}
	if _, err := New(Options{Mode: Server}); err != nil {
		t.Errorf("server mode without an address: %v", err)
	}
	b := newTestBoard(t, Options{})
	if _, err := b.HandleCommand(gateway.Command{Name: gateway.CmdSetModeI2C}); !errors.Is(err, ErrLinkDown) {
		t.Errorf("command without a link: %v", err)
	}
}
