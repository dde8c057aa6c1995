package sysfspwm

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// fakeChip makes a directory that looks like pwmchip0 with n channels and
// none exported (the kernel's export makes a channel's directory; tests
// make it with addChannel).
func fakeChip(t *testing.T, n int) string {
	t.Helper()
	root := t.TempDir()
	chip := filepath.Join(root, "pwmchip0")
	must(t, os.MkdirAll(chip, 0o755))
	must(t, os.WriteFile(filepath.Join(chip, "npwm"), []byte(strconv.Itoa(n)+"\n"), 0o644))
	for _, f := range []string{"export", "unexport"} {
		must(t, os.WriteFile(filepath.Join(chip, f), nil, 0o644))
	}
	return root
}

func addChannel(t *testing.T, root string, ch int) string {
	t.Helper()
	dir := filepath.Join(root, "pwmchip0", "pwm"+strconv.Itoa(ch))
	must(t, os.MkdirAll(dir, 0o755))
	for _, f := range []string{"period", "duty_cycle", "enable"} {
		must(t, os.WriteFile(filepath.Join(dir, f), []byte("0\n"), 0o644))
	}
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	return string(b)
}

func TestSetWritesPeriodDutyEnable(t *testing.T) {
	root := fakeChip(t, 2)
	dir := addChannel(t, root, 1)
	c, err := Open(0, 1, Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	// A servo: 20 ms period, 1.5 ms high.
	must(t, c.Set(20*time.Millisecond, 1500*time.Microsecond))
	if p, d, e := read(t, dir+"/period"), read(t, dir+"/duty_cycle"), read(t, dir+"/enable"); p != "20000000" || d != "1500000" || e != "1" {
		t.Errorf("period %q duty %q enable %q", p, d, e)
	}
	// A shorter period than the duty cycle: the duty cycle goes first.
	must(t, c.Set(time.Millisecond, 500*time.Microsecond))
	if p, d := read(t, dir+"/period"), read(t, dir+"/duty_cycle"); p != "1000000" || d != "500000" {
		t.Errorf("period %q duty %q", p, d)
	}
	must(t, c.Set(0, 0))
	if e := read(t, dir+"/enable"); e != "0" {
		t.Errorf("enable %q after Set(0, 0)", e)
	}
	if err := c.Set(time.Millisecond, 2*time.Millisecond); !errors.Is(err, ErrBadSetting) {
		t.Errorf("duty > period: %v", err)
	}
	must(t, c.Close())
	if u := read(t, filepath.Join(root, "pwmchip0", "unexport")); u != "" {
		t.Errorf("a channel exported before Open was unexported (%q)", u)
	}
}

func TestOpenExportsAndCloseUnexports(t *testing.T) {
	root := fakeChip(t, 2)
	// The "kernel": the channel directory exists once export was written;
	// here it is made at once, and Open only checks that it was asked.
	addChannel(t, root, 0)
	must(t, os.RemoveAll(filepath.Join(root, "pwmchip0", "pwm0")))
	_, err := Open(0, 0, Options{Root: root, Wait: 50 * time.Millisecond})
	if err == nil {
		t.Fatal("Open succeeded without the channel directory")
	}
	if e := read(t, filepath.Join(root, "pwmchip0", "export")); e != "0" {
		t.Errorf("export = %q, want 0", e)
	}
	if u := read(t, filepath.Join(root, "pwmchip0", "unexport")); u != "0" {
		t.Errorf("a failed Open left the channel exported (unexport = %q)", u)
	}
}

func TestOpenMissing(t *testing.T) {
	root := fakeChip(t, 2)
	if _, err := Open(0, 2, Options{Root: root}); !errors.Is(err, ErrNoChannel) {
		t.Errorf("channel 2 of 2: %v", err)
	}
	if _, err := Open(3, 0, Options{Root: root}); !errors.Is(err, ErrNoChannel) {
		t.Errorf("pwmchip3: %v", err)
	}
}
