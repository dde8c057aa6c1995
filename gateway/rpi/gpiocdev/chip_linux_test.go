//go:build linux

package gpiocdev

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

func TestOpenMissingChip(t *testing.T) {
	_, err := Open("/dev/gpiochip-does-not-exist")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open: %v, want a not-exist error", err)
	}
}

// A file that is not a GPIO chip fails at the chip info ioctl.
func TestOpenNotAChip(t *testing.T) {
	_, err := Open("/dev/null")
	if err == nil || !strings.Contains(err.Error(), "not a GPIO character device") {
		t.Fatalf("Open(/dev/null): %v", err)
	}
}
