//go:build linux

package firmatasim

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

const (
	ioctlGetTermios = unix.TCGETS
	ioctlSetTermios = unix.TCSETS
)

// inotifyWatch reports the host's opens (true) and closes (false) of the
// slave from inotify's IN_OPEN and IN_CLOSE on its device node: none is
// missed, however quick.
type inotifyWatch struct{ f *os.File }

// newHostWatch starts watching slave; the watch is in place when it
// returns, so no open after it is missed. Without inotify it polls.
func newHostWatch(master *os.File, slave string) (hostWatch, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return pollWatch{master}, nil
	}
	f := os.NewFile(uintptr(fd), "inotify") // pollable: Close ends a Read
	if _, err := unix.InotifyAddWatch(fd, slave, unix.IN_OPEN|unix.IN_CLOSE_WRITE|unix.IN_CLOSE_NOWRITE); err != nil {
		f.Close()
		return nil, fmt.Errorf("inotify %s: %w", slave, err)
	}
	return inotifyWatch{f}, nil
}

func (w inotifyWatch) run(ctx context.Context, events chan<- bool) error {
	defer w.f.Close()
	stop := context.AfterFunc(ctx, func() { w.f.Close() })
	defer stop()
	buf := make([]byte, 64*unix.SizeofInotifyEvent)
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("inotify: %w", err)
		}
		for b := buf[:n]; len(b) >= unix.SizeofInotifyEvent; {
			mask := binary.NativeEndian.Uint32(b[4:8])
			size := unix.SizeofInotifyEvent + int(binary.NativeEndian.Uint32(b[12:16]))
			if size > len(b) {
				break
			}
			b = b[size:]
			var ev bool
			switch {
			case mask&unix.IN_OPEN != 0:
				ev = true
			case mask&(unix.IN_CLOSE_WRITE|unix.IN_CLOSE_NOWRITE) != 0:
				ev = false
			default:
				continue
			}
			select {
			case events <- ev:
			case <-ctx.Done():
				return nil
			}
		}
	}
}
