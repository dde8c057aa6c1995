package rpitest

import (
	"fmt"
	"slices"
	"sync"

	"github.com/gobanyan/banyan/gateway/rpi"
)

// I2CDevice is a device on the fake I²C bus.
type I2CDevice interface {
	// Tx receives what was written and fills r.
	Tx(w, r []byte) error
}

// Transfer is one I²C transfer the board made.
type Transfer struct {
	Addr  int
	Write []byte
	Read  int // bytes read
}

// AddI2C puts d at addr on the bus (nil removes it).
func (h *Hardware) AddI2C(addr int, d I2CDevice) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if d == nil {
		delete(h.i2c, addr)
		return
	}
	h.i2c[addr] = d
}

// Transfers returns the I²C transfers so far.
func (h *Hardware) Transfers() []Transfer {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.txs)
}

type bus struct{ h *Hardware }

// OpenI2C implements rpi.Hardware.
func (h *Hardware) OpenI2C() (rpi.I2C, error) { return bus{h}, nil }

func (b bus) Tx(addr int, w, r []byte) error {
	h := b.h
	h.mu.Lock()
	d := h.i2c[addr]
	h.txs = append(h.txs, Transfer{Addr: addr, Write: slices.Clone(w), Read: len(r)})
	h.mu.Unlock()
	if d == nil {
		return fmt.Errorf("%w at %#02x", ErrNoDevice, addr)
	}
	return d.Tx(w, r)
}

func (b bus) Close() error { return nil }

// Memory is a 256-byte register file: a write sets registers from the
// first byte's number on; a read returns them from the last number
// written. Register i holds i until written.
type Memory struct {
	mu  sync.Mutex
	reg [256]byte
	at  byte
}

// NewMemory returns a Memory whose register i holds i.
func NewMemory() *Memory {
	m := &Memory{}
	for i := range m.reg {
		m.reg[i] = byte(i)
	}
	return m
}

// Tx implements I2CDevice.
func (m *Memory) Tx(w, r []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(w) > 0 {
		m.at = w[0]
		for i, b := range w[1:] {
			m.reg[byte(int(m.at)+i)] = b
		}
	}
	for i := range r {
		r[i] = m.reg[byte(int(m.at)+i)]
	}
	return nil
}

// PCF8591 is the 4-channel 8-bit converter: a write's byte selects the
// channel (its low 2 bits); each byte read is a conversion, the first
// being the previous one's, as the chip does.
type PCF8591 struct {
	mu       sync.Mutex
	channels [4]byte
	ch       int
	prev     byte
}

// Set sets what channel ch reads.
func (p *PCF8591) Set(ch int, v byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.channels[ch&3] = v
}

// Tx implements I2CDevice.
func (p *PCF8591) Tx(w, r []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(w) > 0 {
		p.ch = int(w[len(w)-1] & 3)
	}
	for i := range r {
		r[i] = p.prev
		p.prev = p.channels[p.ch]
	}
	return nil
}
