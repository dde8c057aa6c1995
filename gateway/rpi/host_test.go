package rpi_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gobanyan/banyan/gateway/rpi"
)

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestModel(t *testing.T) {
	root := t.TempDir()
	if _, err := rpi.Model(root); !errors.Is(err, rpi.ErrNotRaspberryPi) || !strings.Contains(err.Error(), "no device tree") {
		t.Errorf("no device tree: %v", err)
	}
	writeFile(t, filepath.Join(root, "sys/firmware/devicetree/base/model"), "Raspberry Pi 5 Model B Rev 1.0\x00")
	if m, err := rpi.Model(root); err != nil || m != "Raspberry Pi 5 Model B Rev 1.0" {
		t.Errorf("Pi 5 through /sys: %q, %v", m, err)
	}
	writeFile(t, filepath.Join(root, "proc/device-tree/model"), "Hardkernel ODROID-C4\x00")
	if m, err := rpi.Model(root); !errors.Is(err, rpi.ErrNotRaspberryPi) || m != "Hardkernel ODROID-C4" || !strings.Contains(err.Error(), "ODROID") {
		t.Errorf("another board: %q, %v", m, err)
	}
}

// On this machine (a PC, a container) the real hardware is refused with
// a clear error. On a Raspberry Pi the test only checks that the model is
// read.
func TestNewOnThisMachine(t *testing.T) {
	_, err := rpi.New(rpi.Options{})
	if runtime.GOOS != "linux" {
		if !errors.Is(err, rpi.ErrUnsupportedOS) {
			t.Fatalf("New on %s: %v", runtime.GOOS, err)
		}
		return
	}
	if m, merr := rpi.Model(""); merr == nil {
		t.Skipf("this is a %s", m)
	}
	if !errors.Is(err, rpi.ErrNotRaspberryPi) {
		t.Fatalf("New: %v, want ErrNotRaspberryPi", err)
	}
	t.Log(err)
}

func TestOpenHostErrors(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("linux only")
	}
	// A Pi's device tree, but no GPIO chip (a container without /dev/gpiochip*).
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "proc/device-tree/model"), "Raspberry Pi 4 Model B Rev 1.4\x00")
	_, err := rpi.OpenHost(rpi.HostOptions{Root: root})
	if !errors.Is(err, rpi.ErrNoGPIOChip) || !strings.Contains(err.Error(), "Raspberry Pi 4") || !strings.Contains(err.Error(), "gpiochip") {
		t.Errorf("Pi without chips: %v", err)
	}
	// A chip that is not one, and a chip that does not exist.
	writeFile(t, filepath.Join(root, "dev/gpiochip0"), "")
	if _, err := rpi.OpenHost(rpi.HostOptions{Root: root}); !errors.Is(err, rpi.ErrNoGPIOChip) {
		t.Errorf("a file that is not a chip: %v", err)
	}
	if _, err := rpi.OpenHost(rpi.HostOptions{Chip: "gpiochip99"}); !errors.Is(err, rpi.ErrNoGPIOChip) || !strings.Contains(err.Error(), "/dev/gpiochip99") {
		t.Errorf("--chip gpiochip99: %v", err)
	}
}

func TestParsePWM(t *testing.T) {
	pin, ch, err := rpi.ParsePWM("12=0:0")
	if err != nil || pin != 12 || ch != (rpi.PWMChannel{Chip: 0, Channel: 0}) {
		t.Errorf("12=0:0: %d %+v %v", pin, ch, err)
	}
	pin, ch, err = rpi.ParsePWM(" 19 = 2 : 3")
	if err != nil || pin != 19 || ch != (rpi.PWMChannel{Chip: 2, Channel: 3}) {
		t.Errorf("19=2:3: %d %+v %v", pin, ch, err)
	}
	for _, s := range []string{"", "18", "18=0", "1=0:0", "28=0:0", "x=0:0", "18=-1:0", "18=0:y"} {
		if _, _, err := rpi.ParsePWM(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestDefaultPWM(t *testing.T) {
	if m := rpi.DefaultPWM(rpi.LabelBCM2711, -1); m[18] != (rpi.PWMChannel{Chip: 0, Channel: 0}) || m[19] != (rpi.PWMChannel{Chip: 0, Channel: 1}) || len(m) != 2 {
		t.Errorf("Pi 4: %v", m)
	}
	if m := rpi.DefaultPWM(rpi.LabelRP1, 2); m[18] != (rpi.PWMChannel{Chip: 2, Channel: 2}) || m[19] != (rpi.PWMChannel{Chip: 2, Channel: 3}) || len(m) != 2 {
		t.Errorf("Pi 5: %v", m)
	}
}
