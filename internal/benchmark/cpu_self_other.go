//go:build !unix

package benchmark

import "errors"

// selfCPU is this process's CPU time: not measured on this system.
func selfCPU() (int64, error) {
	return 0, errors.New("benchmark: this process's CPU time is measured on Unix systems only")
}
