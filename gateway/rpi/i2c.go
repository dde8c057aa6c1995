package rpi

import (
	"fmt"
	"sync"

	"github.com/gobanyan/banyan/gateway"
)

// bus returns the I²C bus, opening it on first use; b.mu is held.
func (b *Board) bus() (I2C, error) {
	if b.closed {
		return nil, ErrClosed
	}
	if b.i2c == nil {
		bus, err := b.hw.OpenI2C()
		if err != nil {
			return nil, fmt.Errorf("rpi: i2c: %w", err)
		}
		b.i2c = bus
	}
	return b.i2c, nil
}

// SetModeI2C implements gateway.I2CBoard: it opens the bus (HostOptions.I2CDevice,
// /dev/i2c-1 by default). i2c_read and i2c_write open it too when needed.
func (b *Board) SetModeI2C() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.log.Debug("set mode i2c")
	_, err := b.bus()
	return err
}

func checkI2C(addr, register, n int) error {
	switch {
	case addr < 0 || addr > 0x7f:
		return fmt.Errorf("%w: i2c address %#x (0x00-0x7f)", ErrOutOfRange, addr)
	case register != gateway.NoRegister && (register < 0 || register > 0xff):
		return fmt.Errorf("%w: i2c register %d (0-255)", ErrOutOfRange, register)
	case n < 0 || n > MaxI2CRead:
		return fmt.Errorf("%w: %d bytes (at most %d)", ErrOutOfRange, n, MaxI2CRead)
	}
	return nil
}

// I2CRead implements gateway.I2CBoard: with a register, it writes the
// register's number and reads n bytes after a repeated start; without,
// it only reads.
func (b *Board) I2CRead(addr, register, n int) ([]byte, error) {
	if err := checkI2C(addr, register, n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: i2c_read of 0 bytes", ErrOutOfRange)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bus, err := b.bus()
	if err != nil {
		return nil, err
	}
	b.log.Debug("i2c read", "addr", addr, "register", register, "bytes", n)
	var w []byte
	if register != gateway.NoRegister {
		w = []byte{byte(register)}
	}
	r := make([]byte, n)
	if err := bus.Tx(addr, w, r); err != nil {
		return nil, err
	}
	return r, nil
}

// I2CWrite implements gateway.I2CBoard: the register's number (when
// given), then data, in one write. Python's gateway sleeps 0.4 s after
// each write; this one does not.
func (b *Board) I2CWrite(addr, register int, data []byte) error {
	if err := checkI2C(addr, register, len(data)); err != nil {
		return err
	}
	w := data
	if register != gateway.NoRegister {
		w = append([]byte{byte(register)}, data...)
	}
	if len(w) == 0 {
		return fmt.Errorf("%w: i2c_write of nothing", ErrOutOfRange)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bus, err := b.bus()
	if err != nil {
		return err
	}
	b.log.Debug("i2c write", "addr", addr, "register", register, "data", data)
	return bus.Tx(addr, w, nil)
}

// readPCF8591 reads channel ch: the control byte (analog output enabled,
// which keeps the converter's oscillator running; four single-ended
// inputs; channel ch), then two bytes, of which the second is this
// conversion (the first is the previous one's).
func readPCF8591(bus I2C, addr, ch int) (int, error) {
	var r [2]byte
	if err := bus.Tx(addr, []byte{0x40 | byte(ch)}, r[:]); err != nil {
		return 0, err
	}
	return int(r[1]), nil
}

// setAnalogInput makes PCF8591 channel n an analog input: it is read and
// reported at once (as Python's one-shot read), then read every
// AnalogInterval and reported when it changes, until reporting is
// disabled.
func (b *Board) setAnalogInput(n int) error {
	if n < 0 || n >= AnalogChannels {
		return fmt.Errorf("%w: analog channel %d (the PCF8591 has 0-%d)", ErrNoPin, n, AnalogChannels-1)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bus, err := b.bus()
	if err != nil {
		return err
	}
	b.log.Debug("set mode analog input", "pin", n, "addr", b.o.PCF8591Addr)
	v, err := readPCF8591(bus, b.o.PCF8591Addr, n)
	if err != nil {
		return fmt.Errorf("rpi: PCF8591 at %#02x, channel %d: %w", b.o.PCF8591Addr, n, err)
	}
	if b.analog == nil {
		b.analog = b.startAnalog(bus)
	}
	b.analog.add(n, v)
	b.emit(gateway.AnalogInput{Pin: n, Value: v})
	return nil
}

// analogPoller reads the PCF8591's reporting channels.
type analogPoller struct {
	job *task

	mu   sync.Mutex
	on   [AnalogChannels]bool
	last [AnalogChannels]int
}

func (a *analogPoller) add(n, v int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.on[n], a.last[n] = true, v
}

func (a *analogPoller) setReporting(n int, on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.on[n] = on
	a.last[n] = -1 // enabled again: report the next reading
}

func (a *analogPoller) halt() {
	if a != nil {
		a.job.halt()
	}
}

func (b *Board) startAnalog(bus I2C) *analogPoller {
	a := &analogPoller{}
	addr, every := b.o.PCF8591Addr, b.o.AnalogInterval
	a.job = start(func(stop <-chan struct{}) {
		s := newSleeper(stop)
		failed := false
		for s.sleep(every) {
			for n := range AnalogChannels {
				a.mu.Lock()
				on := a.on[n]
				a.mu.Unlock()
				if !on {
					continue
				}
				b.mu.Lock() // one transfer at a time with the commands'
				v, err := readPCF8591(bus, addr, n)
				b.mu.Unlock()
				if err != nil {
					if !failed {
						b.log.Warn("PCF8591 read failed", "addr", addr, "channel", n, "err", err)
						failed = true
					}
					continue
				}
				a.mu.Lock()
				changed := a.on[n] && v != a.last[n]
				if changed {
					a.last[n] = v
				}
				a.mu.Unlock()
				if changed {
					b.emit(gateway.AnalogInput{Pin: n, Value: v})
				}
			}
		}
	})
	return a
}
