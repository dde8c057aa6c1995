package sim

import (
	"fmt"
	"sync"

	"github.com/gobanyan/banyan/gateway"
)

// I2CDevice is a simulated device on the board's i2c bus. register is
// gateway.NoRegister when the command gives none.
type I2CDevice interface {
	ReadI2C(register, n int) ([]byte, error)
	WriteI2C(register int, data []byte) error
}

// Memory is an i2c device with 256 byte-wide registers and an
// auto-incrementing register pointer, like many sensors and small EEPROMs.
// A read or write with a register starts there; without one, a write's
// first byte sets the pointer and a read starts at the pointer. Each byte
// moves the pointer on by one, wrapping after 255. Safe for concurrent use.
type Memory struct {
	mu   sync.Mutex
	regs [256]byte
	ptr  int
}

// NewMemory returns a Memory whose register i holds i, so reads answer
// recognisably before anything is written.
func NewMemory() *Memory {
	m := &Memory{}
	for i := range m.regs {
		m.regs[i] = byte(i)
	}
	return m
}

func (m *Memory) seek(register int) error {
	if register == gateway.NoRegister {
		return nil
	}
	if register < 0 || register > 255 {
		return fmt.Errorf("%w: register %d (0-255)", ErrOutOfRange, register)
	}
	m.ptr = register
	return nil
}

// ReadI2C reads n bytes.
func (m *Memory) ReadI2C(register, n int) ([]byte, error) {
	if n < 1 || n > 256 {
		return nil, fmt.Errorf("%w: %d bytes (1-256)", ErrOutOfRange, n)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.seek(register); err != nil {
		return nil, err
	}
	out := make([]byte, n)
	for i := range out {
		out[i] = m.regs[m.ptr]
		m.ptr = (m.ptr + 1) % 256
	}
	return out, nil
}

// WriteI2C writes data.
func (m *Memory) WriteI2C(register int, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.seek(register); err != nil {
		return err
	}
	if register == gateway.NoRegister && len(data) > 0 {
		m.ptr = int(data[0])
		data = data[1:]
	}
	for _, b := range data {
		m.regs[m.ptr] = b
		m.ptr = (m.ptr + 1) % 256
	}
	return nil
}

// Registers returns a copy of the 256 registers.
func (m *Memory) Registers() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.regs[:]...)
}
