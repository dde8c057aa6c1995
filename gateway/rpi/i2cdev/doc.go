// Package i2cdev talks to I²C devices through the Linux i2c-dev interface
// (/dev/i2c-N): each Tx is one I2C_RDWR ioctl, a write, a read, or a write
// then a read with a repeated start (a register read), so no other
// process's transfer can come between them. Transfers are limited to
// MaxTransfer bytes each way. On other systems Open returns
// ErrUnsupportedOS.
package i2cdev

import (
	"errors"
	"fmt"
)

// MaxTransfer is the most bytes one Tx writes or reads.
const MaxTransfer = 4096

// Errors.
var (
	// ErrUnsupportedOS is Open on a system other than Linux.
	ErrUnsupportedOS = errors.New("i2cdev: i2c-dev is Linux only")
	// ErrBadTransfer is a Tx with a bad address, nothing to do, or more
	// than MaxTransfer bytes.
	ErrBadTransfer = errors.New("i2cdev: bad transfer")
	// ErrClosed is a Tx on a closed Bus.
	ErrClosed = errors.New("i2cdev: closed")
)

// check validates a transfer.
func check(addr int, w, r []byte) error {
	switch {
	case addr < 0 || addr > 0x7f:
		return fmt.Errorf("%w: address %#x (7-bit: 0x00-0x7f)", ErrBadTransfer, addr)
	case len(w) == 0 && len(r) == 0:
		return fmt.Errorf("%w: nothing to write or read", ErrBadTransfer)
	case len(w) > MaxTransfer || len(r) > MaxTransfer:
		return fmt.Errorf("%w: %d bytes to write, %d to read (at most %d each)", ErrBadTransfer, len(w), len(r), MaxTransfer)
	}
	return nil
}
