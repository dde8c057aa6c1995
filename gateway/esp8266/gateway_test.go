package esp8266_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/esp8266"
	"github.com/gobanyan/banyan/gateway/esp8266/espsim"
	"github.com/gobanyan/banyan/internal/testbp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	cmdTopic    = "to_esp8266_gateway"
	reportTopic = "from_esp8266_gateway"
)

// rig is a backplane, a client subscribed to the report and sys_msg
// topics, a gateway for an esp8266 Board, and (usually) the simulator.
type rig struct {
	t      *testing.T
	dev    *espsim.Device
	board  *esp8266.Board
	client *banyan.Component
	gwErr  chan error
}

func memory() map[int][]byte {
	mem := make([]byte, 256)
	for i := range mem {
		mem[i] = byte(200 + i%50)
	}
	return map[int][]byte{0x50: mem}
}

// newRig starts everything. With dev nil, o must reach a firmware of the
// test's own. With o.Mode Server, the simulator connects to the gateway.
func newRig(t *testing.T, dev *espsim.Device, o esp8266.Options) *rig {
	t.Helper()
	bp := testbp.Start(t, backplane.Options{})
	r := &rig{t: t, dev: dev, gwErr: make(chan error, 1)}
	r.client = bp.Connect(t, banyan.WithSubscriptions(reportTopic, gateway.SysMsgTopic))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	o.Logger = testbp.Quiet()
	if o.MinBackoff == 0 {
		o.MinBackoff, o.MaxBackoff = 10*time.Millisecond, 100*time.Millisecond
	}
	switch {
	case o.Mode == esp8266.Server:
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		o.Listener = l
		if dev != nil {
			wg.Add(1)
			go func() { defer wg.Done(); dev.Connect(ctx, l.Addr().String()) }()
		}
	case dev != nil:
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		host, port, _ := net.SplitHostPort(l.Addr().String())
		o.Addr = host
		o.Port, _ = strconv.Atoi(port)
		wg.Add(1)
		go func() { defer wg.Done(); dev.Serve(ctx, l) }()
	}
	board, err := esp8266.New(o)
	if err != nil {
		t.Fatal(err)
	}
	r.board = board
	gw, err := gateway.New(ctx, board, gateway.Options{Device: "esp8266", Backplane: bp.Options(), Logger: testbp.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := board.Run(ctx); err != nil {
			t.Errorf("board.Run: %v", err)
		}
	}()
	go func() { defer wg.Done(); r.gwErr <- gw.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		if err := <-r.gwErr; err != nil {
			t.Errorf("gateway Run: %v", err)
		}
		gw.Close()
	})
	return r
}

// await reads messages until one satisfies ok, failing after 20 s.
func (r *rig) await(what string, ok func(topic string, m map[string]any) bool) map[string]any {
	r.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case msg := <-r.client.Messages():
			m, err := banyan.DecodeMap(msg.Payload)
			if err != nil {
				r.t.Fatal(err)
			}
			if ok(msg.Topic, m) {
				return m
			}
		case <-deadline:
			r.t.Fatalf("gave up waiting for %s", what)
		}
	}
}

func (r *rig) sysMsg(prefix string) map[string]any {
	r.t.Helper()
	return r.await("sys_msg "+prefix, func(topic string, m map[string]any) bool {
		s, _ := m["sys_msg"].(string)
		return topic == gateway.SysMsgTopic && strings.HasPrefix(s, prefix)
	})
}

func (r *rig) report(name string) map[string]any {
	r.t.Helper()
	return r.await("report "+name, func(topic string, m map[string]any) bool {
		return topic == reportTopic && m["report"] == name
	})
}

// errorFor waits for the error report about command.
func (r *rig) errorFor(command string) map[string]any {
	r.t.Helper()
	return r.await("error report for "+command, func(topic string, m map[string]any) bool {
		return topic == reportTopic && m["report"] == "error" && m["command"] == command
	})
}

func (r *rig) send(c gateway.Command) {
	r.t.Helper()
	if err := r.client.Publish(cmdTopic, c); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) waitDev(what string, cond func() bool) {
	r.t.Helper()
	testbp.WaitFor(r.t, what, func() bool {
		if c := r.dev.Crashed(); c != "" {
			r.t.Fatalf("the firmware crashed: %s", c)
		}
		return cond()
	})
}

func intOf(v any) int {
	n, _ := strconv.Atoi(fmt.Sprint(v))
	return n
}

// TestEndToEnd: the gateway as a client of the simulated firmware, every
// kind of command from a bus client, and the reports back.
func TestEndToEnd(t *testing.T) {
	dev := espsim.New(espsim.Options{I2C: memory(), LongGreeting: true})
	r := newRig(t, dev, esp8266.Options{I2CAddrs: []int{0x50}})
	r.sysMsg("system_up")
	r.sysMsg("connected")
	if g := r.report("connected"); g["info"] != "esp8266 simulator" || g["timestamp"] == nil {
		t.Fatalf("greeting %v", g)
	}

	// Outputs, by tag.
	r.send(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(12), Tag: "led"})
	r.send(gateway.Command{Name: gateway.CmdDigitalWrite, Tag: "led", Value: 1})
	r.waitDev("led on", func() bool { s, _ := dev.Pin(12); return s.Mode == "output" && s.Value == 1 })
	r.send(gateway.Command{Name: gateway.CmdSetModePWM, Pin: new(14)})
	r.send(gateway.Command{Name: gateway.CmdPWMWrite, Pin: new(14), Value: 512})
	r.waitDev("pwm", func() bool { s, _ := dev.Pin(14); return s.Duty == 512 })
	r.send(gateway.Command{Name: gateway.CmdSetModeServo, Pin: new(15)})
	r.send(gateway.Command{Name: gateway.CmdServoPosition, Pin: new(15), Position: 180})
	r.waitDev("servo", func() bool { s, _ := dev.Pin(15); return s.Duty == 120 })
	r.send(gateway.Command{Name: gateway.CmdSetModeTone, Pin: new(13)})
	r.send(gateway.Command{Name: gateway.CmdPlayTone, Pin: new(13), Freq: 880, Duration: 50})
	r.waitDev("tone", func() bool { return slices.Contains(dev.Tones(), espsim.Tone{Pin: 13, Freq: 880, Duration: 50}) })
	r.send(gateway.Command{Name: gateway.CmdSetModeStepper, Pins: []int{4, 5, 12, 13}, StepsPerRevolution: 512})
	r.send(gateway.Command{Name: gateway.CmdStepperWrite, MotorSpeed: 2, NumberOfSteps: -64})
	r.waitDev("stepper", func() bool { _, pos, _ := dev.Stepper(); return pos == -64 })

	// Inputs, with the board's options.
	r.send(gateway.Command{Name: gateway.CmdSetModeDigitalInput, Pin: new(4), Extra: map[string]any{"pull_up": false, "irq": "both"}})
	r.waitDev("input", func() bool { s, _ := dev.Pin(4); return s.Mode == "input" && !s.PullUp })
	dev.SetInput(4, 1)
	if in := r.report("digital_input"); intOf(in["pin"]) != 4 || intOf(in["value"]) != 1 || in["timestamp"] == nil {
		t.Fatalf("digital_input %v", in)
	}
	r.send(gateway.Command{Name: gateway.CmdSetModeDigitalInputPullup, Pin: new(5)})
	r.waitDev("pull-up input", func() bool { s, _ := dev.Pin(5); return s.Mode == "input" && s.PullUp })

	dev.SetADC(700)
	r.send(gateway.Command{Name: gateway.CmdSetModeAnalogInput, Pin: new(0)})
	if in := r.report("analog_input"); intOf(in["value"]) != 700 {
		t.Fatalf("analog_input %v", in)
	}

	dev.SetDistance(33.5)
	r.send(gateway.Command{Name: gateway.CmdSetModeSonar, Pin: new(5), EchoPin: 4})
	if s := r.report("sonar_data"); s["value"] != 33.5 {
		t.Fatalf("sonar %v", s)
	}

	r.send(gateway.Command{Name: gateway.CmdSetModeI2C})
	r.send(gateway.Command{Name: gateway.CmdI2CWrite, Addr: 0x50, Register: new(3), Data: []byte{100, 101}})
	r.send(gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x50, Register: new(0), NumberOfBytes: 16}) // a 113-byte report
	d := r.report("i2c_data")
	vals, _ := d["value"].([]any)
	if len(vals) != 16 || intOf(vals[0]) != 200 || intOf(vals[3]) != 100 || intOf(vals[4]) != 101 || intOf(d["addr"]) != 0x50 {
		t.Fatalf("i2c_data %v", d)
	}

	// What the firmware cannot take is refused on the bus.
	for _, c := range []struct {
		cmd  gateway.Command
		code string
	}{
		{gateway.Command{Name: gateway.CmdAnalogWrite, Pin: new(12), Value: 1}, gateway.CodeUnsupported},
		{gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(2), Value: 1}, gateway.CodeBadCommand},
		{gateway.Command{Name: gateway.CmdI2CWrite, Addr: 0x50, Data: make([]byte, 40)}, gateway.CodeBoard},
		{gateway.Command{Name: gateway.CmdI2CRead, Addr: 0x51, NumberOfBytes: 1}, gateway.CodeBoard},
		{gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(13), Extra: map[string]any{"value": "0"}}, gateway.CodeBadCommand},
	} {
		r.send(c.cmd)
		if e := r.errorFor(c.cmd.Name); e["code"] != c.code {
			t.Fatalf("%s: %v, want code %s", c.cmd.Name, e, c.code)
		}
	}

	// enable and disable are the gateway's business: the firmware's
	// enable would disable.
	r.send(gateway.Command{Name: gateway.CmdDisableDigitalReporting, Pin: new(4)})
	r.send(gateway.Command{Name: gateway.CmdEnableDigitalReporting, Pin: new(4)})
	r.send(gateway.Command{Name: gateway.CmdSetModeServo, Pin: new(5)}) // a marker
	r.waitDev("marker", func() bool { s, _ := dev.Pin(5); return s.Mode == "servo" })
	for _, m := range dev.Received() {
		if strings.HasSuffix(fmt.Sprint(m["command"]), "_reporting") {
			t.Fatalf("the firmware received %v", m)
		}
	}
	dev.SetInput(4, 0)
	if in := r.report("digital_input"); intOf(in["value"]) != 0 {
		t.Fatalf("digital_input after enable %v", in)
	}
	if dev.Crashed() != "" {
		t.Fatal(dev.Crashed())
	}
	if st := r.board.Stats(); st.Refused != 5 || st.Connects != 1 || st.Garbage != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestAnalogRepeats: with change_diff 0 the firmware floods; the gateway
// publishes each value once.
func TestAnalogRepeats(t *testing.T) {
	dev := espsim.New(espsim.Options{})
	r := newRig(t, dev, esp8266.Options{})
	r.sysMsg("connected")
	dev.SetADC(300)
	r.send(gateway.Command{Name: gateway.CmdSetModeAnalogInput, Pin: new(3), Extra: map[string]any{"change_diff": 0}})
	if in := r.report("analog_input"); intOf(in["value"]) != 300 || intOf(in["pin"]) != 3 {
		t.Fatalf("%v", in)
	}
	testbp.WaitFor(t, "repeats dropped", func() bool { return r.board.Stats().Repeats >= 10 })
	dev.SetADC(301)
	if in := r.report("analog_input"); intOf(in["value"]) != 301 {
		t.Fatalf("after 300 came %v", in)
	}
}

// TestReconnect: a lost link is announced, the spent firmware's silence
// is explained, commands meanwhile are refused, and after the reset the
// gateway is back by itself.
func TestReconnect(t *testing.T) {
	dev := espsim.New(espsim.Options{})
	// The greeting bound also applies to the first link and to the one
	// after the reset, whose greeting comes from the simulator's
	// goroutines: 2 s leaves a busy machine room (a link that misses it
	// spends the simulated firmware until its next reset).
	r := newRig(t, dev, esp8266.Options{GreetingTimeout: 2 * time.Second})
	r.sysMsg("connected")
	dev.Drop()
	r.sysMsg("lost the esp8266")
	r.sysMsg("the esp8266 at") // accepted but never greeted
	r.send(gateway.Command{Name: gateway.CmdSetModeServo, Pin: new(4)})
	if e := r.errorFor(gateway.CmdSetModeServo); e["code"] != gateway.CodeBoard || !strings.Contains(fmt.Sprint(e["error"]), "no link") {
		t.Fatalf("%v", e)
	}
	dev.Reset()
	r.sysMsg("connected")
	r.send(gateway.Command{Name: gateway.CmdSetModeServo, Pin: new(4)})
	r.waitDev("servo after reconnect", func() bool { s, _ := dev.Pin(4); return s.Mode == "servo" })
	if st := r.board.Stats(); st.Connects != 2 || st.Losses != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// TestServerMode: the firmware connects to the gateway (-c server).
func TestServerMode(t *testing.T) {
	dev := espsim.New(espsim.Options{})
	r := newRig(t, dev, esp8266.Options{Mode: esp8266.Server})
	r.sysMsg("waiting for the esp8266")
	r.sysMsg("connected")
	r.send(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(5)})
	r.send(gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(5), Value: 1})
	r.waitDev("output", func() bool { s, _ := dev.Pin(5); return s.Value == 1 })
	dev.Drop()
	r.sysMsg("lost the esp8266")
	dev.Reset() // the firmware connects again
	r.sysMsg("connected")
}

// TestHostileFirmware: a firmware of the test's own sends a long
// greeting, garbage, an oversize object, a report and the JSON-error
// report, then closes: the report gets through, the garbage is counted,
// the error is passed on and the loss explained.
func TestHostileFirmware(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	host, port, _ := net.SplitHostPort(l.Addr().String())
	p, _ := strconv.Atoi(port)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		pad := func(s string, n int) string { return s + strings.Repeat(" ", max(0, n-len(s))) }
		c.Write([]byte(pad(`{"report": "connected", "info": "hostile"}`, 102)))
		c.Write([]byte("\x00garbage!! ]"))
		c.Write([]byte(`{"x": "` + strings.Repeat("y", 2*esp8266.MaxReport) + `"}`))
		c.Write([]byte(`{"report": "digital_input", "pin": 4, "value": 1}   {"report": 7} {"no": "report"} {bad json}`))
		c.Write([]byte(pad(`{"error": "json value error - data: b'xx' length 96"}`, 96)))
		// The firmware closes; wait for the gateway to see it.
		c.(*net.TCPConn).CloseWrite()
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		buf := make([]byte, 512)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}()
	r := newRig(t, nil, esp8266.Options{Addr: host, Port: p, MinBackoff: time.Hour})
	if in := r.report("digital_input"); intOf(in["pin"]) != 4 {
		t.Fatalf("%v", in)
	}
	if e := r.await("error", func(topic string, m map[string]any) bool { return topic == reportTopic && m["error"] != nil }); e["report"] != nil {
		t.Fatalf("%v", e)
	}
	if m := r.sysMsg("lost the esp8266"); !strings.Contains(fmt.Sprint(m["sys_msg"]), "JSON error") {
		t.Fatalf("%v", m)
	}
	st := r.board.Stats()
	if st.Oversize != 1 || st.Garbage < 4 || st.Reports < 3 {
		t.Fatalf("stats %+v", st)
	}
	l.Close()
	<-done
}
