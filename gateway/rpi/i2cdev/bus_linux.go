//go:build linux

package i2cdev

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Bus is an open /dev/i2c-N. Its methods are safe for concurrent use.
type Bus struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

// Open opens an i2c-dev bus by path ("/dev/i2c-1").
func Open(path string) (*Bus, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("i2cdev: %w", err)
	}
	return &Bus{path: path, f: f}, nil
}

// Tx writes w to the device at the 7-bit address addr, then reads len(r)
// bytes into r, with a repeated start between them; either may be empty.
func (b *Bus) Tx(addr int, w, r []byte) error {
	if err := check(addr, w, r); err != nil {
		return err
	}
	m, n := msgs(addr, w, r)
	data := rdwrData{msgs: unsafe.Pointer(&m[0]), nmsgs: uint32(n)}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.f == nil {
		return ErrClosed
	}
	rc, err := b.f.SyscallConn()
	if err != nil {
		return fmt.Errorf("i2cdev: %s: %w", b.path, err)
	}
	var errno unix.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = unix.Syscall(unix.SYS_IOCTL, fd, ioctlRDWR, uintptr(unsafe.Pointer(&data)))
	}); err != nil {
		return fmt.Errorf("i2cdev: %s: %w", b.path, err)
	}
	runtime.KeepAlive(w)
	runtime.KeepAlive(r)
	runtime.KeepAlive(&m)
	if errno != 0 {
		if errors.Is(errno, unix.EREMOTEIO) || errors.Is(errno, unix.ENXIO) {
			return fmt.Errorf("i2cdev: %s: no answer from the device at %#02x: %w", b.path, addr, errno)
		}
		return fmt.Errorf("i2cdev: %s: transfer with %#02x: %w", b.path, addr, errno)
	}
	return nil
}

// Close closes the bus.
func (b *Bus) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.f == nil {
		return nil
	}
	err := b.f.Close()
	b.f = nil
	return err
}
