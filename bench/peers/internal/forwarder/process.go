package forwarder

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is a forwarder started by Start.
type Process struct {
	cmd    *exec.Cmd
	done   chan struct{} // closed when the process has exited
	err    error         // its exit status, once done is closed
	stderr lockedBuffer
	stop   sync.Once
}

// Start runs name with args in a process group of its own, with SIGKILL
// as its parent-death signal, so it does not outlive this process.
// Its standard output is discarded; its standard error is kept for
// Stderr.
func Start(name string, args ...string) (*Process, error) {
	p := &Process{cmd: exec.Command(name, args...), done: make(chan struct{})}
	p.cmd.Stderr = &p.stderr
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("forwarder: start %s: %w", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// PID is the process's id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Stderr is what the process has written to its standard error so far.
func (p *Process) Stderr() string { return p.stderr.String() }

// WaitListening returns once every one of addrs ("127.0.0.1:1883")
// accepts a TCP connection, or with an error when the process exits
// first, 30 s pass or ctx ends.
func (p *Process) WaitListening(ctx context.Context, addrs ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for _, a := range addrs {
		for pause := time.Millisecond; ; pause = min(2*pause, 50*time.Millisecond) {
			var d net.Dialer
			c, err := d.DialContext(ctx, "tcp", a)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-p.done:
				return fmt.Errorf("forwarder: %s exited before it listened on %s (%v): %s",
					p.cmd.Path, a, p.err, strings.TrimSpace(p.Stderr()))
			case <-ctx.Done():
				return fmt.Errorf("forwarder: %s not listening on %s: %w", p.cmd.Path, a, ctx.Err())
			case <-time.After(pause):
			}
		}
	}
	return nil
}

// Stop sends SIGTERM to the process's group, then SIGKILL if it has not
// exited within 5 s, and waits for it. It returns nil for an exit
// caused by those signals, and may be called more than once.
func (p *Process) Stop() error {
	p.stop.Do(func() {
		pg := -p.cmd.Process.Pid
		syscall.Kill(pg, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			syscall.Kill(pg, syscall.SIGKILL)
			<-p.done
		}
	})
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return nil
		}
		if exit.ExitCode() == 128+int(syscall.SIGTERM) {
			return nil
		}
	}
	if p.err != nil {
		return fmt.Errorf("forwarder: %s: %w: %s", p.cmd.Path, p.err, strings.TrimSpace(p.Stderr()))
	}
	return nil
}

// Exited is closed when the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.done }

// lockedBuffer is a strings.Builder safe for the writer goroutine
// exec starts and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() < 1<<16 { // keep the start; a chatty child cannot fill memory
		l.b.Write(p)
	}
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
