//go:build linux

package i2cdev

import (
	"errors"
	"io/fs"
	"testing"
)

func TestOpenMissingBus(t *testing.T) {
	if _, err := Open("/dev/i2c-does-not-exist"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open: %v", err)
	}
}

// /dev/null opens, and refuses the ioctl; a closed bus refuses at once.
func TestTxOnNotABus(t *testing.T) {
	b, err := Open("/dev/null")
	if err != nil {
		t.Skip(err)
	}
	if err := b.Tx(0x48, []byte{0}, make([]byte, 1)); err == nil {
		t.Error("Tx on /dev/null succeeded")
	}
	b.Close()
	if err := b.Tx(0x48, []byte{0}, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Tx after Close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
