//go:build linux

package gpiocdev

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Chip is an open /dev/gpiochipN.
type Chip struct {
	f    *os.File
	info ChipInfo
}

// Open opens a GPIO chip by path ("/dev/gpiochip0") and reads its
// information.
func Open(path string) (*Chip, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("gpiocdev: open %s: %w", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	var ci chipInfo
	if err := ioctl(f, ioctlChipInfo, unsafe.Pointer(&ci)); err != nil {
		f.Close()
		return nil, fmt.Errorf("gpiocdev: %s: chip info: %w (not a GPIO character device?)", path, err)
	}
	return &Chip{f: f, info: ci.info()}, nil
}

// Info returns the chip's name, label and number of lines.
func (c *Chip) Info() ChipInfo { return c.info }

// LineInfo returns information about the line at offset.
func (c *Chip) LineInfo(offset int) (LineInfo, error) {
	if offset < 0 || offset >= c.info.Lines {
		return LineInfo{}, fmt.Errorf("%w: %d (%s has %d)", ErrNoLine, offset, c.info.Name, c.info.Lines)
	}
	li := lineInfo{offset: uint32(offset)}
	if err := ioctl(c.f, ioctlLineInfo, unsafe.Pointer(&li)); err != nil {
		return LineInfo{}, fmt.Errorf("gpiocdev: %s line %d info: %w", c.info.Name, offset, err)
	}
	return li.info(), nil
}

// RequestLine requests the line at offset with configuration cfg. The
// line stays requested, and usable, after the chip is closed.
func (c *Chip) RequestLine(offset int, cfg Config) (*Line, error) {
	if offset < 0 || offset >= c.info.Lines {
		return nil, fmt.Errorf("%w: %d (%s has %d)", ErrNoLine, offset, c.info.Name, c.info.Lines)
	}
	req, err := newRequest(offset, cfg)
	if err != nil {
		return nil, err
	}
	if err := ioctl(c.f, ioctlGetLine, unsafe.Pointer(&req)); err != nil {
		return nil, fmt.Errorf("gpiocdev: %s line %d: request: %w", c.info.Name, offset, err)
	}
	if req.fd <= 0 {
		return nil, fmt.Errorf("gpiocdev: %s line %d: the kernel returned fd %d", c.info.Name, offset, req.fd)
	}
	// Non-blocking, so that reads go through the runtime's poller and
	// Close ends a blocked ReadEvent.
	if err := unix.SetNonblock(int(req.fd), true); err != nil {
		unix.Close(int(req.fd))
		return nil, fmt.Errorf("gpiocdev: %s line %d: %w", c.info.Name, offset, err)
	}
	name := fmt.Sprintf("%s:%d", c.info.Name, offset)
	l := &Line{f: os.NewFile(uintptr(req.fd), name), offset: offset}
	l.edges.Store(cfg.Edges != EdgeNone)
	return l, nil
}

// Close closes the chip. Requested lines stay usable.
func (c *Chip) Close() error { return c.f.Close() }

// Line is one requested line. Its methods are safe for concurrent use.
type Line struct {
	f      *os.File
	offset int

	edges atomic.Bool
	mu    sync.Mutex // buf
	buf   [eventSize]byte
}

// Offset returns the line's offset on its chip.
func (l *Line) Offset() int { return l.offset }

// Value reads the line: 0 or 1.
func (l *Line) Value() (int, error) {
	v := lineValues{mask: 1}
	if err := ioctl(l.f, ioctlGetValues, unsafe.Pointer(&v)); err != nil {
		return 0, l.wrap("get value", err)
	}
	return int(v.bits & 1), nil
}

// SetValue drives an output line to v (0 or 1).
func (l *Line) SetValue(v int) error {
	if v != 0 && v != 1 {
		return fmt.Errorf("%w: value %d (0 or 1)", ErrBadConfig, v)
	}
	vals := lineValues{bits: uint64(v), mask: 1}
	if err := ioctl(l.f, ioctlSetValues, unsafe.Pointer(&vals)); err != nil {
		return l.wrap("set value", err)
	}
	return nil
}

// Reconfigure changes the line's configuration without releasing it.
func (l *Line) Reconfigure(cfg Config) error {
	lc, err := cfg.lineConfig()
	if err != nil {
		return err
	}
	if err := ioctl(l.f, ioctlSetConfig, unsafe.Pointer(&lc)); err != nil {
		return l.wrap("set config", err)
	}
	l.edges.Store(cfg.Edges != EdgeNone)
	return nil
}

// ReadEvent waits for the next edge. It returns ErrClosed when the line
// is closed, also while it waits.
func (l *Line) ReadEvent() (Event, error) {
	if !l.edges.Load() {
		return Event{}, ErrNotEdge
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.f.Read(l.buf[:])
	if err != nil {
		return Event{}, l.wrap("read event", err)
	}
	return parseEvent(l.buf[:n])
}

// Close releases the line.
func (l *Line) Close() error {
	if err := l.f.Close(); err != nil {
		return l.wrap("close", err)
	}
	return nil
}

func (l *Line) wrap(op string, err error) error {
	if errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("gpiocdev: line %d: %s: %w", l.offset, op, ErrClosed)
	}
	return fmt.Errorf("gpiocdev: line %d: %s: %w", l.offset, op, err)
}

// ioctl runs an ioctl on f's descriptor without taking it out of
// non-blocking mode (as f.Fd would).
func ioctl(f *os.File, req uint, arg unsafe.Pointer) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var errno error
	if err := rc.Control(func(fd uintptr) {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, fd, uintptr(req), uintptr(arg))
		if e != 0 {
			errno = e
		}
	}); err != nil {
		return err
	}
	return errno
}
