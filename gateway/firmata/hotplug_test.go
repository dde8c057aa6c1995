package firmata_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/gobanyan/banyan/gateway/firmata/firmatasim"
	"golang.org/x/sys/unix"
)

// hotplug serves a simulated board on a pty whose master is non-blocking,
// so that closing it hangs up the host's end at once, as pulling a USB
// cable does; Replug serves the board (reset) on a new pty behind the
// same link.
type hotplug struct {
	t    testing.TB
	dev  *firmatasim.Device
	link string

	mu     sync.Mutex
	master *os.File
	cancel context.CancelFunc
	done   chan struct{}
}

func newHotplug(t testing.TB, dev *firmatasim.Device) *hotplug {
	h := &hotplug{t: t, dev: dev, link: filepath.Join(t.TempDir(), "ttyACM0")}
	h.Replug()
	t.Cleanup(h.Unplug)
	return h
}

func (h *hotplug) Replug() {
	h.t.Helper()
	m, s, err := pty.Open()
	if err != nil {
		h.t.Fatal(err)
	}
	name := s.Name()
	s.Close()
	fd, err := unix.Dup(int(m.Fd()))
	m.Close()
	if err != nil {
		h.t.Fatal(err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		h.t.Fatal(err)
	}
	master := os.NewFile(uintptr(fd), "ptmx")
	os.Remove(h.link)
	if err := os.Symlink(name, h.link); err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The board starts when the host opens the port (POLLHUP on the
		// master clears), as DTR resets an Uno.
		for hungUp(fd) {
			select {
			case <-ctx.Done():
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
		h.dev.Serve(ctx, master)
	}()
	h.mu.Lock()
	h.master, h.cancel, h.done = master, cancel, done
	h.mu.Unlock()
}

func (h *hotplug) Unplug() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.master == nil {
		return
	}
	h.cancel()
	h.master.Close()
	<-h.done
	os.Remove(h.link)
	h.master = nil
}

// hungUp reports whether nobody has the pty's slave open.
func hungUp(fd int) bool {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	if _, err := unix.Poll(fds, 0); err != nil {
		return true
	}
	return fds[0].Revents&unix.POLLHUP != 0
}
