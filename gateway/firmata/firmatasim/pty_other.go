//go:build !(linux || darwin || freebsd)

package firmatasim

import (
	"context"
	"errors"
)

// ErrPlugged is Replug on a PTY that is plugged in.
var ErrPlugged = errors.New("firmatasim: pty already plugged in")

// errNoPTY is ServePTY where there are no pseudo-terminals to use.
var errNoPTY = errors.New("firmatasim: pseudo-terminals are not supported on this system")

// PTY is a Device served on a pseudo-terminal; this system has none.
type PTY struct{ link string }

// ServePTY fails: this system has no pseudo-terminals to serve on.
func (d *Device) ServePTY(ctx context.Context, link string) (*PTY, error) { return nil, errNoPTY }

// Path is the link the host opens.
func (p *PTY) Path() string { return p.link }

// Unplug does nothing here.
func (p *PTY) Unplug() error { return errNoPTY }

// Replug does nothing here.
func (p *PTY) Replug() error { return errNoPTY }

// Close does nothing here.
func (p *PTY) Close() error { return nil }
