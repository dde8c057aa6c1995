//go:build linux

package benchmark

import (
	"os"
	"testing"
	"time"
)

func TestProcCPUAndRSS(t *testing.T) {
	pid := os.Getpid()
	c0, err := procCPU(pid)
	if err != nil || c0 <= 0 {
		t.Fatalf("procCPU = %d, %v", c0, err)
	}
	// Spin until 10 ms of CPU time are counted: on a busy machine 30 ms
	// of spinning can get less than a third of a core, so the bound is
	// wall time, 10 s, which only a procCPU that counts nothing misses.
	start := time.Now()
	for {
		c1, err := procCPU(pid)
		if err != nil {
			t.Fatal(err)
		}
		if c1-c0 >= int64(10*time.Millisecond) {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("10 s of spinning counted as %v of CPU", time.Duration(c1-c0))
		}
		for end := time.Now().Add(time.Millisecond); time.Now().Before(end); { // spin
		}
	}
	rss, err := procRSS(pid)
	if err != nil || rss < 1<<20 {
		t.Fatalf("procRSS = %d, %v", rss, err)
	}
	if _, err := procCPU(-1); err == nil {
		t.Error("procCPU of no process")
	}
	if _, err := procRSS(-1); err == nil {
		t.Error("procRSS of no process")
	}
	m := startProcMeter(pid)
	big := make([]byte, 16<<20)
	for i := range big {
		big[i] = 1
	}
	time.Sleep(2 * rssEvery)
	cpu, peak, err := m.finish()
	if err != nil || cpu <= 0 || peak < 16<<20 {
		t.Fatalf("meter: cpu %d, peak %d, %v", cpu, peak, err)
	}
	_ = big[len(big)-1]
	if _, _, err := startProcMeter(-1).finish(); err == nil {
		t.Error("meter of no process")
	}
}
