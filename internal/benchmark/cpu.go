package benchmark

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// errNoProcStats is what the process samplers return where the system
// does not expose them (everywhere but Linux).
var errNoProcStats = errors.New("benchmark: process CPU and memory of another process are read from /proc (Linux only)")

// rssEvery is how often the forwarder's resident memory is sampled.
const rssEvery = 100 * time.Millisecond

// procMeter measures one process (the forwarder) over the measured phase:
// CPU time from its threads' schedstat, and peak resident memory sampled
// every rssEvery.
type procMeter struct {
	pid   int
	cpu0  int64
	err   error // the first read failed: nothing to report
	stop  context.CancelFunc
	done  chan struct{}
	mu    sync.Mutex
	peak  int64 // bytes
	cpuNs int64 // after finish
}

// startProcMeter starts measuring pid.
func startProcMeter(pid int) *procMeter {
	m := &procMeter{pid: pid, done: make(chan struct{})}
	m.cpu0, m.err = procCPU(pid)
	if m.err != nil {
		close(m.done)
		m.stop = func() {}
		return m
	}
	m.sample()
	ctx, stop := context.WithCancel(context.Background())
	m.stop = stop
	go func() {
		defer close(m.done)
		t := time.NewTicker(rssEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				m.sample()
			case <-ctx.Done():
				return
			}
		}
	}()
	return m
}

func (m *procMeter) sample() {
	if rss, err := procRSS(m.pid); err == nil {
		m.mu.Lock()
		m.peak = max(m.peak, rss)
		m.mu.Unlock()
	}
}

// finish ends the measurement and returns the process's CPU time since the
// start and its sampled peak RSS in bytes.
func (m *procMeter) finish() (cpuNs, peakRSS int64, err error) {
	m.stop()
	<-m.done
	if m.err != nil {
		return 0, 0, m.err
	}
	m.sample()
	cpu1, err := procCPU(m.pid)
	if err != nil {
		return 0, 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return cpu1 - m.cpu0, m.peak, nil
}

// cpuTicks reads utime+stime of a process from /proc (clock ticks, 100/s).
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	f := strings.Fields(s[i+2:])
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st, nil
}

// ProcessCPU is the CPU time process pid has used, all its threads
// together, from /proc/PID/task/*/schedstat (nanosecond resolution, not
// clock ticks); bench/ tools that measure a broker or a bridge call it.
func ProcessCPU(pid int) (time.Duration, error) {
	ns, err := procCPU(pid)
	return time.Duration(ns), err
}
