package firmatasim

import (
	"bytes"
	"context"
	"errors"
	"net"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"go.bug.st/serial"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// protocol.md "Query Firmware Name and Version" and "REPORT_VERSION":
// StandardFirmata announces itself when it starts; bytes sent during the
// bootloader window are lost, as on an Uno.
func TestServeBootWindowThenAnnouncement(t *testing.T) {
	d := New(Options{BootDelay: 1500 * time.Millisecond})
	h := served(t, d)
	h.send(0xF0, 0x6B, 0xF7) // a capability query, lost in the boot window
	waitFor(t, d, "the boot window to eat the query", func() bool { return d.Dropped() >= 3 })
	h.expect(announcement("StandardFirmata.ino"))
	h.send(0xF9) // protocol.md: REPORT_VERSION query
	h.expect([]byte{0xF9, 2, 5})
	if d.Resets() != 1 {
		t.Errorf("Resets = %d, want 1", d.Resets())
	}
}

func TestVersionOptions(t *testing.T) {
	d := New(fast(Options{Firmware: "Sim", Major: 2, Minor: 6, FirmwareMajor: 3, FirmwareMinor: 1}))
	h := served(t, d)
	h.expect([]byte{0xF9, 2, 6, 0xF0, 0x79, 3, 1, 'S', 0, 'i', 0, 'm', 0, 0xF7})
	h.send(0xF0, 0x79, 0xF7) // REPORT_FIRMWARE query
	h.expect([]byte{0xF0, 0x79, 3, 1, 'S', 0, 'i', 0, 'm', 0, 0xF7})
}

// unoCapabilities is the capability response of an Uno (protocol.md
// "Capability Query"), written out by hand: mode, resolution pairs per
// pin, 0x7F after each pin.
func unoCapabilities() []byte {
	dig := []byte{0x00, 1, 0x0B, 1, 0x01, 1}
	servo := []byte{0x04, 14}
	b := []byte{0xF0, 0x6C, 0x7F, 0x7F} // pins 0 and 1: the serial port
	for pin := 2; pin < 20; pin++ {
		b = append(b, dig...)
		if pin >= 14 {
			b = append(b, 0x02, 10)
		}
		if pin == 3 || pin == 5 || pin == 6 || pin == 9 || pin == 10 || pin == 11 {
			b = append(b, 0x03, 8)
		}
		b = append(b, servo...)
		if pin == 18 || pin == 19 {
			b = append(b, 0x06, 1)
		}
		b = append(b, 0x7F)
	}
	return append(b, 0xF7)
}

func TestQueries(t *testing.T) {
	d := New(fast(Options{}))
	h := served(t, d)
	h.skipUntil([]byte{0xF7}) // the announcement
	h.send(0xF0, 0x6B, 0xF7)
	h.expect(unoCapabilities())
	// protocol.md "Analog Mapping Query": 127 for pins with no channel.
	h.send(0xF0, 0x69, 0xF7)
	want := []byte{0xF0, 0x6A}
	for range 14 {
		want = append(want, 0x7F)
	}
	want = append(want, 0, 1, 2, 3, 4, 5, 0xF7)
	h.expect(want)
	// protocol.md "Pin State Query": after reset an analog pin is ANALOG,
	// a digital pin OUTPUT (StandardFirmata's start-up modes), state 0.
	h.send(0xF0, 0x6D, 14, 0xF7)
	h.expect([]byte{0xF0, 0x6E, 14, 0x02, 0, 0xF7})
	h.send(0xF0, 0x6D, 7, 0xF7)
	h.expect([]byte{0xF0, 0x6E, 7, 0x01, 0, 0xF7})
	// A pin the board lacks gets no answer.
	h.send(0xF0, 0x6D, 40, 0xF7)
	h.sync()
	if d.Mode(7) != -1 {
		t.Errorf("Mode(7) before any SET_PIN_MODE = %d, want -1", d.Mode(7))
	}
}

func TestDigitalOutput(t *testing.T) {
	d := New(fast(Options{}))
	h := served(t, d)
	h.sync()
	h.send(0xF4, 13, 0x01)   // SET_PIN_MODE 13 OUTPUT
	h.send(0x91, 0x20, 0x00) // DIGITAL_MESSAGE port 1: bit 5 = pin 13
	waitFor(t, d, "pin 13 high", func() bool { return d.Digital(13) == 1 })
	if d.Mode(13) != ModeOutput {
		t.Errorf("Mode(13) = %d", d.Mode(13))
	}
	// protocol.md "Pin State Query": an output's state is its level.
	h.send(0xF0, 0x6D, 13, 0xF7)
	h.expect([]byte{0xF0, 0x6E, 13, 0x01, 1, 0xF7})
	// SET_DIGITAL_PIN_VALUE (2.5)
	h.send(0xF5, 13, 0)
	waitFor(t, d, "pin 13 low", func() bool { return d.Digital(13) == 0 })
	// Pin 7 is bit 0 of the second data byte.
	h.send(0xF4, 7, 0x01, 0x90, 0x00, 0x01)
	waitFor(t, d, "pin 7 high", func() bool { return d.Digital(7) == 1 })
	// An input does not move.
	h.send(0xF4, 8, 0x00, 0xF5, 8, 1)
	h.sync()
	if d.Digital(8) != 0 {
		t.Error("SET_DIGITAL_PIN_VALUE moved an input")
	}
}

func TestDigitalReporting(t *testing.T) {
	d := New(fast(Options{}))
	h := served(t, d)
	h.sync()
	h.send(0xF4, 2, 0x00) // pin 2 INPUT
	h.send(0xF4, 7, 0x0B) // pin 7 PULLUP: reads 1 undriven
	// protocol.md "report digital port": reporting starts with the port's
	// value at once.
	h.send(0xD0, 1)
	h.expect([]byte{0x90, 0x00, 0x01})
	d.SetDigitalInput(2, 1)
	h.expect([]byte{0x90, 0x04, 0x01})
	d.SetDigitalInput(7, 0)
	h.expect([]byte{0x90, 0x04, 0x00})
	// An output's level is not in the report.
	h.send(0xF4, 3, 0x01, 0x90, 0x08, 0x00)
	h.sync()
	d.SetDigitalInput(2, 0)
	h.expect([]byte{0x90, 0x00, 0x00})
	h.send(0xD0, 0)
	waitFor(t, d, "reporting off", func() bool { return !d.DigitalReporting(0) })
	d.SetDigitalInput(2, 1)
	h.send(0xF9)
	h.expect([]byte{0xF9, 2, 5}) // no DIGITAL_MESSAGE before it
	// Port 2 (pins 16-19) as digital inputs.
	h.send(0xF4, 16, 0x00, 0xD2, 1)
	h.expect([]byte{0x90 | 2, 0x00, 0x00})
	d.SetDigitalInput(16, 1)
	h.expect([]byte{0x92, 0x01, 0x00})
}

func TestAnalogReporting(t *testing.T) {
	d := New(fast(Options{}))
	h := served(t, d)
	h.sync()
	d.SetAnalogInput(2, 700) // 700 = 0x2BC: lsb 0x3C, msb 0x05
	// StandardFirmata: SET_PIN_MODE ANALOG turns the channel's reporting
	// on, and turning it on sends the value at once.
	h.send(0xF4, 16, 0x02)
	h.expect([]byte{0xE2, 0x3C, 0x05})
	h.expect([]byte{0xE2, 0x3C, 0x05}) // and again each sampling interval
	d.SetAnalogInput(2, 1023)
	h.skipUntil([]byte{0xE2, 0x7F, 0x07})
	// protocol.md "sampling interval"
	h.send(0xF0, 0x7A, 0x64, 0x00, 0xF7)
	waitFor(t, d, "100 ms sampling", func() bool { return d.SamplingInterval() == 100*time.Millisecond })
	h.send(0xF0, 0x7A, 0, 0, 0xF7) // 0 is raised to the minimum
	waitFor(t, d, "1 ms sampling", func() bool { return d.SamplingInterval() == time.Millisecond })
	// REPORT_ANALOG off; then nothing but replies.
	h.send(0xC2, 0)
	h.sync()
	h.send(0xF9)
	h.expect([]byte{0xF9, 2, 5})
	// REPORT_ANALOG on also sends at once.
	h.send(0xC2, 1)
	h.expect([]byte{0xE2, 0x7F, 0x07})
	// Leaving ANALOG mode stops the reports.
	h.send(0xF4, 16, 0x00)
	h.sync()
	h.send(0xF9)
	h.expect([]byte{0xF9, 2, 5})
	if d.AnalogReporting(2) {
		t.Error("reporting still on after the pin left ANALOG mode")
	}
}

func TestPWMAndServo(t *testing.T) {
	d := New(fast(Options{}))
	h := served(t, d)
	h.sync()
	h.send(0xF4, 9, 0x03, 0xE9, 0x7F, 0x01) // PWM 255 on pin 9
	waitFor(t, d, "pwm 255", func() bool { return d.Analog(9) == 255 })
	h.send(0xF4, 2, 0x03) // pin 2 has no PWM: ignored
	h.sync()
	if d.Mode(2) != -1 {
		t.Errorf("Mode(2) after SET_PIN_MODE PWM = %d, want unchanged -1", d.Mode(2))
	}
	h.send(0xE2, 0x10, 0x00) // not a PWM or servo pin: ignored
	h.sync()
	if d.Analog(2) != 0 {
		t.Errorf("Analog(2) = %d", d.Analog(2))
	}
	// servos.md SERVO_CONFIG: pin 2, min 544, max 2400; the pin becomes a
	// servo.
	h.send(0xF0, 0x70, 2, 544&0x7F, 544>>7, 2400&0x7F, 2400>>7, 0xF7)
	waitFor(t, d, "servo mode", func() bool { return d.Mode(2) == ModeServo })
	if r, ok := d.Servo(2); !ok || r != (ServoRange{544, 2400}) {
		t.Errorf("Servo(2) = %v %v", r, ok)
	}
	h.send(0xE2, 90, 0)
	waitFor(t, d, "servo 90", func() bool { return d.Analog(2) == 90 })
	// protocol.md "extended analog": pin 2, 180 in two 7-bit bytes.
	h.send(0xF0, 0x6F, 2, 180&0x7F, 180>>7, 0xF7)
	waitFor(t, d, "servo 180", func() bool { return d.Analog(2) == 180 })
	// Pin state of a PWM pin is its duty.
	h.send(0xF0, 0x6D, 9, 0xF7)
	h.expect([]byte{0xF0, 0x6E, 9, 0x03, 0x7F, 0x01, 0xF7})
	// An unknown mode number: STRING_DATA "Unknown pin mode".
	h.send(0xF4, 5, 0x55)
	h.expect(stringData("Unknown pin mode"))
}

func TestI2C(t *testing.T) {
	d := New(fast(Options{}))
	h := served(t, d)
	h.sync()
	// i2c.md "I2C config"
	h.send(0xF0, 0x78, 0, 0, 0xF7)
	waitFor(t, d, "i2c on", d.I2CEnabled)
	if d.Mode(18) != ModeI2C || d.Mode(19) != ModeI2C {
		t.Errorf("modes of 18, 19 = %d, %d", d.Mode(18), d.Mode(19))
	}
	// i2c.md write: address 0x50, mode 00; [register 4, 0xAB, 0xCD].
	h.send(0xF0, 0x76, 0x50, 0x00, 4, 0, 0xAB&0x7F, 1, 0xCD&0x7F, 1, 0xF7)
	waitFor(t, d, "register 5", func() bool { v, _ := d.I2CRegister(0x50, 5); return v == 0xCD })
	// Read once (mode 01), register 3, 3 bytes: 3 (untouched), 0xAB, 0xCD.
	h.send(0xF0, 0x76, 0x50, 0x08, 3, 0, 3, 0, 0xF7)
	h.expect([]byte{0xF0, 0x77, 0x50, 0, 3, 0, 3, 0, 0x2B, 1, 0x4D, 1, 0xF7})
	// Without a register: where the last read left off (6), register 127 127.
	h.send(0xF0, 0x76, 0x50, 0x08, 1, 0, 0xF7)
	h.expect([]byte{0xF0, 0x77, 0x50, 0, 0x7F, 0x7F, 6, 0, 0xF7})
	// Another address does not answer.
	h.send(0xF0, 0x76, 0x20, 0x08, 0, 0, 1, 0, 0xF7)
	h.sync()
	// Read continuously (mode 10): a reply each sampling interval, until
	// stop reading (mode 11).
	reply := []byte{0xF0, 0x77, 0x50, 0, 10, 0, 10, 0, 0xF7}
	h.send(0xF0, 0x76, 0x50, 0x10, 10, 0, 1, 0, 0xF7)
	h.expect(reply)
	h.expect(reply)
	h.send(0xF0, 0x76, 0x50, 0x18, 0xF7)
	h.sync()
	h.send(0xF9)
	h.expect([]byte{0xF9, 2, 5})
	// A read of more than Wire's 32 bytes returns 32.
	h.send(0xF0, 0x76, 0x50, 0x08, 0, 0, 100, 0, 0xF7)
	h.fill(6 + 2*MaxI2CRead + 1)
	if h.buf[6+2*MaxI2CRead] != 0xF7 {
		t.Fatalf("long read reply: % X", h.buf)
	}
}

// The firmware's parser: a byte with the high bit set starts a new message,
// whatever was in progress; unknown sysex and stray bytes are skipped.
func TestGarbage(t *testing.T) {
	var mu sync.Mutex
	var msgs [][]byte
	d := New(fast(Options{OnMessage: func(_ time.Time, m []byte) {
		mu.Lock()
		msgs = append(msgs, m)
		mu.Unlock()
	}}))
	h := served(t, d)
	h.sync()
	before := d.Dropped()
	h.send(0x05, 0x06)             // data bytes with no command: 2 dropped
	h.send(0xF4, 13)               // SET_PIN_MODE cut short by ...
	h.send(0xF0, 0x01, 0x02, 0xF9) // ... a sysex, cut short by REPORT_VERSION
	h.expect([]byte{0xF9, 2, 5})
	h.send(0xF0, 0x11, 0x22, 0xF7) // an unknown sysex: ignored
	big := []byte{0xF0, 0x71}
	for range MaxSysex + 10 {
		big = append(big, 0x41)
	}
	h.send(append(big, 0xF7)...) // too long: dropped
	h.send(0xF7)                 // a stray END_SYSEX
	h.send(0xF9)
	h.expect([]byte{0xF9, 2, 5})
	if got := d.Dropped() - before; got != 6 {
		t.Errorf("Dropped went up by %d, want 6", got)
	}
	mu.Lock()
	defer mu.Unlock()
	want := [][]byte{{0xF9}, {0xF0, 0x11, 0x22, 0xF7}, {0xF9}}
	if got := msgs[len(msgs)-3:]; !slices.EqualFunc(got, want, bytes.Equal) {
		t.Errorf("OnMessage got % X, want % X", got, want)
	}
}

func TestSystemResetAndInject(t *testing.T) {
	d := New(fast(Options{}))
	h := served(t, d)
	h.sync()
	h.send(0xF4, 13, 0x01, 0xF5, 13, 1)
	waitFor(t, d, "pin 13", func() bool { return d.Digital(13) == 1 })
	h.send(0xFF)
	waitFor(t, d, "system reset", func() bool { return d.SystemResets() == 1 })
	if d.Mode(13) != -1 || d.Digital(13) != 0 || d.Resets() != 1 {
		t.Errorf("after SYSTEM_RESET: mode %d level %d resets %d", d.Mode(13), d.Digital(13), d.Resets())
	}
	d.Inject([]byte{0xF0, 0x79, 0x01})
	h.expect([]byte{0xF0, 0x79, 0x01})
}

func TestSilent(t *testing.T) {
	d := New(Options{Silent: true, BootDelay: -1})
	dev, hst := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Serve(ctx, dev) }()
	if _, err := hst.Write([]byte{0xF9, 0xF0, 0x79, 0xF7}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, d, "bytes ignored", func() bool { return d.Dropped() == 4 })
	d.Inject([]byte{1, 2, 3})
	hst.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, err := hst.Read(make([]byte, 1)); n != 0 {
		t.Errorf("a silent board sent something: %d %v", n, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
	hst.Close()
	dev.Close()
}

// A host that stops reading must not keep Serve from ending.
func TestServeEndsWhileHostDoesNotRead(t *testing.T) {
	d := New(fast(Options{}))
	dev, hst := net.Pipe()
	defer hst.Close()
	defer dev.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Serve(ctx, dev) }()
	waitFor(t, d, "serving", func() bool { return d.Resets() == 1 })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(deadline):
		t.Fatal("Serve did not return")
	}
}

func TestServeReturnsHostHangup(t *testing.T) {
	d := New(fast(Options{}))
	dev, hst := net.Pipe()
	defer dev.Close()
	done := make(chan error, 1)
	go func() { done <- d.Serve(context.Background(), dev) }()
	hst.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Serve returned nil when the link failed")
		}
	case <-time.After(deadline):
		t.Fatal("Serve did not return")
	}
}

func TestTCP(t *testing.T) {
	d := New(Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.ServeTCP(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ServeTCP: %v", err)
		}
	}()
	for i := range 2 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		h := newHost(t, c)
		// No announcement on connect: the first bytes answer the query.
		h.send(0xF9)
		h.expect([]byte{0xF9, 2, 5})
		if i == 0 {
			h.send(0xF4, 13, 0x01, 0xF5, 13, 1)
			waitFor(t, d, "pin 13", func() bool { return d.Digital(13) == 1 })
		}
		c.Close()
	}
	if d.Resets() != 1 || d.Digital(13) != 1 {
		t.Errorf("a new connection reset the board: resets %d, pin 13 %d", d.Resets(), d.Digital(13))
	}
}

func TestFirmataExpress(t *testing.T) {
	d := New(fast(Options{Firmware: "FirmataExpress.ino", InstanceID: 9}))
	h := served(t, d)
	// Silent at start: the first bytes answer ARE_YOU_THERE.
	h.send(0xF0, 0x51, 0xF7)
	h.expect([]byte{0xF0, 0x52, 9, 0xF7})
	// TONE_DATA: TONE_TONE pin 3, 440 Hz, 500 ms; TONE_NO_TONE pin 3.
	h.send(0xF4, 3, 0x0D)
	h.send(0xF0, 0x5F, 0, 3, 440&0x7F, 440>>7, 500&0x7F, 500>>7, 0xF7)
	h.send(0xF0, 0x5F, 1, 3, 0xF7)
	waitFor(t, d, "tones", func() bool { return len(d.Tones()) == 2 })
	if got := d.Tones(); got[0] != (Tone{3, 440, 500 * time.Millisecond}) || got[1] != (Tone{Pin: 3}) {
		t.Errorf("Tones = %v", got)
	}
	if d.Mode(3) != ModeTone {
		t.Errorf("Mode(3) = %d", d.Mode(3))
	}
	// STEPPER_DATA: configure 200 steps/rev on 8, 9, 10, 11; 300 forward,
	// 100 back.
	h.send(0xF0, 0x72, 0, 200&0x7F, 200>>7, 8, 9, 10, 11, 0xF7)
	h.send(0xF0, 0x72, 1, 0x10, 0, 0, 300&0x7F, 300>>7, 1, 0xF7)
	h.send(0xF0, 0x72, 1, 0x10, 0, 0, 100, 0, 0, 0xF7)
	waitFor(t, d, "steps", func() bool { return d.Stepper().Moves == 2 })
	if st := d.Stepper(); st.Position != 200 || st.StepsPerRevolution != 200 || !slices.Equal(st.Pins, []int{8, 9, 10, 11}) || st.Speed != 0x10 {
		t.Errorf("Stepper = %+v", st)
	}
	// SONAR_CONFIG trigger 12, echo 13: SONAR_DATA every sampling interval.
	d.SetSonarDistance(12, 150)
	h.send(0xF0, 0x62, 12, 13, 0x00, 0x04, 0xF7)
	h.skipUntil([]byte{0xF0, 0x63, 12, 150 & 0x7F, 150 >> 7, 0xF7})
	h.expect([]byte{0xF0, 0x63, 12, 150 & 0x7F, 150 >> 7, 0xF7})
	// StandardFirmata's queries work too.
	h.send(0xF0, 0x6D, 3, 0xF7)
	h.skipUntil([]byte{0xF0, 0x6E, 3, 0x0D, 0, 0xF7})
	// KEEP_ALIVE 1 s, then silence: the watchdog resets the board, which
	// then sends nothing (FirmataExpress is silent) and forgets its pins.
	h.send(0xF0, 0x50, 1, 0, 0xF7)
	waitFor(t, d, "keep-alive reset", func() bool { return d.Resets() == 2 })
	if d.Mode(3) != -1 || d.KeepAlives() != 1 {
		t.Errorf("after the watchdog: Mode(3) %d, keep-alives %d", d.Mode(3), d.KeepAlives())
	}
}

func TestStandardIgnoresExpressSysex(t *testing.T) {
	d := New(fast(Options{}))
	h := served(t, d)
	h.sync()
	h.send(0xF0, 0x51, 0xF7)
	h.send(0xF0, 0x5F, 0, 3, 1, 1, 1, 1, 0xF7)
	h.send(0xF9)
	h.expect([]byte{0xF9, 2, 5})
	if len(d.Tones()) != 0 {
		t.Error("StandardFirmata played a tone")
	}
}

func openSerial(t testing.TB, path string) serial.Port {
	t.Helper()
	port, err := serial.Open(path, &serial.Mode{BaudRate: 57600})
	if err != nil {
		t.Fatalf("serial.Open(%s): %v", path, err)
	}
	return port
}

// The host opens the pty link with go.bug.st/serial (what the driver
// uses); each open resets the board, Unplug fails the host's reads, Replug
// brings the board back behind the same path.
func TestPTY(t *testing.T) {
	d := New(Options{BootDelay: 20 * time.Millisecond, Logger: testLogger()})
	link := filepath.Join(t.TempDir(), "ttyACM0")
	p, err := d.ServePTY(context.Background(), link)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Path() != link {
		t.Errorf("Path = %q", p.Path())
	}
	port := openSerial(t, link)
	h := newHost(t, port)
	h.expect(announcement("StandardFirmata.ino"))
	h.send(0xF0, 0x6B, 0xF7)
	h.expect(unoCapabilities())
	// Bytes with the high bit and CR/LF pass untranslated (raw mode).
	h.send(0xF4, 13, 0x01, 0x91, 0x20, 0x00)
	waitFor(t, d, "pin 13", func() bool { return d.Digital(13) == 1 })
	d.Inject([]byte{0x0D, 0x0A, 0xFF})
	h.expect([]byte{0x0D, 0x0A, 0xFF})
	port.Close()
	h.readErr()

	// Reopening resets the board (DTR).
	port = openSerial(t, link)
	h = newHost(t, port)
	h.expect(announcement("StandardFirmata.ino"))
	if d.Resets() != 2 || d.Digital(13) != 0 {
		t.Errorf("after reopen: resets %d, pin 13 %d", d.Resets(), d.Digital(13))
	}
	// Unplug: the host's reads fail.
	if err := p.Unplug(); err != nil {
		t.Fatal(err)
	}
	if err := h.readErr(); err == nil {
		t.Error("read after Unplug succeeded")
	}
	port.Close()
	if _, err := serial.Open(link, &serial.Mode{}); err == nil {
		t.Error("opened an unplugged link")
	}
	if err := p.Replug(); err != nil {
		t.Fatal(err)
	}
	if err := p.Replug(); !errors.Is(err, ErrPlugged) {
		t.Errorf("second Replug: %v", err)
	}
	port = openSerial(t, link)
	h = newHost(t, port)
	h.expect(announcement("StandardFirmata.ino"))
	if d.Resets() != 3 {
		t.Errorf("after replug: resets %d", d.Resets())
	}
	port.Close()
	if err := p.Close(); err != nil {
		t.Error(err)
	}
	if err := p.Replug(); err == nil {
		t.Error("Replug after Close worked")
	}
}

// What go.bug.st/serial's modem-line calls do on a pty: the driver must
// not depend on them.
func TestPTYModemLines(t *testing.T) {
	d := New(fast(Options{}))
	link := filepath.Join(t.TempDir(), "ttyACM0")
	ctx, cancel := context.WithCancel(context.Background())
	p, err := d.ServePTY(ctx, link)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		p.Close()
	}()
	if port, err := serial.Open(link, &serial.Mode{InitialStatusBits: &serial.ModemOutputBits{DTR: true}}); err == nil {
		port.Close()
		t.Log("Open with InitialStatusBits works on a pty")
	} else {
		t.Logf("Open with InitialStatusBits fails on a pty: %v", err)
	}
	port := openSerial(t, link)
	defer port.Close()
	t.Logf("SetDTR: %v; SetRTS: %v", port.SetDTR(false), port.SetRTS(true))
	_, err = port.GetModemStatusBits()
	t.Logf("GetModemStatusBits: %v", err)
	t.Logf("ResetInputBuffer: %v; Drain: %v", port.ResetInputBuffer(), port.Drain())
}
