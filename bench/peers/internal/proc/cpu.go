package proc

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// CPU is the CPU time the threads of process pid that are alive now have
// used: the sum of the first field of /proc/pid/task/*/schedstat
// (nanoseconds on a CPU, not rounded to clock ticks as /proc/pid/stat is).
func CPU(pid int) (time.Duration, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil {
		return 0, fmt.Errorf("proc: %w", err)
	}
	if len(tasks) == 0 {
		return 0, fmt.Errorf("proc: no tasks for process %d", pid)
	}
	var sum time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue // the thread ended meanwhile
		}
		f := bytes.Fields(b)
		if len(f) == 0 {
			continue
		}
		ns, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc: %s: %w", t, err)
		}
		sum += time.Duration(ns)
	}
	return sum, nil
}
