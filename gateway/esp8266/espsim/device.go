package espsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// This file is the firmware model. Its sources: the reference's §5.4 and
// §5.5 (Python Banyan's esp8266_gateway.py and the firmware files
// esp_8266.py / esp_8266Full.py, described there, never copied), and the
// measurements quoted in Go Banyan's issue 12. What neither says is marked
// "assumed".

// FrameLen is the firmware's frame length: it reads exactly this many
// bytes per command and pads its reports to it ('{:96}'.format(...)).
const FrameLen = 96

// GreetingLen is the length of the greeting the firmware was measured
// sending when the gateway writes before reading it (issue 12).
const GreetingLen = 102

// pwmPins are the ESP8266 GPIOs with PWM (all but GPIO16). The firmware
// drives digital outputs through PWM, so digital_write and pwm_write crash
// it on any other pin (issue 12: "digital_write on a pin without PWM").
var pwmPins = []int{0, 2, 4, 5, 12, 13, 14, 15}

// Options configure a Device.
type Options struct {
	// Info is the greeting's "info" (default "esp8266 simulator").
	Info string
	// LongGreeting makes the greeting GreetingLen bytes instead of
	// FrameLen, as the firmware sends when the gateway writes first.
	LongGreeting bool
	// I2C are the devices on the i2c bus: address to 256 registers'
	// initial contents (shorter is zero-filled). nil: none.
	I2C map[int][]byte
	// Idle is the firmware's idle-loop period, in which it polls its
	// socket and reads the ADC and sonar (default 10 ms: the measured
	// ~100 analog reports per second without change_diff).
	Idle time.Duration
	// Logger receives what the device does at Debug; nil: discard.
	Logger *slog.Logger
}

// PinState is one pin as the firmware configured it.
type PinState struct {
	Mode      string // "output", "input", "servo", "tone", "pwm" (after pwm_write), "" if unused
	Value     int    // output level, or input level
	Duty      int    // PWM duty (0-1023) of pwm_write and servo_position
	OpenDrain bool   // digital output with a falsy drain
	PullUp    bool
	IRQ       string // "rising", "falling", "both"
	Reporting bool   // digital input reports enabled
}

// Tone is one play_tone.
type Tone struct{ Pin, Freq, Duration int }

// Device is the simulated ESP8266. Safe for concurrent use.
type Device struct {
	o   Options
	log *slog.Logger

	mu          sync.Mutex
	crashed     string // why it is in the REPL, "" when running
	spent       bool   // a peer disconnected: serve no one until Reset
	active      net.Conn
	silent      []net.Conn // accepted while spent
	received    []map[string]any
	pins        map[int]*PinState
	pending     map[int]bool // digital inputs whose irq fired, to report
	levels      map[int]int  // levels driven from outside (SetInput)
	adc         int
	analogOn    bool
	analogDiff  int
	lastAnalog  int
	sentAnalog  bool
	distance    float64
	sentDist    float64
	sonarOn     bool
	sonarPins   [2]int
	i2cOn       bool
	i2c         map[int][]byte
	stepperOn   bool
	stepperPins []int
	stepperPos  int
	stepperSpd  int
	tones       []Tone
	served      int // connections greeted
	resets      chan struct{}
}

// New returns a device with o's settings, freshly reset.
func New(o Options) *Device {
	if o.Info == "" {
		o.Info = "esp8266 simulator"
	}
	if o.Idle <= 0 {
		o.Idle = 10 * time.Millisecond
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Device{o: o, log: log, resets: make(chan struct{}, 1)}
	d.clear()
	return d
}

// clear is the state after a reset. d.mu is held (or d is new).
func (d *Device) clear() {
	d.crashed, d.spent = "", false
	d.pins, d.pending, d.levels = map[int]*PinState{}, map[int]bool{}, map[int]int{}
	d.analogOn, d.sentAnalog, d.sonarOn, d.i2cOn, d.stepperOn = false, false, false, false, false
	d.i2c = map[int][]byte{}
	for a, mem := range d.o.I2C {
		m := make([]byte, 256)
		copy(m, mem)
		d.i2c[a] = m
	}
	d.stepperPins, d.stepperPos, d.tones = nil, 0, nil
}

// Reset is the board's reset button: it drops every connection, leaves
// the REPL, forgets pin setups and serves the next peer.
func (d *Device) Reset() {
	d.mu.Lock()
	if d.active != nil {
		d.active.Close()
		d.active = nil
	}
	for _, c := range d.silent {
		c.Close()
	}
	d.silent = nil
	d.clear()
	d.mu.Unlock()
	select {
	case d.resets <- struct{}{}:
	default:
	}
}

// Drop closes the current connection as a lost Wi-Fi link would. Like any
// disconnect, it leaves the firmware serving no one until Reset.
func (d *Device) Drop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.active != nil {
		d.active.Close()
	}
}

// Crashed returns why the firmware fell into the REPL, or "" if it runs.
func (d *Device) Crashed() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.crashed
}

// Served returns how many connections the firmware has greeted.
func (d *Device) Served() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.served
}

// Connected reports whether a peer is being served now.
func (d *Device) Connected() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.active != nil && d.crashed == ""
}

// Received returns the commands the firmware has parsed, in order.
func (d *Device) Received() []map[string]any {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.received)
}

// Pin returns a pin's state (ok false when the firmware never set it up).
func (d *Device) Pin(pin int) (PinState, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.pins[pin]
	if !ok {
		return PinState{}, false
	}
	return *p, true
}

// Stepper returns the stepper's pins, position (sum of steps) and last
// speed.
func (d *Device) Stepper() (pins []int, position, speed int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.stepperPins), d.stepperPos, d.stepperSpd
}

// Tones returns the tones played.
func (d *Device) Tones() []Tone {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.tones)
}

// I2C returns a copy of the registers of the device at addr.
func (d *Device) I2C(addr int) []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.i2c[addr])
}

// SetInput drives a digital input from outside. The firmware's irq
// handler reports the change in its next idle loop, if the pin is an
// input whose irq setting matches the edge and whose reporting is on.
func (d *Device) SetInput(pin, level int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.levels[pin] = level
	p, ok := d.pins[pin]
	if !ok || p.Mode != "input" || p.Value == level {
		return
	}
	rising := level > p.Value
	p.Value = level
	if p.IRQ == "both" || (p.IRQ == "rising") == rising {
		d.pending[pin] = true
	}
}

// SetADC sets what the analog input (A0, 0-1023) reads.
func (d *Device) SetADC(v int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.adc = v
}

// SetDistance sets what the sonar measures, in cm.
func (d *Device) SetDistance(cm float64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.distance = cm
}

// Serve is the firmware as a TCP server (its default; port 31337 on the
// board): it serves the first peer that connects. Once that peer
// disconnects it accepts connections but leaves them silent until Reset.
// Serve returns when ctx ends (nil) or l fails; it closes l.
func (d *Device) Serve(ctx context.Context, l net.Listener) error {
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer d.closeAll()
	for {
		c, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if !d.take(c) {
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); d.serve(ctx, c) }()
	}
}

// Connect is the firmware as a TCP client of a gateway in server mode: it
// connects to addr (retrying every 100 ms until it succeeds) and serves
// that connection; after a disconnect it waits for Reset before
// connecting again. Connect returns when ctx ends.
func (d *Device) Connect(ctx context.Context, addr string) error {
	defer d.closeAll()
	var dialer net.Dialer
	for {
		c, err := dialer.DialContext(ctx, "tcp", addr)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		if d.take(c) {
			d.serve(ctx, c)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-d.resets:
		}
	}
}

// take makes c the active connection, or keeps it silent when the
// firmware is spent, busy or crashed (assumed: the real one's lwIP stack
// completes the handshake and nothing ever reads).
func (d *Device) take(c net.Conn) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.spent || d.active != nil || d.crashed != "" {
		d.silent = append(d.silent, c)
		return false
	}
	d.active = c
	return true
}

func (d *Device) closeAll() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.active != nil {
		d.active.Close()
	}
	for _, c := range d.silent {
		c.Close()
	}
	d.silent = nil
}

var errClose = errors.New("espsim: close the socket")

// serve runs the firmware's loop on c: greeting, then poll the socket
// (non-blocking, one idle period at a time) and do the idle work.
func (d *Device) serve(ctx context.Context, c net.Conn) {
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	defer func() {
		d.mu.Lock()
		if d.active == c {
			d.active = nil
			d.spent = true // measured: once a peer disconnects it serves no one until reset
		}
		d.mu.Unlock()
		c.Close()
	}()
	d.mu.Lock()
	d.served++
	d.mu.Unlock()
	greet := dumps("report", "connected", "info", d.o.Info)
	n := FrameLen
	if d.o.LongGreeting {
		n = GreetingLen
	}
	if _, err := c.Write(pad(greet, n)); err != nil {
		return
	}
	frame := make([]byte, 0, FrameLen)
	chunk := make([]byte, FrameLen)
	for {
		if d.Crashed() != "" {
			// In the REPL: nothing reads or writes; the socket stays
			// open until reset or the peer goes.
			c.SetReadDeadline(time.Time{})
			io.Copy(io.Discard, c)
			return
		}
		c.SetReadDeadline(time.Now().Add(d.o.Idle))
		k, err := c.Read(chunk[:FrameLen-len(frame)])
		frame = append(frame, chunk[:k]...)
		if len(frame) == FrameLen {
			out, cerr := d.command(frame)
			frame = frame[:0]
			if out != nil {
				if _, werr := c.Write(out); werr != nil {
					return
				}
			}
			if cerr != nil {
				return
			}
		}
		if err != nil {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				return
			}
		}
		for _, r := range d.idle() {
			if _, err := c.Write(r); err != nil {
				return
			}
		}
	}
}

// command parses and runs one 96-byte frame; it returns a report to send
// and errClose when the socket must close.
func (d *Device) command(frame []byte) ([]byte, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(frame))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		// Format from the reference's §5.4: {'error': 'json value error -
		// data: ... length ...'}; measured: 153 bytes, padded to 96 but
		// not cut. Assumed: the data is the frame's Python bytes repr
		// (b'...', the whole 96 bytes), which makes a frame with six
		// double quotes 153 bytes once json.dumps escapes them. Then the
		// firmware closes the socket.
		msg := fmt.Sprintf("json value error - data: b'%s' length %d", frame, len(frame))
		return pad(dumps("error", msg), FrameLen), errClose
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.received) < 10000 {
		d.received = append(d.received, m)
	}
	out, crash := d.run(m)
	if crash != "" {
		d.crashed = crash
		d.log.Debug("espsim: crashed", "why", crash)
		return nil, nil
	}
	return out, nil
}

// run executes a command with d.mu held; crash is non-empty when the
// firmware would raise.
func (d *Device) run(m map[string]any) (out []byte, crash string) {
	name, _ := m["command"].(string)
	num := func(key string) (int, bool) {
		n, ok := m[key].(json.Number)
		if !ok {
			return 0, false
		}
		i, err := strconv.Atoi(n.String())
		return i, err == nil
	}
	need := func(keys ...string) string {
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				return fmt.Sprintf("KeyError: %q in %s", k, name)
			}
		}
		return ""
	}
	pinOf := func() (int, *PinState, string) {
		p, ok := num("pin")
		if !ok {
			return 0, nil, fmt.Sprintf("KeyError/TypeError: 'pin' in %s", name)
		}
		st, ok := d.pins[p]
		if !ok {
			st = &PinState{}
			d.pins[p] = st
		}
		return p, st, ""
	}
	switch name {
	case "set_mode_digital_output":
		// Measured: crashes without "value" (the initial level).
		if c := need("value"); c != "" {
			return nil, c
		}
		_, st, c := pinOf()
		if c != "" {
			return nil, c
		}
		st.Mode, st.Value = "output", truthy(m["value"])
		st.OpenDrain = m["drain"] != nil && truthy(m["drain"]) == 0 // reference: a falsy drain selects open drain
	case "digital_write":
		p, st, c := pinOf()
		if c != "" {
			return nil, c
		}
		if !slices.Contains(pwmPins, p) {
			return nil, fmt.Sprintf("ValueError: digital_write on pin %d, which has no PWM", p)
		}
		if c := need("value"); c != "" {
			return nil, c
		}
		// Measured: a string value such as "0" drives the pin high.
		st.Mode, st.Value = "output", truthy(m["value"])
		if m["drain"] != nil {
			st.OpenDrain = truthy(m["drain"]) == 0
		}
	case "pwm_write":
		p, st, c := pinOf()
		if c != "" {
			return nil, c
		}
		if !slices.Contains(pwmPins, p) {
			return nil, fmt.Sprintf("ValueError: pwm_write on pin %d, which has no PWM", p)
		}
		v, ok := num("value")
		if !ok {
			return nil, "KeyError/TypeError: 'value' in pwm_write"
		}
		st.Mode, st.Duty = "pwm", v // reference: duty 0-1023 at 500 Hz
	case "set_mode_digital_input":
		pin, st, c := pinOf()
		if c != "" {
			return nil, c
		}
		// Reference: pull_up (default True), irq (default 'both'),
		// count (default 0).
		st.Mode, st.PullUp, st.IRQ, st.Reporting = "input", true, "both", true
		if v, ok := m["pull_up"]; ok {
			st.PullUp = truthy(v) == 1
		}
		if s, ok := m["irq"].(string); ok {
			st.IRQ = s
		}
		if lv, ok := d.levels[pin]; ok {
			st.Value = lv
		} else if st.PullUp {
			st.Value = 1
		} else {
			st.Value = 0
		}
	case "set_mode_servo", "set_mode_tone":
		_, st, c := pinOf()
		if c != "" {
			return nil, c
		}
		st.Mode = strings.TrimPrefix(name, "set_mode_")
	case "servo_position":
		_, st, c := pinOf()
		if c != "" {
			return nil, c
		}
		pos, ok := num("position")
		if !ok {
			return nil, "KeyError/TypeError: 'position' in servo_position"
		}
		st.Mode, st.Duty = "servo", 30+pos/2 // reference: duty = 30 + position*0.5 at 50 Hz
	case "play_tone":
		p, _, c := pinOf()
		if c != "" {
			return nil, c
		}
		f, ok1 := num("freq")
		du, ok2 := num("duration")
		if !ok1 || !ok2 {
			return nil, "KeyError/TypeError: 'freq'/'duration' in play_tone"
		}
		if len(d.tones) < 1000 {
			d.tones = append(d.tones, Tone{p, f, du})
		}
	case "set_mode_analog_input":
		// Reference: optional change_diff; measured: without it, a report
		// on every idle loop.
		d.analogOn, d.sentAnalog, d.analogDiff = true, false, 0
		if v, ok := num("change_diff"); ok {
			d.analogDiff = v
		}
	case "enable_analog_reporting", "disable_analog_reporting":
		// Reference and measured: the firmware maps enable to disable.
		d.analogOn = false
	case "enable_digital_reporting", "disable_digital_reporting":
		if _, st, c := pinOf(); c == "" {
			st.Reporting = false
		}
	case "set_mode_i2c":
		d.i2cOn = true
	case "i2c_read":
		a, ok := num("addr")
		mem, present := d.i2c[a]
		// Measured: i2c_read of a missing device crashes (OSError).
		if !ok || !d.i2cOn || !present {
			return nil, fmt.Sprintf("OSError: i2c_read of device %v", m["addr"])
		}
		reg, _ := num("register")
		n, ok := num("number_of_bytes")
		if !ok || n < 0 || reg < 0 || reg+n > len(mem) {
			return nil, "ValueError: i2c_read number_of_bytes"
		}
		vals := make([]any, n)
		for i := range n {
			vals[i] = int(mem[reg+i])
		}
		// Measured: padded to 96 but never cut (113 bytes for 11 bytes of
		// three-digit values).
		return pad(dumps("report", "i2c_data", "value", vals), FrameLen), ""
	case "i2c_write":
		a, _ := num("addr")
		reg, _ := num("register")
		data, _ := m["data"].([]any)
		// Assumed: a write to a missing device is ignored.
		if mem, ok := d.i2c[a]; ok && d.i2cOn {
			for i, x := range data {
				if v, err := strconv.Atoi(fmt.Sprint(x)); err == nil && reg+i < len(mem) {
					mem[reg+i] = byte(v)
				}
			}
		}
	case "set_mode_sonar":
		// Measured: the minified firmware crashes on OneGPIO's
		// trigger_pin/echo_pin names. Assumed: it reads "trigger" and
		// "echo" (the full firmware uses fixed pins 5 and 4).
		tp, ok1 := num("trigger")
		ep, ok2 := num("echo")
		if !ok1 || !ok2 {
			return nil, "KeyError: 'trigger'/'echo' in set_mode_sonar"
		}
		d.sonarOn, d.sonarPins, d.sentDist = true, [2]int{tp, ep}, -1
	case "set_mode_stepper":
		ps, _ := m["pins"].([]any)
		if _, ok := num("steps_per_revolution"); !ok || len(ps) == 0 {
			return nil, "KeyError/TypeError: set_mode_stepper"
		}
		d.stepperOn, d.stepperPins = true, nil
		for _, p := range ps {
			v, _ := strconv.Atoi(fmt.Sprint(p))
			d.stepperPins = append(d.stepperPins, v)
		}
	case "stepper_write":
		// Measured: stepper_write before set_mode_stepper crashes.
		if !d.stepperOn {
			return nil, "AttributeError: stepper_write before set_mode_stepper"
		}
		spd, ok1 := num("motor_speed")
		steps, ok2 := num("number_of_steps")
		if !ok1 || !ok2 {
			return nil, "KeyError: stepper_write"
		}
		d.stepperPos += steps
		d.stepperSpd = spd
	default:
		// Measured: set_mode_pwm, set_mode_digital_input_pullup,
		// analog_write and any unknown command raise NotImplementedError.
		return nil, "NotImplementedError: " + name
	}
	return nil, ""
}

// idle is the firmware's idle work: irq reports, the ADC, the sonar.
func (d *Device) idle() [][]byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out [][]byte
	for pin := range d.pending {
		if st, ok := d.pins[pin]; ok && st.Mode == "input" && st.Reporting {
			out = append(out, pad(dumps("report", "digital_input", "pin", pin, "value", st.Value), FrameLen))
		}
		delete(d.pending, pin)
	}
	if d.analogOn {
		diff := d.adc - d.lastAnalog
		if diff < 0 {
			diff = -diff
		}
		// Reference: the firmware reports pin 0 always (A0).
		if d.analogDiff == 0 || !d.sentAnalog || diff >= d.analogDiff {
			out = append(out, pad(dumps("report", "analog_input", "pin", 0, "value", d.adc), FrameLen))
			d.lastAnalog, d.sentAnalog = d.adc, true
		}
	}
	if d.sonarOn && d.distance != d.sentDist {
		out = append(out, pad(dumps("report", "sonar_data", "value", d.distance), FrameLen))
		d.sentDist = d.distance
	}
	return out
}

// truthy is Python's truth value of a JSON value, as 0 or 1.
func truthy(v any) int {
	switch x := v.(type) {
	case nil:
		return 0
	case bool:
		if x {
			return 1
		}
		return 0
	case json.Number:
		if f, err := x.Float64(); err == nil && f == 0 {
			return 0
		}
		return 1
	case string:
		if x == "" {
			return 0
		}
		return 1
	case []any:
		if len(x) == 0 {
			return 0
		}
	case map[string]any:
		if len(x) == 0 {
			return 0
		}
	}
	return 1
}

// dumps writes key/value pairs as Python's json.dumps does (", " and ": "
// separators, keys in the given order).
func dumps(kv ...any) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		k, _ := json.Marshal(kv[i])
		b.Write(k)
		b.WriteString(": ")
		b.Write(pyValue(kv[i+1]))
	}
	b.WriteByte('}')
	return b.Bytes()
}

func pyValue(v any) []byte {
	switch x := v.(type) {
	case []any:
		var b bytes.Buffer
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			b.Write(pyValue(e))
		}
		b.WriteByte(']')
		return b.Bytes()
	case float64:
		s := strconv.FormatFloat(x, 'f', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return []byte(s)
	}
	j, _ := json.Marshal(v)
	return j
}

// pad pads s with spaces to n bytes, never cutting it ('{:96}'.format).
func pad(s []byte, n int) []byte {
	if len(s) >= n {
		return s
	}
	return append(s, bytes.Repeat([]byte{' '}, n-len(s))...)
}
