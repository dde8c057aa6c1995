//go:build linux || darwin || freebsd

package firmatasim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// hostPoll is how often a PTY looks whether the host has the link open,
// where it cannot be told (not on Linux).
const hostPoll = 3 * time.Millisecond

// PTY is a Device served on a pseudo-terminal, reached through a symlink
// that the host opens as its serial port.
type PTY struct {
	d    *Device
	link string
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu     sync.Mutex
	master *os.File
	unplug context.CancelFunc // ends the current pty's goroutine
	gen    sync.WaitGroup     // that goroutine
}

// ErrPlugged is Replug on a PTY that is plugged in.
var ErrPlugged = errors.New("firmatasim: pty already plugged in")

// ServePTY serves the device on a new pseudo-terminal whose slave is reached
// through the symlink link (a path in a test's temp dir, e.g.
// dir+"/ttyACM0"; an existing file there is replaced). The host opens link
// as a serial port; opening it resets the board, as DTR resets an Uno: the
// firmware boots (BootDelay, then its announcement) and serves until the
// host closes the port, and boots again at the next open. The PTY runs
// until ctx ends or Close.
//
// The pty is in raw mode from the start, so nothing the board sends is
// translated. go.bug.st/serial opens it without trouble as long as its
// Mode.InitialStatusBits is nil: a pty has no modem lines, so setting or
// reading DTR/RTS (InitialStatusBits, SetDTR, SetRTS, GetModemStatusBits)
// fails there.
func (d *Device) ServePTY(ctx context.Context, link string) (*PTY, error) {
	p := &PTY{d: d, link: link}
	p.ctx, p.stop = context.WithCancel(ctx)
	if err := p.plug(); err != nil {
		p.stop()
		return nil, err
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		<-p.ctx.Done()
		_ = p.Unplug()
	}()
	return p, nil
}

// Path is the link the host opens.
func (p *PTY) Path() string { return p.link }

// Unplug removes the link and closes the pty, as when the USB cable is
// pulled: the host's reads and writes on the port fail. It does nothing if
// the PTY is unplugged already.
func (p *PTY) Unplug() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.master == nil {
		return nil
	}
	err := p.master.Close()
	p.unplug()
	p.gen.Wait()
	p.master = nil
	if rerr := os.Remove(p.link); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("firmatasim: unplug: %w", err)
	}
	return nil
}

// Replug puts a new pty behind the same link, as when the cable is plugged
// back in; the board resets when the host opens it. It returns ErrPlugged
// if the PTY is plugged in, and an error after Close.
func (p *PTY) Replug() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.master != nil {
		return ErrPlugged
	}
	if err := p.ctx.Err(); err != nil {
		return fmt.Errorf("firmatasim: replug: %w", err)
	}
	return p.plugLocked()
}

// Close unplugs the PTY and stops it; it returns when its goroutines have.
func (p *PTY) Close() error {
	err := p.Unplug()
	p.stop()
	p.wg.Wait()
	return err
}

func (p *PTY) plug() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.plugLocked()
}

func (p *PTY) plugLocked() error {
	master, slave, err := openPTY()
	if err != nil {
		return fmt.Errorf("firmatasim: open pty: %w", err)
	}
	name := slave.Name()
	err = makeRaw(slave)
	slave.Close() // the board holds no slave open: the host's open is seen
	var hw hostWatch
	if err == nil {
		hw, err = newHostWatch(master, name)
	}
	if err == nil {
		if err = replaceSymlink(name, p.link); err != nil {
			_ = hw.run(canceled(), nil) // closes it
		}
	}
	if err != nil {
		master.Close()
		return fmt.Errorf("firmatasim: pty: %w", err)
	}
	gctx, cancel := context.WithCancel(p.ctx)
	p.master, p.unplug = master, cancel
	p.gen.Add(1)
	go func() {
		defer p.gen.Done()
		p.watch(gctx, master, hw)
	}()
	return nil
}

// watch serves master each time the host opens the slave: every open
// resets the board (restarting the session), the last close ends it.
func (p *PTY) watch(ctx context.Context, master *os.File, hw hostWatch) {
	wctx, stopWatch := context.WithCancel(ctx)
	events := make(chan bool) // true: the host opened the slave; false: closed it
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		err := hw.run(wctx, events)
		if err != nil && wctx.Err() == nil {
			p.d.log.Warn("firmatasim: cannot watch the pty", "link", p.link, "err", err)
		}
	}()
	defer wg.Wait()
	defer stopWatch()

	var endSession context.CancelFunc
	var sessionDone chan struct{}
	stopSession := func() {
		if endSession != nil {
			endSession()
			<-sessionDone
			endSession, sessionDone = nil, nil
		}
	}
	defer stopSession()
	opens := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-sessionDone: // the link failed by itself
			endSession, sessionDone = nil, nil
		case open := <-events:
			if !open {
				opens = max(opens-1, 0)
				if opens == 0 {
					p.d.log.Debug("firmatasim: host closed the port", "link", p.link)
					stopSession()
				}
				continue
			}
			opens++
			p.d.log.Debug("firmatasim: host opened the port: reset", "link", p.link)
			stopSession()
			sctx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			endSession, sessionDone = cancel, done
			go func() {
				defer close(done)
				err := p.d.run(sctx, master, true)
				if err != nil {
					p.d.log.Debug("firmatasim: pty session ended", "link", p.link, "err", err)
				}
			}()
		}
	}
}

// hostWatch reports the host's opens (true) and closes (false) of the
// pty's slave until ctx ends.
type hostWatch interface {
	run(ctx context.Context, events chan<- bool) error
}

// pollWatch sees the host's opens and closes of the slave by watching for
// POLLHUP on the master, which Linux and the BSDs report while no one has
// the slave open. It misses an open and close quicker than hostPoll.
type pollWatch struct{ master *os.File }

func (w pollWatch) run(ctx context.Context, events chan<- bool) error {
	master := w.master
	tick := time.NewTicker(hostPoll)
	defer tick.Stop()
	open := false
	for {
		if now := !hungUp(master); now != open {
			open = now
			select {
			case events <- open:
			case <-ctx.Done():
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// hungUp reports whether no one has the pty's slave open. A closed master
// counts as hung up.
func hungUp(master *os.File) bool {
	rc, err := master.SyscallConn()
	if err != nil {
		return true
	}
	hup := true
	cerr := rc.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, 0); err != nil {
			return
		}
		hup = fds[0].Revents&unix.POLLHUP != 0
	})
	return hup || cerr != nil
}

// makeRaw puts the pty in raw mode (no echo, no line editing, no CR/NL
// translation), as a serial port to a board is.
func makeRaw(tty *os.File) error {
	rc, err := tty.SyscallConn()
	if err != nil {
		return err
	}
	var ierr error
	if err := rc.Control(func(fd uintptr) {
		t, err := unix.IoctlGetTermios(int(fd), ioctlGetTermios)
		if err != nil {
			ierr = err
			return
		}
		t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Cflag &^= unix.CSIZE | unix.PARENB
		t.Cflag |= unix.CS8
		t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
		ierr = unix.IoctlSetTermios(int(fd), ioctlSetTermios, t)
	}); err != nil {
		return err
	}
	return ierr
}

// openPTY is pty.Open with a master that Go's poller drives: creack/pty
// puts the master in blocking mode (its ioctls call Fd), where Close cannot
// interrupt a Read and so does not close the fd, and the host would never
// see the cable pulled. The master is replaced by a non-blocking duplicate.
func openPTY() (master, slave *os.File, err error) {
	m, slave, err := pty.Open()
	if err != nil {
		return nil, nil, err
	}
	defer m.Close()
	fd, err := unix.Dup(int(m.Fd()))
	if err != nil {
		slave.Close()
		return nil, nil, err
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		slave.Close()
		return nil, nil, err
	}
	return os.NewFile(uintptr(fd), m.Name()), slave, nil
}

// replaceSymlink points link at target, replacing what was there at once.
func replaceSymlink(target, link string) error {
	tmp := link + ".firmatasim-tmp"
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, link); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
