package firmatasim

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// session is the firmware serving one link.
type session struct {
	rw   io.ReadWriter
	poke chan struct{} // an input changed

	wmu  sync.Mutex
	werr error

	// Owned by the session's goroutine:
	out      []byte  // replies gathered while handling a chunk
	sentPort [16]int // last DIGITAL_MESSAGE value per port; -1 none
	dirty    bool    // state changed: check the digital ports
}

func (s *session) write(b []byte) {
	if len(b) == 0 {
		return
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.werr != nil {
		return
	}
	if _, err := s.rw.Write(b); err != nil {
		s.werr = err
	}
}

func (s *session) writeErr() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.werr
}

// Serve runs the firmware on one link as if the board had just been reset:
// pin state is reset, BootDelay passes (what arrives meanwhile is lost),
// then StandardFirmata sends REPORT_VERSION and REPORT_FIRMWARE unprompted
// (FirmataExpress sends nothing); then it answers queries and reports until
// ctx ends (Serve returns nil) or rw fails (Serve returns the error; io.EOF
// when the host hung up). If rw has SetReadDeadline and SetWriteDeadline
// (a net.Conn, an *os.File), Serve uses them to stop its reads and writes
// when ctx ends, and returns after its reader goroutine has; otherwise that
// goroutine ends when rw's Read next returns.
func (d *Device) Serve(ctx context.Context, rw io.ReadWriter) error {
	return d.run(ctx, rw, true)
}

type deadliner interface {
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

func (d *Device) run(ctx context.Context, rw io.ReadWriter, reset bool) error {
	s := &session{rw: rw, poke: make(chan struct{}, 1)}
	for i := range s.sentPort {
		s.sentPort[i] = -1
	}
	chunks := make(chan []byte)
	readErr := make(chan error, 1)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 512)
		for {
			n, err := rw.Read(buf)
			if n > 0 {
				c := append([]byte(nil), buf[:n]...)
				select {
				case chunks <- c:
				case <-done:
					return
				}
			}
			if err != nil {
				readErr <- err
				return
			}
		}
	}()
	d.mu.Lock()
	d.live[s] = true
	d.cur = s
	d.mu.Unlock()
	defer func() {
		close(done)
		if dl, ok := rw.(deadliner); ok {
			past := time.Now().Add(-time.Second)
			if dl.SetReadDeadline(past) == nil {
				wg.Wait()
				_ = dl.SetReadDeadline(time.Time{})
			}
		}
		d.mu.Lock()
		delete(d.live, s)
		if d.cur == s {
			d.cur = nil
		}
		d.notifyLocked()
		d.mu.Unlock()
	}()
	// A write blocked on a host that does not read must not outlive ctx.
	stopped := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(stopped)
		if dl, ok := rw.(deadliner); ok {
			_ = dl.SetWriteDeadline(time.Now().Add(-time.Second))
		}
	})
	defer func() {
		if !stop() {
			<-stopped
			if dl, ok := rw.(deadliner); ok {
				_ = dl.SetWriteDeadline(time.Time{})
			}
		}
	}()

	p := newParser()
	booting := false
	bootTimer := time.NewTimer(time.Hour)
	bootTimer.Stop()
	defer bootTimer.Stop()
	startBoot := func() {
		d.boot()
		p.reset()
		for i := range s.sentPort {
			s.sentPort[i] = -1
		}
		if d.o.BootDelay > 0 {
			booting = true
			bootTimer.Reset(d.o.BootDelay)
		} else {
			d.announce(s)
		}
	}
	if reset {
		startBoot()
	}
	interval := d.SamplingInterval()
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	var keepAlive <-chan time.Time
	var kaTimer *time.Timer
	defer func() {
		if kaTimer != nil {
			kaTimer.Stop()
		}
	}()
	kaSeen := 0

	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			return fmt.Errorf("firmatasim: read: %w", err)
		case <-bootTimer.C:
			d.log.Debug("firmatasim: booted")
			booting = false
			d.announce(s)
		case c := <-chunks:
			if booting || d.o.Silent {
				d.mu.Lock()
				d.dropped += len(c)
				d.notifyLocked()
				d.mu.Unlock()
				d.log.Debug("firmatasim: bytes lost while booting", "bytes", len(c))
				continue
			}
			at := time.Now()
			for _, b := range c {
				if msg := p.feed(b); msg != nil {
					if d.o.OnMessage != nil {
						d.o.OnMessage(at, append([]byte(nil), msg...))
					}
					d.handle(s, msg)
				}
			}
			if n := p.take(); n > 0 {
				d.mu.Lock()
				d.dropped += n
				d.mu.Unlock()
			}
			d.checkDigital(s)
			s.write(s.out)
			s.out = s.out[:0]
			d.notify()
		case <-s.poke:
			if !booting && !d.o.Silent {
				d.checkDigital(s)
				s.write(s.out)
				s.out = s.out[:0]
				d.notify()
			}
		case <-ticker.C:
			if booting || d.o.Silent {
				continue
			}
			d.sample(s)
			if len(s.out) > 0 {
				s.write(s.out)
				s.out = s.out[:0]
				d.notify()
			}
		case <-keepAlive:
			// FirmataExpress's watchdog: no KEEP_ALIVE in time.
			d.log.Debug("firmatasim: keep-alive expired; resetting")
			keepAlive = nil
			startBoot()
		}
		if err := s.writeErr(); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("firmatasim: write: %w", err)
		}
		// Follow SAMPLING_INTERVAL and KEEP_ALIVE.
		d.mu.Lock()
		iv, ka, kaN := d.b.interval, d.b.keepAlive, d.kaTotal
		d.mu.Unlock()
		if iv != interval {
			interval = iv
			ticker.Reset(iv)
		}
		if kaN != kaSeen {
			kaSeen = kaN
			if kaTimer != nil {
				kaTimer.Stop()
			}
			keepAlive = nil
			if ka > 0 {
				kaTimer = time.NewTimer(ka)
				keepAlive = kaTimer.C
			}
		} else if ka == 0 && keepAlive != nil {
			keepAlive = nil // reset by SYSTEM_RESET or a reboot
		}
	}
}

// announce is what the firmware sends when it starts: StandardFirmata's
// REPORT_VERSION and REPORT_FIRMWARE (FirmataExpress sends nothing).
func (d *Device) announce(s *session) {
	if d.o.Silent || d.express {
		return
	}
	s.write(append(d.version(), d.firmware()...))
	d.notify()
}

func (d *Device) version() []byte {
	return []byte{msgVersion, d.o.Major & 0x7F, d.o.Minor & 0x7F}
}

// firmware is REPORT_FIRMWARE (protocol.md "Query Firmware Name and
// Version"): major, minor, then the name as 7-bit pairs.
func (d *Device) firmware() []byte {
	body := []byte{d.o.FirmwareMajor & 0x7F, d.o.FirmwareMinor & 0x7F}
	for i := 0; i < len(d.o.Firmware); i++ {
		body = le7(body, int(d.o.Firmware[i]), 2)
	}
	return sysex(sxFirmware, body...)
}

// checkDigital sends a DIGITAL_MESSAGE for each reporting port whose input
// levels differ from what this link was last sent (StandardFirmata checks
// its inputs on every loop and reports a port when it changes).
func (d *Device) checkDigital(s *session) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for port := 0; port*8 < NumPins; port++ {
		if !d.b.reportPort[port] {
			continue
		}
		v := d.portValue(port)
		if v != s.sentPort[port] {
			s.sentPort[port] = v
			s.out = append(s.out, msgDigital|byte(port), byte(v&0x7F), byte(v>>7&0x7F))
		}
	}
}

// sample is one sampling interval: analog reports for the channels being
// reported, continuous I2C reads, and FirmataExpress's next sonar.
func (d *Device) sample(s *session) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for ch := range NumAnalog {
		if d.b.reportAna[ch] && d.effMode(FirstAnalogPin+ch) == ModeAnalog {
			s.out = append(s.out, analogMsg(ch, d.in.analog[ch])...)
		}
	}
	for _, q := range d.b.queries {
		s.out = append(s.out, d.i2cRead(q.addr, q.reg, q.n)...)
	}
	if d.express && len(d.b.sonars) > 0 {
		d.b.nextSonar %= len(d.b.sonars)
		son := d.b.sonars[d.b.nextSonar]
		d.b.nextSonar++
		cm := d.in.sonarCM[son.trigger]
		s.out = append(s.out, sysex(sxSonarData, byte(son.trigger&0x7F), byte(cm&0x7F), byte(cm>>7&0x7F))...)
	}
}

func analogMsg(ch, v int) []byte {
	return []byte{msgAnalog | byte(ch&0x0F), byte(v & 0x7F), byte(v >> 7 & 0x7F)}
}
