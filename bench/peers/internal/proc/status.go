package proc

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// Status is the part of /proc/PID/status the benchmarks read.
type Status struct {
	RSSKiB     int64 // VmRSS
	PeakRSSKiB int64 // VmHWM
	Threads    int64
}

// ReadStatus reads /proc/pid/status.
func ReadStatus(pid int) (Status, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Status{}, fmt.Errorf("proc: %w", err)
	}
	var s Status
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, val, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok {
			continue
		}
		var dst *int64
		switch string(key) {
		case "VmRSS":
			dst = &s.RSSKiB
		case "VmHWM":
			dst = &s.PeakRSSKiB
		case "Threads":
			dst = &s.Threads
		default:
			continue
		}
		f := bytes.Fields(val)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return Status{}, fmt.Errorf("proc: %s %q: %w", key, val, err)
		}
		*dst = n
	}
	return s, nil
}
