//go:build linux

package benchmark

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// procCPU is the CPU time of process pid in nanoseconds: the sum of the
// first field (time spent on a CPU, in ns) of /proc/PID/task/*/schedstat.
// Unlike /proc/PID/stat's utime and stime it has no clock-tick
// granularity. Threads that ended before the call are not counted.
func procCPU(pid int) (int64, error) {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("benchmark: CPU of process %d: %w", pid, err)
	}
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile(filepath.Join(dir, t.Name(), "schedstat"))
		if err != nil {
			continue // the thread ended meanwhile
		}
		f, _, _ := bytes.Cut(bytes.TrimSpace(b), []byte(" "))
		ns, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("benchmark: %s/%s/schedstat: %w", dir, t.Name(), err)
		}
		sum += ns
	}
	return sum, nil
}

// procRSS is the resident memory of process pid in bytes, from the VmRSS
// line of /proc/PID/status.
func procRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("benchmark: memory of process %d: %w", pid, err)
	}
	for line := range bytes.Lines(b) {
		rest, ok := bytes.CutPrefix(line, []byte("VmRSS:"))
		if !ok {
			continue
		}
		num, _, _ := bytes.Cut(bytes.TrimSpace(rest), []byte(" ")) // "1234 kB"
		kb, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("benchmark: VmRSS of process %d: %w", pid, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("benchmark: process %d has no VmRSS (a kernel thread, or a zombie)", pid)
}
