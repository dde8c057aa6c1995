package proc

import (
	"os"
	"testing"
	"time"
)

func TestSelf(t *testing.T) {
	s, err := ReadStatus(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.RSSKiB <= 0 || s.PeakRSSKiB < s.RSSKiB || s.Threads < 1 {
		t.Fatalf("implausible status %+v", s)
	}
	c0, err := CPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
	}
	c1, err := CPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if c1-c0 < 10*time.Millisecond {
		t.Fatalf("50 ms of spinning counted as %v of CPU", c1-c0)
	}
}

func TestMissing(t *testing.T) {
	if _, err := ReadStatus(-1); err == nil {
		t.Fatal("no error for a process that cannot exist")
	}
	if _, err := CPU(-1); err == nil {
		t.Fatal("no error for a process that cannot exist")
	}
}
