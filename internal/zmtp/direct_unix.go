//go:build unix

package zmtp

import (
	"io"
	"os"
	"syscall"
	"unsafe"
)

// tryWrite writes b to the connection with one non-blocking write(2), for
// a PUB's direct path: it returns how much the socket took (0 when it is
// full, or when another goroutine holds the write lock: a PONG going out),
// never waiting. The caller queues the rest.
//
// The write is a raw system call: on a non-blocking socket it returns at
// once, so there is nothing for the scheduler to hand off, and a plain
// syscall.Write would wake the runtime's monitor thread on an otherwise
// idle process (entersyscall), one more thread woken per message.
func (c *conn) tryWrite(b []byte) (int, error) {
	if c.raw == nil || !c.wmu.TryLock() {
		return 0, nil
	}
	defer c.wmu.Unlock()
	if c.w.n > 0 { // not flushed: only the writer buffers, and it is not running
		return 0, nil
	}
	var n int
	var werr error
	err := c.raw.Write(func(fd uintptr) bool {
		n, werr = rawWrite(fd, b)
		return true // done, whatever happened: never wait for the socket
	})
	if n < 0 {
		n = 0
	}
	switch {
	case err != nil:
		return n, err
	case werr == syscall.EAGAIN, werr == syscall.EINTR:
		return n, nil
	}
	return n, werr
}

// rawWrite is write(2) without the scheduler's syscall bookkeeping.
func rawWrite(fd uintptr, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// rawReader reads a connection with raw read(2) calls, waiting for data
// in the runtime's poller as net.Conn does (deadlines hold), but without
// the scheduler's syscall bookkeeping, which on an idle process wakes the
// monitor thread at every read: one more thread woken per message.
type rawReader struct{ rc syscall.RawConn }

func (r rawReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	err := r.rc.Read(func(fd uintptr) bool {
		k, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		switch e {
		case syscall.EAGAIN, syscall.EINTR:
			return false // wait for data, then call again
		case 0:
			n = int(k)
		default:
			errno = e
		}
		return true
	})
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, os.NewSyscallError("read", errno)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// readSource is what the connection's reader reads: nc itself, or raw
// reads of its descriptor where it has one.
func (c *conn) readSource() io.Reader {
	if c.raw == nil {
		return c.nc
	}
	return rawReader{c.raw}
}
