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
	for end := time.Now().Add(30 * time.Millisecond); time.Now().Before(end); { // spin
	}
	c1, _ := procCPU(pid)
	if c1-c0 < int64(10*time.Millisecond) {
		t.Errorf("30 ms of spinning counted as %v of CPU", time.Duration(c1-c0))
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
