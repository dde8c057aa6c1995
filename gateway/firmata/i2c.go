package firmata

import (
	"fmt"
	"slices"
	"time"

	"github.com/gobanyan/banyan/gateway"
)

// i2cWait is an i2c_read waiting for its I2C_REPLY.
type i2cWait struct {
	addr, reg int // reg: gateway.NoRegister for none
	ch        chan []byte
	err       chan error
}

func (w *i2cWait) fail(err error) {
	select {
	case w.err <- err:
	default:
	}
}

// SetModeI2C implements gateway.I2CBoard: I2C_CONFIG with no read delay.
func (b *Board) SetModeI2C() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.l == nil {
		return b.send(nil)
	}
	if b.info.caps.pinsWith(modeI2C) == "none" {
		return fmt.Errorf("%w: the board (%s) reports no I2C pins", gateway.ErrUnsupported, b.info.firmware)
	}
	b.st.i2c = true
	return b.send(sysex(nil, sysexI2CConfig, 0, 0))
}

// i2cCheck checks an i2c request's address, register and size.
func (b *Board) i2cCheck(addr, reg, n int) error {
	if !b.st.i2c {
		return fmt.Errorf("%w: i2c is not enabled (send set_mode_i2c first)", ErrWrongMode)
	}
	if addr < 0 || addr > 0x7F {
		return fmt.Errorf("%w: i2c address %d: want a 7-bit address, 0-127", gateway.ErrUnsupported, addr)
	}
	if reg != gateway.NoRegister && (reg < 0 || reg > 0xFF) {
		return fmt.Errorf("%w: i2c register %d: want 0-255", ErrOutOfRange, reg)
	}
	if n > maxI2CBytes {
		return fmt.Errorf("%w: %d i2c bytes: at most %d in one request", ErrOutOfRange, n, maxI2CBytes)
	}
	return nil
}

func i2cReadRequest(addr, reg, n int, mode byte) []byte {
	body := []byte{byte(addr), mode}
	if reg != gateway.NoRegister {
		body = append(body, lsb(reg), msb(reg))
	}
	return append(body, lsb(n), msb(n))
}

// I2CRead implements gateway.I2CBoard: an I2C_REQUEST read once, and the
// I2C_REPLY's data (ErrTimeout after Options.I2CTimeout).
func (b *Board) I2CRead(addr, register, n int) ([]byte, error) {
	b.mu.Lock()
	if b.l == nil {
		defer b.mu.Unlock()
		return nil, b.send(nil)
	}
	if err := b.i2cCheck(addr, register, n); err != nil {
		b.mu.Unlock()
		return nil, err
	}
	w := &i2cWait{addr: addr, reg: register, ch: make(chan []byte, 1), err: make(chan error, 1)}
	b.pending = append(b.pending, w)
	err := b.send(sysex(nil, sysexI2CRequest, i2cReadRequest(addr, register, n, i2cReadOnce)...))
	b.mu.Unlock()
	if err == nil {
		t := time.NewTimer(b.o.I2CTimeout)
		defer t.Stop()
		select {
		case data := <-w.ch:
			return data, nil
		case err = <-w.err:
		case <-t.C:
			err = fmt.Errorf("%w: i2c read of %d bytes at address 0x%02x%s: no I2C_REPLY within %v", ErrTimeout, n, addr, regText(register), b.o.I2CTimeout)
		}
	}
	b.mu.Lock()
	b.pending = slices.DeleteFunc(b.pending, func(x *i2cWait) bool { return x == w })
	b.mu.Unlock()
	return nil, err
}

func regText(reg int) string {
	if reg == gateway.NoRegister {
		return ""
	}
	return fmt.Sprintf(" register %d", reg)
}

// I2CWrite implements gateway.I2CBoard: an I2C_REQUEST write of the
// register (when given) followed by data, as a register device expects.
func (b *Board) I2CWrite(addr, register int, data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.l == nil {
		return b.send(nil)
	}
	if err := b.i2cCheck(addr, register, len(data)+1); err != nil {
		return err
	}
	body := []byte{byte(addr), i2cWrite}
	if register != gateway.NoRegister {
		body = twoByte(body, []byte{byte(register)})
	}
	body = twoByte(body, data)
	return b.send(sysex(nil, sysexI2CRequest, body...))
}

// HandleCommand implements gateway.CommandHandler for the i2c_read
// options of this driver: "continuous": true starts a continuous read
// (the board reads every sampling interval and each reply is an i2c_data
// report), "stop": true stops the continuous read of that address. Other
// commands are left to the gateway.
func (b *Board) HandleCommand(c gateway.Command) (bool, error) {
	if c.Name != gateway.CmdI2CRead || (!truthy(c.Extra["continuous"]) && !truthy(c.Extra["stop"])) {
		return false, nil
	}
	reg := gateway.NoRegister
	if c.Register != nil {
		reg = *c.Register
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.l == nil {
		return true, b.send(nil)
	}
	if err := b.i2cCheck(c.Addr, reg, c.NumberOfBytes); err != nil {
		return true, err
	}
	if truthy(c.Extra["stop"]) {
		delete(b.st.i2cCont, c.Addr)
		return true, b.send(sysex(nil, sysexI2CRequest, byte(c.Addr), i2cStopReading))
	}
	body := i2cReadRequest(c.Addr, reg, c.NumberOfBytes, i2cReadContinuously)
	b.st.i2cCont[c.Addr] = body
	return true, b.send(sysex(nil, sysexI2CRequest, body...))
}

// i2cReply hands an I2C_REPLY body to the read waiting for it, or returns
// it as a report for a continuous read. b.mu is held.
func (b *Board) i2cReply(body []byte) gateway.Report {
	if len(body) < 4 || len(body)%2 != 0 {
		b.unknownReplies.Add(1)
		return nil
	}
	addr := int(body[0]) | int(body[1])<<7
	reg := int(body[2]) | int(body[3])<<7
	data := make([]byte, 0, (len(body)-4)/2)
	for i := 4; i+1 < len(body); i += 2 {
		data = append(data, body[i]|body[i+1]<<7)
	}
	for i, w := range b.pending {
		if w.addr == addr && (w.reg == gateway.NoRegister || w.reg == reg) {
			b.pending = slices.Delete(b.pending, i, i+1)
			w.ch <- data
			return nil
		}
	}
	if _, ok := b.st.i2cCont[addr]; ok {
		value := make([]int, len(data))
		for i, x := range data {
			value[i] = int(x)
		}
		a := addr
		r := gateway.I2CData{Value: value, Addr: &a}
		if reg != i2cNoRegister {
			r.Register = &reg
		}
		return r
	}
	b.unknownReplies.Add(1)
	return nil
}
