package espsim

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const patience = 20 * time.Second

// start serves d on a loopback port; the cleanup stops it.
func start(t *testing.T, d *Device) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := d.Serve(ctx, l); err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return l.Addr().String()
}

type peer struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *peer {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(patience))
	return &peer{t: t, c: c, r: bufio.NewReader(c)}
}

// send writes s padded to one 96-byte frame.
func (p *peer) send(s string) {
	p.t.Helper()
	if len(s) < FrameLen {
		s += strings.Repeat(" ", FrameLen-len(s))
	}
	if _, err := p.c.Write([]byte(s)); err != nil {
		p.t.Fatal(err)
	}
}

// raw reads the next report's object, skipping the padding before it.
func (p *peer) raw() string {
	p.t.Helper()
	var b strings.Builder
	depth, inStr, esc := 0, false, false
	for {
		c, err := p.r.ReadByte()
		if err != nil {
			p.t.Fatalf("after %q: %v", b.String(), err)
		}
		if depth == 0 && c == ' ' {
			continue
		}
		b.WriteByte(c)
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{':
			depth++
		case c == '}':
			depth--
		}
		if depth == 0 {
			return b.String()
		}
	}
}

// padded reads the next report with its padding: up to the next report
// (which must follow) or the end of the stream.
func (p *peer) padded() string {
	p.t.Helper()
	s := p.raw()
	for {
		c, err := p.r.ReadByte()
		if err == io.EOF {
			return s
		}
		if err != nil {
			p.t.Fatal(err)
		}
		if c != ' ' {
			p.r.UnreadByte()
			return s
		}
		s += " "
	}
}

// next decodes the next report.
func (p *peer) next() map[string]any {
	p.t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(p.raw()), &m); err != nil {
		p.t.Fatal(err)
	}
	return m
}

// sync sends an i2c_read to the device at 0x50 and skips reports until
// its answer: every command sent before has run.
func (p *peer) sync() {
	p.t.Helper()
	p.send(`{"command": "i2c_read", "addr": 80, "register": 0, "number_of_bytes": 1}`)
	for p.next()["report"] != "i2c_data" {
	}
}

func memDevice(o Options) *Device {
	o.I2C = map[int][]byte{0x50: {200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215}}
	d := New(o)
	return d
}

func TestGreeting(t *testing.T) {
	for _, long := range []bool{false, true} {
		d := memDevice(Options{LongGreeting: long})
		p := dial(t, start(t, d))
		p.send(`{"command": "set_mode_i2c"}`)
		p.send(`{"command": "i2c_read", "addr": 80, "register": 0, "number_of_bytes": 1}`)
		g := p.padded()
		want := FrameLen
		if long {
			want = GreetingLen
		}
		if len(g) != want || !strings.HasPrefix(g, `{"report": "connected", "info": "esp8266 simulator"}`) {
			t.Fatalf("greeting %q (%d bytes), want %d", g, len(g), want)
		}
		p.sync()
	}
}

// TestReportsAreNotCut: an i2c_data report of 16 three-digit values is
// 113 bytes, as measured.
func TestReportsAreNotCut(t *testing.T) {
	p := dial(t, start(t, memDevice(Options{})))
	p.raw()
	p.send(`{"command": "set_mode_i2c"}`)
	p.send(`{"command": "i2c_read", "addr": 80, "register": 0, "number_of_bytes": 16}`)
	p.send(`{"command": "i2c_read", "addr": 80, "register": 0, "number_of_bytes": 1}`)
	r := p.padded()
	if len(r) != 113 || !strings.HasPrefix(r, `{"report": "i2c_data", "value": [200, 201,`) {
		t.Fatalf("%q (%d bytes)", r, len(r))
	}
}

// TestCrashes: each command the firmware cannot take sends it to the REPL,
// and the link goes dead (open, silent).
func TestCrashes(t *testing.T) {
	for _, cmd := range []string{
		`{"command": "set_mode_digital_output", "pin": 12}`,
		`{"command": "set_mode_pwm", "pin": 12}`,
		`{"command": "set_mode_digital_input_pullup", "pin": 12}`,
		`{"command": "analog_write", "pin": 12, "value": 1}`,
		`{"command": "blink"}`,
		`{"command": "digital_write", "pin": 16, "value": 1}`,
		`{"command": "set_mode_sonar", "trigger_pin": 5, "echo_pin": 4}`,
		`{"command": "i2c_read", "addr": 81, "register": 0, "number_of_bytes": 1}`,
		`{"command": "stepper_write", "motor_speed": 1, "number_of_steps": 2}`,
	} {
		d := memDevice(Options{})
		p := dial(t, start(t, d))
		p.raw()
		p.send(`{"command": "set_mode_i2c"}`)
		p.sync()
		p.send(cmd)
		deadline := time.Now().Add(patience)
		for d.Crashed() == "" {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not crash the firmware", cmd)
			}
			time.Sleep(time.Millisecond)
		}
		// Dead: a command now gets no answer, and the socket stays open.
		p.send(`{"command": "i2c_read", "addr": 80, "register": 0, "number_of_bytes": 1}`)
		p.c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		var ne net.Error
		for {
			c, err := p.r.ReadByte()
			if err == nil && c == ' ' {
				continue // the padding of the last report
			}
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Fatalf("%s: after the crash the link answered or closed: %q %v", cmd, c, err)
			}
			break
		}
		if d.Connected() {
			t.Fatalf("%s: still serving", cmd)
		}
	}
}

// TestBadJSON: a frame that is not JSON gets the error report (153 bytes
// for a 96-byte frame) and the socket closes; then no one is served
// until Reset.
func TestBadJSON(t *testing.T) {
	d := memDevice(Options{})
	addr := start(t, d)
	p := dial(t, addr)
	p.raw()
	p.send(`{"ab": "cd", "ef": ` + strings.Repeat("x", 96-19)) // not JSON, six quotes
	r := p.padded()
	if len(r) != 153 || !strings.HasPrefix(r, `{"error": "json value error - data: b'{\"ab\": \"cd\"`) || !strings.HasSuffix(r, `xxx' length 96"}`) {
		t.Fatalf("%q (%d bytes)", r, len(r))
	}
	if _, err := p.r.ReadByte(); err != io.EOF {
		t.Fatalf("after the JSON error: %v, want EOF", err)
	}

	// Spent: accepted, never greeted.
	q := dial(t, addr)
	q.c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := q.r.ReadByte(); err == nil {
		t.Fatal("a spent firmware greeted")
	}
	d.Reset()
	if _, err := q.r.ReadByte(); err == nil {
		t.Fatal("the held connection survived the reset")
	}
	p = dial(t, addr)
	if g := p.next(); g["report"] != "connected" {
		t.Fatalf("after reset: %v", g)
	}
	if d.Served() != 2 {
		t.Fatalf("served %d", d.Served())
	}
}

// TestAnalogFlood: without change_diff a report on every idle loop; with
// it, only changes of at least change_diff.
func TestAnalogFlood(t *testing.T) {
	d := memDevice(Options{})
	p := dial(t, start(t, d))
	p.raw()
	p.send(`{"command": "set_mode_i2c"}`)
	d.SetADC(300)
	p.send(`{"command": "set_mode_analog_input", "pin": 0}`)
	for range 20 { // about 0.2 s of idle loops, all the same value
		if r := p.next(); r["report"] != "analog_input" || r["value"] != 300.0 || r["pin"] != 0.0 {
			t.Fatalf("%v", r)
		}
	}
	p.send(`{"command": "set_mode_analog_input", "pin": 0, "change_diff": 10}`)
	p.sync()
	d.SetADC(305) // below change_diff: not reported
	p.sync()
	d.SetADC(320)
	for {
		r := p.next()
		if r["report"] != "analog_input" {
			continue
		}
		if r["value"] != 320.0 {
			t.Fatalf("reported %v (change_diff 10 from 300)", r["value"])
		}
		break
	}
}

// TestEnableDisables: the firmware's enable_analog_reporting disables it.
func TestEnableDisables(t *testing.T) {
	d := memDevice(Options{})
	p := dial(t, start(t, d))
	p.raw()
	p.send(`{"command": "set_mode_i2c"}`)
	p.send(`{"command": "set_mode_analog_input", "pin": 0}`)
	if r := p.next(); r["report"] != "analog_input" {
		t.Fatalf("%v", r)
	}
	p.send(`{"command": "enable_analog_reporting", "pin": 0}`)
	p.sync()
	time.Sleep(50 * time.Millisecond) // several idle loops, in which a report would be sent
	p.send(`{"command": "i2c_read", "addr": 80, "register": 0, "number_of_bytes": 1}`)
	if r := p.next(); r["report"] != "i2c_data" {
		t.Fatalf("analog reports after enable_analog_reporting: %v", r)
	}
}

// TestCommands: outputs, inputs, string values, servo, tone, stepper,
// sonar and i2c write, as the firmware does them.
func TestCommands(t *testing.T) {
	d := memDevice(Options{})
	p := dial(t, start(t, d))
	p.raw()
	p.send(`{"command": "set_mode_i2c"}`)
	p.send(`{"command": "set_mode_digital_output", "pin": 12, "value": 0, "drain": 0}`)
	p.send(`{"command": "digital_write", "pin": 13, "value": "0"}`)
	p.send(`{"command": "pwm_write", "pin": 14, "value": 512}`)
	p.send(`{"command": "servo_position", "pin": 15, "position": 90}`)
	p.send(`{"command": "play_tone", "pin": 5, "freq": 440, "duration": 100}`)
	p.send(`{"command": "set_mode_stepper", "pins": [4, 5, 12, 13], "steps_per_revolution": 512}`)
	p.send(`{"command": "stepper_write", "motor_speed": 3, "number_of_steps": -20}`)
	p.send(`{"command": "i2c_write", "addr": 80, "register": 2, "data": [7, 8]}`)
	p.send(`{"command": "set_mode_digital_input", "pin": 4, "pull_up": false, "irq": "rising"}`)
	p.sync()
	if s, _ := d.Pin(12); s.Mode != "output" || s.Value != 0 || !s.OpenDrain {
		t.Errorf("pin 12 %+v", s)
	}
	if s, _ := d.Pin(13); s.Value != 1 {
		t.Errorf("digital_write \"0\" left pin 13 at %d; the firmware drives it high", s.Value)
	}
	if s, _ := d.Pin(14); s.Duty != 512 {
		t.Errorf("pin 14 %+v", s)
	}
	if s, _ := d.Pin(15); s.Duty != 75 {
		t.Errorf("servo duty %+v", s)
	}
	if tones := d.Tones(); len(tones) != 1 || tones[0] != (Tone{5, 440, 100}) {
		t.Errorf("tones %v", tones)
	}
	if pins, pos, spd := d.Stepper(); len(pins) != 4 || pos != -20 || spd != 3 {
		t.Errorf("stepper %v %d %d", pins, pos, spd)
	}
	if m := d.I2C(0x50); m[2] != 7 || m[3] != 8 {
		t.Errorf("i2c memory %v", m[:4])
	}
	if s, _ := d.Pin(4); s.Mode != "input" || s.PullUp || s.IRQ != "rising" || s.Value != 0 {
		t.Errorf("pin 4 %+v", s)
	}
	d.SetInput(4, 1)
	if r := p.next(); r["report"] != "digital_input" || r["pin"] != 4.0 || r["value"] != 1.0 {
		t.Fatalf("%v", r)
	}
	d.SetInput(4, 0) // falling: not reported with irq "rising"
	d.SetInput(4, 1)
	if r := p.next(); r["value"] != 1.0 {
		t.Fatalf("%v", r)
	}
	d.SetDistance(42.5)
	p.send(`{"command": "set_mode_sonar", "trigger": 5, "echo": 4}`)
	for {
		if r := p.next(); r["report"] == "sonar_data" {
			if r["value"] != 42.5 {
				t.Fatalf("%v", r)
			}
			break
		}
	}
	if d.Crashed() != "" {
		t.Fatal(d.Crashed())
	}
	if n := len(d.Received()); n != 12 {
		t.Fatalf("received %d commands", n)
	}
}

// TestConnect: the firmware as the client of a gateway in server mode;
// after a disconnect it connects again only once reset.
func TestConnect(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	d := memDevice(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Connect(ctx, l.Addr().String()) }()
	defer func() { cancel(); <-done }()
	accept := func() *peer {
		c, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(patience))
		return &peer{t: t, c: c, r: bufio.NewReader(c)}
	}
	p := accept()
	if g := p.next(); g["report"] != "connected" {
		t.Fatal(g)
	}
	p.c.Close()
	testWait(t, func() bool { return !d.Connected() })
	d.Reset()
	p = accept()
	if g := p.next(); g["report"] != "connected" {
		t.Fatal(g)
	}
}

func testWait(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
