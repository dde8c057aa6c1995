package chart

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobanyan/banyan/bench/peers/internal/table"
)

func TestSavePNG(t *testing.T) {
	d, err := table.Read(strings.NewReader("Bus,Size,DeliveredBytesPerSec\n" +
		"banyan,16,1e6\nlibzmq,16,8e5\nnats,16,9e5\nmqtt,16,1e5\n" +
		"banyan,4096,1e9\nlibzmq,4096,7e8\nnats,4096,0\nmqtt,4096,2e8\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := d.Medians("size", "DeliveredBytesPerSec")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plots", "size.png")
	// nats's 0 cannot be drawn on a log axis: left out, not a panic
	if err := Save(m, Options{Title: "size", LogX: true, LogY: true}, path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != Width || b.Dy() != Height {
		t.Fatalf("image %dx%d, want %dx%d", b.Dx(), b.Dy(), Width, Height)
	}
}

func TestSaveBars(t *testing.T) {
	d, err := table.Read(strings.NewReader("bus,conns,kib_per_conn\n" +
		"banyan,1000,23.5\nlibzmq,1000,24.5\nnats,1000,58\nmqtt,1000,\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := d.Medians("conns", "kib_per_conn")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "idle.png")
	if err := Save(m, Options{Title: "idle", Bars: true}, path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
}

func TestNothingToDraw(t *testing.T) {
	d, err := table.Read(strings.NewReader("Bus,Size,X\nbanyan,16,0\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := d.Medians("size", "X")
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(m, Options{LogY: true}, filepath.Join(t.TempDir(), "x.png")); err == nil {
		t.Fatal("a chart without a point: no error")
	}
}

func TestCompact(t *testing.T) {
	for v, want := range map[float64]string{1e6: "1M", 2.5e6: "2.5M", 1e4: "10k", 100: "100", 0.01: "0.01", 4.194304e6: "4.19M"} {
		if got := compact(v); got != want {
			t.Errorf("compact(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestLabel(t *testing.T) {
	for in, want := range map[string]string{
		"Subs": "subscribers", "ForwarderCPUPerMsg": "forwarder CPU per message (µs)",
		"forwarder_cpu_per_msg*1048576/size": "forwarder CPU per MiB (µs)", "LatencyP99": "p99 latency (µs)", "latency_p50_us": "p50 latency (µs)",
		"forwarder_cpu_us_per_msg": "forwarder CPU per message (µs)",
		"Unknown":                  "Unknown",
	} {
		if got := Label(in); got != want {
			t.Errorf("Label(%q) = %q, want %q", in, got, want)
		}
	}
}
