package firmatasim

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkRoundTripPipe is a REPORT_VERSION query and its answer over
// net.Pipe: the simulator's own cost.
func BenchmarkRoundTripPipe(b *testing.B) {
	d := New(fast(Options{}))
	dev, hst := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Serve(ctx, dev) }()
	defer func() { cancel(); <-done; hst.Close(); dev.Close() }()
	if _, err := io.ReadFull(hst, make([]byte, len(announcement("StandardFirmata.ino")))); err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, hst)
}

// BenchmarkRoundTripPTY is the same through a pty opened with
// go.bug.st/serial, as the driver sees the simulator.
func BenchmarkRoundTripPTY(b *testing.B) {
	d := New(fast(Options{}))
	p, err := d.ServePTY(context.Background(), filepath.Join(b.TempDir(), "ttyACM0"))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	port := openSerial(b, p.Path())
	defer port.Close()
	if _, err := io.ReadFull(port, make([]byte, len(announcement("StandardFirmata.ino")))); err != nil {
		b.Fatal(err)
	}
	benchRoundTrip(b, port)
}

func benchRoundTrip(b *testing.B, rw io.ReadWriter) {
	buf := make([]byte, 3)
	var worst time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if _, err := rw.Write([]byte{0xF9}); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(rw, buf); err != nil {
			b.Fatal(err)
		}
		worst = max(worst, time.Since(start))
	}
	b.ReportMetric(float64(worst.Microseconds()), "worst-µs")
}
