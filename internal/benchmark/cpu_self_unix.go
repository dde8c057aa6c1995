//go:build unix

package benchmark

import (
	"fmt"
	"syscall"
)

// selfCPU is this process's CPU time (user and system) in nanoseconds.
func selfCPU() (int64, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("benchmark: getrusage: %w", err)
	}
	return syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime), nil
}
