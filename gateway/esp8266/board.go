package esp8266

import (
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gobanyan/banyan/gateway"
)

// Stats are a board's counters.
type Stats struct {
	Connects uint64 // links that came up (greeted)
	Losses   uint64 // links that went down
	Sent     uint64 // frames written to the board
	Refused  uint64 // commands refused before reaching the board
	Reports  uint64 // reports received from the board
	Garbage  uint64 // runs of bytes that were not JSON objects, and objects that did not parse
	Oversize uint64 // objects longer than MaxReport, dropped
	Repeats  uint64 // analog reports dropped because the value had not changed
}

// Board is the gateway.Board of an ESP8266 running Python Banyan's
// MicroPython firmware. It implements gateway.CommandHandler (every
// command, with the board options in Command.Extra) and
// gateway.ReportSource. Create it with New, serve its link with Run, and
// hand it to gateway.New.
type Board struct {
	o   Options
	log *slog.Logger

	running atomic.Bool
	silent  atomic.Bool // "never greeted" was said since the last link

	mu       sync.Mutex
	conn     net.Conn // the link, once greeted
	peer     string
	stepper  bool
	analog   int // the pin the client set as analog input (the firmware reports 0)
	last     int // last analog value published
	haveLast bool
	i2c      []i2cRead // i2c_reads awaiting their report, oldest first

	wmu sync.Mutex // one write at a time

	pmu    sync.Mutex           // one report at a time, in order
	report func(gateway.Report) // the gateway's; nil before Run
	early  []gateway.Report     // reported before there was a report function

	connects, losses, sent, refused, reports, garbage, oversize, repeats atomic.Uint64
}

type i2cRead struct {
	addr     int
	register *int
}

const maxPendingI2C = 32

// New checks the options and returns a board; nothing connects until Run.
func New(o Options) (*Board, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Board{o: o, log: o.Logger}, nil
}

// Stats returns the counters.
func (b *Board) Stats() Stats {
	return Stats{Connects: b.connects.Load(), Losses: b.losses.Load(), Sent: b.sent.Load(), Refused: b.refused.Load(),
		Reports: b.reports.Load(), Garbage: b.garbage.Load(), Oversize: b.oversize.Load(), Repeats: b.repeats.Load()}
}

// Connected reports whether the link to the board is up.
func (b *Board) Connected() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.conn != nil
}

// SetReportFunc implements gateway.ReportSource. Given a function, it
// publishes {"sys_msg": "system_up"}, as Python's gateway does at start,
// then what the board reported before there was a function (link news,
// the greeting: at most maxEarly reports are kept).
func (b *Board) SetReportFunc(f func(gateway.Report)) {
	b.pmu.Lock()
	defer b.pmu.Unlock()
	b.report = f
	if f == nil {
		return
	}
	f(gateway.SystemMessage{Text: "system_up"})
	for _, r := range b.early {
		f(r)
	}
	b.early = nil
}

const maxEarly = 32

func (b *Board) publish(r gateway.Report) {
	b.pmu.Lock()
	defer b.pmu.Unlock()
	if b.report != nil {
		b.report(r)
	} else if len(b.early) < maxEarly {
		b.early = append(b.early, r)
	}
}

func (b *Board) sysMsg(format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	b.log.Info("esp8266: " + text)
	b.publish(gateway.SystemMessage{Text: text})
}

// SetMode implements gateway.Board, for the modes that need no other
// parameter (the gateway itself sends every command to HandleCommand).
func (b *Board) SetMode(pin int, mode gateway.PinMode) error {
	name := "set_mode_" + mode.String()
	_, err := b.HandleCommand(gateway.Command{Name: name, Pin: &pin})
	return err
}

// HandleCommand implements gateway.CommandHandler: it turns a OneGPIO
// command into what the firmware needs, refuses what would crash it, and
// sends it. Every command is handled (true); the error, if any, becomes
// the client's error report.
func (b *Board) HandleCommand(c gateway.Command) (bool, error) {
	p, err := b.translate(c)
	if err != nil {
		b.refused.Add(1)
		return true, err
	}
	if p == nil { // done by the gateway alone
		return true, nil
	}
	f, err := p.frame(b.o.FrameLen)
	if err != nil {
		b.refused.Add(1)
		return true, err
	}
	if c.Name == gateway.CmdI2CRead {
		b.mu.Lock()
		if len(b.i2c) == maxPendingI2C {
			b.i2c = b.i2c[1:]
		}
		b.i2c = append(b.i2c, i2cRead{addr: c.Addr, register: c.Register})
		b.mu.Unlock()
	}
	if c.Name == gateway.CmdSetModeAnalogInput {
		// Before sending: the first report may come back at once.
		b.mu.Lock()
		b.analog, b.haveLast = *c.Pin, false
		b.mu.Unlock()
	}
	if err := b.send(f); err != nil {
		return true, err
	}
	if c.Name == gateway.CmdSetModeStepper {
		b.mu.Lock()
		b.stepper = true
		b.mu.Unlock()
	}
	return true, nil
}

// translate builds the firmware's payload for c; nil with a nil error is
// a command the gateway carries out alone.
func (b *Board) translate(c gateway.Command) (*payload, error) {
	pin := -1
	if c.Pin != nil {
		pin = *c.Pin
	}
	anyPin := b.o.AnyPin
	switch c.Name {
	case gateway.CmdAnalogWrite:
		return nil, refuse(c, "the ESP8266 has no analog output; use pwm_write")
	case gateway.CmdSetModePWM:
		// The firmware raises NotImplementedError; pwm_write sets the
		// pin up by itself, so the gateway only checks the pin.
		if err := checkPin(anyPin, c.Name, pin); err != nil {
			return nil, err
		}
		return nil, checkPWM(c.Name, pin)
	case gateway.CmdEnableAnalogReporting, gateway.CmdDisableAnalogReporting,
		gateway.CmdEnableDigitalReporting, gateway.CmdDisableDigitalReporting:
		// The firmware's enable disables, and nothing re-enables: the
		// gateway filters reports itself and sends nothing.
		return nil, nil
	case gateway.CmdDigitalWrite:
		if err := checkPin(anyPin, c.Name, pin); err != nil {
			return nil, err
		}
		if err := checkPWM(c.Name, pin); err != nil {
			return nil, err
		}
		v := 0
		if c.Value != 0 {
			v = 1
		}
		p := cmd(c.Name).add("pin", pin).add("value", v)
		return b.drain(c, p)
	case gateway.CmdSetModeDigitalOutput:
		if err := checkPin(anyPin, c.Name, pin); err != nil {
			return nil, err
		}
		// The firmware crashes without the initial "value".
		v, _, err := extraInt(c, "value", 0, 1)
		if err != nil {
			return nil, err
		}
		return b.drain(c, cmd(c.Name).add("pin", pin).add("value", v))
	case gateway.CmdSetModeDigitalInput, gateway.CmdSetModeDigitalInputPullup:
		if err := checkPin(anyPin, c.Name, pin); err != nil {
			return nil, err
		}
		pull, ok, err := extraInt(c, "pull_up", 0, 1)
		if err != nil {
			return nil, err
		}
		if !ok || c.Name == gateway.CmdSetModeDigitalInputPullup {
			pull = 1 // the firmware's default; _pullup (which it lacks) is this
		}
		irq := "both"
		if v, ok := c.Extra["irq"]; ok && v != nil {
			s, isStr := v.(string)
			if !isStr || !slices.Contains(irqs, s) {
				return nil, fmt.Errorf("%w: %s: \"irq\" is %v, want one of %v", gateway.ErrBadCommand, c.Name, v, irqs)
			}
			irq = s
		}
		count, _, err := extraInt(c, "count", 0, 1<<30)
		if err != nil {
			return nil, err
		}
		return cmd(gateway.CmdSetModeDigitalInput).add("pin", pin).add("pull_up", pull).add("irq", irq).add("count", count), nil
	case gateway.CmdSetModeAnalogInput:
		// The ESP8266 has one ADC (A0): the firmware is sent pin 0 and
		// its reports are published with the client's pin.
		diff, ok, err := extraInt(c, "change_diff", 0, 1023)
		if err != nil {
			return nil, err
		}
		p := cmd(c.Name).add("pin", 0)
		switch {
		case ok:
			p.add("change_diff", diff)
		case b.o.ChangeDiff > 0:
			p.add("change_diff", b.o.ChangeDiff)
		}
		return p, nil
	case gateway.CmdPWMWrite:
		if err := checkPin(anyPin, c.Name, pin); err != nil {
			return nil, err
		}
		if err := checkPWM(c.Name, pin); err != nil {
			return nil, err
		}
		if err := inRange(c, "value", c.Value, 0, 1023); err != nil {
			return nil, err
		}
		return cmd(c.Name).add("pin", pin).add("value", c.Value), nil
	case gateway.CmdSetModeServo, gateway.CmdSetModeTone:
		if err := checkPin(anyPin, c.Name, pin); err != nil {
			return nil, err
		}
		return cmd(c.Name).add("pin", pin), nil
	case gateway.CmdServoPosition:
		if err := checkPin(anyPin, c.Name, pin); err != nil {
			return nil, err
		}
		if err := inRange(c, "position", c.Position, 0, 180); err != nil {
			return nil, err
		}
		return cmd(c.Name).add("pin", pin).add("position", c.Position), nil
	case gateway.CmdPlayTone:
		if err := checkPin(anyPin, c.Name, pin); err != nil {
			return nil, err
		}
		if err := inRange(c, "freq", c.Freq, 1, 40000); err != nil {
			return nil, err
		}
		if err := inRange(c, "duration", c.Duration, 0, 1<<24); err != nil {
			return nil, err
		}
		return cmd(c.Name).add("pin", pin).add("freq", c.Freq).add("duration", c.Duration), nil
	case gateway.CmdSetModeI2C:
		return cmd(c.Name), nil
	case gateway.CmdI2CRead:
		if !slices.Contains(b.o.I2CAddrs, c.Addr) {
			return nil, fmt.Errorf("%w: 0x%02x", ErrNoI2CDevice, c.Addr)
		}
		if err := inRange(c, "number_of_bytes", c.NumberOfBytes, 1, MaxI2CRead); err != nil {
			return nil, err
		}
		p := cmd(c.Name).add("addr", c.Addr)
		if c.Register != nil {
			if err := inRange(c, "register", *c.Register, 0, 255); err != nil {
				return nil, err
			}
			p.add("register", *c.Register)
		}
		return p.add("number_of_bytes", c.NumberOfBytes), nil
	case gateway.CmdI2CWrite:
		if err := inRange(c, "addr", c.Addr, 0, 127); err != nil {
			return nil, err
		}
		p := cmd(c.Name).add("addr", c.Addr)
		if c.Register != nil {
			if err := inRange(c, "register", *c.Register, 0, 255); err != nil {
				return nil, err
			}
			p.add("register", *c.Register)
		}
		data := make([]int, len(c.Data))
		for i, x := range c.Data {
			data[i] = int(x)
		}
		return p.add("data", data), nil
	case gateway.CmdSetModeSonar:
		if err := checkPin(anyPin, c.Name, pin); err != nil {
			return nil, err
		}
		if err := checkPin(anyPin, c.Name, c.EchoPin); err != nil {
			return nil, err
		}
		// OneGPIO's names and the minified firmware's (which crashes
		// without its own).
		return cmd(c.Name).add("trigger_pin", pin).add("echo_pin", c.EchoPin).add("trigger", pin).add("echo", c.EchoPin), nil
	case gateway.CmdSetModeStepper:
		for _, sp := range c.Pins {
			if err := checkPin(anyPin, c.Name, sp); err != nil {
				return nil, err
			}
		}
		if err := inRange(c, "steps_per_revolution", c.StepsPerRevolution, 1, 1<<20); err != nil {
			return nil, err
		}
		return cmd(c.Name).add("pins", c.Pins).add("steps_per_revolution", c.StepsPerRevolution), nil
	case gateway.CmdStepperWrite:
		b.mu.Lock()
		ok := b.stepper
		b.mu.Unlock()
		if !ok {
			return nil, ErrNoStepper
		}
		if err := inRange(c, "motor_speed", c.MotorSpeed, 0, 1<<20); err != nil {
			return nil, err
		}
		if err := inRange(c, "number_of_steps", c.NumberOfSteps, -1<<24, 1<<24); err != nil {
			return nil, err
		}
		return cmd(c.Name).add("motor_speed", c.MotorSpeed).add("number_of_steps", c.NumberOfSteps), nil
	}
	return nil, refuse(c, "unknown to the firmware")
}

// drain adds the optional "drain" of digital outputs (falsy: open drain).
func (b *Board) drain(c gateway.Command, p *payload) (*payload, error) {
	d, ok, err := extraInt(c, "drain", 0, 1)
	if err != nil {
		return nil, err
	}
	if ok {
		p.add("drain", d)
	}
	return p, nil
}
