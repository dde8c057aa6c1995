//go:build darwin || freebsd

package firmatasim

import (
	"os"

	"golang.org/x/sys/unix"
)

const (
	ioctlGetTermios = unix.TIOCGETA
	ioctlSetTermios = unix.TIOCSETA
)

// newHostWatch polls the master for POLLHUP.
func newHostWatch(master *os.File, _ string) (hostWatch, error) {
	return pollWatch{master}, nil
}
