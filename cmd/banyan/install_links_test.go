package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/ndarray"
)

// builtBinary builds the banyan binary once per test run, into a
// directory TestMain removes.
var builtBinary struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBinary.dir != "" {
		os.RemoveAll(builtBinary.dir)
	}
	os.Exit(code)
}

// binary returns the path of the built banyan binary, in a directory of
// its own.
func binary(t *testing.T) string {
	t.Helper()
	b := &builtBinary
	b.once.Do(func() {
		if b.dir, b.err = os.MkdirTemp("", "banyan-bin"); b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, "banyan")
		b.out, b.err = exec.Command("go", "build", "-o", b.path, ".").CombinedOutput()
	})
	if b.err != nil {
		t.Fatalf("build: %v\n%s", b.err, b.out)
	}
	return b.path
}

func TestInstallLinks(t *testing.T) {
	skipWithoutSymlinks(t)
	dir := t.TempDir()
	exe := filepath.Join(t.TempDir(), "banyan")
	fakeBinary(t, exe)
	var out bytes.Buffer
	if err := installLinks(&out, exe, dir, false); err != nil {
		t.Fatal(err)
	}
	for _, name := range pythonNames() {
		path := filepath.Join(dir, name)
		if target, err := os.Readlink(path); err != nil || target != exe {
			t.Errorf("%s -> %q, %v; want a link to %s", name, target, err, exe)
		}
		if !strings.Contains(out.String(), path+": linked to "+exe+"\n") {
			t.Errorf("output does not say %s was linked:\n%s", path, out.String())
		}
	}

	// Again: nothing to do, and it says so.
	out.Reset()
	if err := installLinks(&out, exe, dir, false); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if n := strings.Count(out.String(), "already a link to "+exe); n != 8 {
		t.Errorf("second run:\n%s", out.String())
	}

	// A file and a link to something else are refused, named and left
	// alone, and no link is made.
	os.Remove(filepath.Join(dir, "monitor"))
	os.Remove(filepath.Join(dir, "bls"))
	script := []byte("#!/usr/bin/python3\n# pip's backplane script\n")
	os.Remove(filepath.Join(dir, "backplane"))
	if err := os.WriteFile(filepath.Join(dir, "backplane"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "mgw"))
	if err := os.Symlink("/usr/bin/python3", filepath.Join(dir, "mgw")); err != nil {
		t.Fatal(err)
	}
	err := installLinks(&out, exe, dir, false)
	if err == nil {
		t.Fatal("a file and a foreign link were overwritten")
	}
	for _, want := range []string{
		filepath.Join(dir, "backplane") + " is a file (" + strconv.Itoa(len(script)) + " bytes",
		filepath.Join(dir, "mgw") + " is a link to /usr/bin/python3, not to " + exe,
		"--force",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q lacks %q", err, want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "backplane")); !bytes.Equal(b, script) {
		t.Error("the file was changed")
	}
	if _, err := os.Lstat(filepath.Join(dir, "monitor")); err == nil {
		t.Error("a link was made although another name was refused")
	}

	// --force replaces them, but never a directory.
	out.Reset()
	if err := installLinks(&out, exe, dir, true); err != nil {
		t.Fatalf("--force: %v", err)
	}
	for _, name := range []string{"backplane", "mgw", "monitor", "bls"} {
		if target, err := os.Readlink(filepath.Join(dir, name)); err != nil || target != exe {
			t.Errorf("--force: %s -> %q, %v", name, target, err)
		}
	}
	if !strings.Contains(out.String(), filepath.Join(dir, "backplane")+": replaced with a link to "+exe) {
		t.Errorf("--force output:\n%s", out.String())
	}
	os.Remove(filepath.Join(dir, "tgw"))
	if err := os.Mkdir(filepath.Join(dir, "tgw"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := installLinks(&out, exe, dir, true); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "tgw")+" is a directory") {
		t.Errorf("--force over a directory: %v", err)
	}
	if err := installLinks(&out, exe, filepath.Join(dir, "backplane"), false); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("DIR a file: %v", err)
	}
}

// A binary that has a Python name itself (built as .../backplane, reached
// through a banyan link) is never replaced, not even with --force: that
// would leave a link to itself and no binary.
func TestInstallLinksNeverReplacesTheBinary(t *testing.T) {
	skipWithoutSymlinks(t)
	dir := t.TempDir()
	exe := filepath.Join(dir, "backplane")
	body := []byte("#!/bin/sh\n# the binary\n")
	if err := os.WriteFile(exe, body, 0o755); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := installLinks(&out, exe, dir, true); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(exe); err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("the binary is now %v, %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(exe); !bytes.Equal(b, body) {
		t.Error("the binary was changed")
	}
	if !strings.Contains(out.String(), exe+": this binary itself, left alone") {
		t.Errorf("output does not say the binary was left alone:\n%s", out.String())
	}
	if target, err := os.Readlink(filepath.Join(dir, "monitor")); err != nil || target != exe {
		t.Errorf("monitor -> %q, %v", target, err)
	}
}

// "install-links ." beside a hand-made relative link (backplane -> banyan)
// sees it as a link to this binary.
func TestInstallLinksRelative(t *testing.T) {
	skipWithoutSymlinks(t)
	dir := t.TempDir()
	exe := filepath.Join(dir, "banyan")
	fakeBinary(t, exe)
	if err := os.Symlink("banyan", filepath.Join(dir, "backplane")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	var out bytes.Buffer
	if err := installLinks(&out, exe, ".", false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), filepath.Join(dir, "backplane")+": already a link to "+exe) {
		t.Errorf("the relative link is not seen as ours:\n%s", out.String())
	}
	if target, err := os.Readlink(filepath.Join(dir, "backplane")); err != nil || target != "banyan" {
		t.Errorf("backplane -> %q, %v: changed", target, err)
	}
	if target, err := os.Readlink(filepath.Join(dir, "monitor")); err != nil || target != exe {
		t.Errorf("monitor -> %q, %v", target, err)
	}
}

// --force makes its replacement under a name of its own: a file named as
// the old fixed temporary name (<name>.banyan-link) is not touched, and
// nothing is left behind.
func TestInstallLinksTempName(t *testing.T) {
	skipWithoutSymlinks(t)
	dir := t.TempDir()
	exe := filepath.Join(t.TempDir(), "banyan")
	fakeBinary(t, exe)
	mine := []byte("somebody's file\n")
	for _, name := range []string{"mgw", "mgw.banyan-link"} {
		if err := os.WriteFile(filepath.Join(dir, name), mine, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := installLinks(&out, exe, dir, true); err != nil {
		t.Fatal(err)
	}
	if target, err := os.Readlink(filepath.Join(dir, "mgw")); err != nil || target != exe {
		t.Errorf("mgw -> %q, %v", target, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "mgw.banyan-link")); err != nil || !bytes.Equal(b, mine) {
		t.Errorf("mgw.banyan-link: %q, %v: not left alone", b, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(pythonNames())+1 {
		t.Errorf("left behind: %v", entries)
	}
}

// The built binary makes its links beside itself, and run through them it
// is the Python tool with Python's flags: a backplane link serving, a
// monitor link printing a numpy payload with -m True.
func TestPythonNamesExec(t *testing.T) {
	dir, out := installLinksBesideBinary(t)
	for _, name := range pythonNames() {
		if !strings.Contains(out, filepath.Join(dir, name)+": ") {
			t.Errorf("install-links did not report %s:\n%s", name, out)
		}
	}

	ports := testbp.FreePorts(t, 2)
	pub, sub := strconv.Itoa(ports[0]), strconv.Itoa(ports[1])
	bpOut := startProcess(t, exec.Command(filepath.Join(dir, "backplane"), "-n", "x", "-p", pub, "-s", sub, "-t", "0.001"))
	bpOut.WaitFor(t, "Loop Time = 0.001 seconds")
	if !strings.Contains(bpOut.String(), "x Backplane IP address: ") || !strings.Contains(bpOut.String(), "Subscriber Port = "+sub) {
		t.Fatalf("banner:\n%s", bpOut.String())
	}

	monOut := startProcess(t, exec.Command(filepath.Join(dir, "monitor"), "-b", "127.0.0.1", "-p", pub, "-s", sub, "-m", "True", "-n", "Mon"))

	c := testbp.Connect(t, banyan.WithBackplane("127.0.0.1"), banyan.WithPorts(ports[0], ports[1]), banyan.WithLogger(testbp.Quiet()))
	a, err := ndarray.FromSlice([]float32{0.5, 1.5})
	if err != nil {
		t.Fatal(err)
	}
	want := "np {'a': array([0.5, 1.5], dtype=float32)}"
	testbp.WaitFor(t, "the monitor link to print the array", func() bool {
		c.Publish("np", map[string]any{"a": a})
		return strings.Contains(monOut.String(), want)
	})
}

// installLinksBesideBinary runs "install-links" of the built binary, for
// links in its own directory, and returns that directory and what it
// printed. It skips on Windows.
func installLinksBesideBinary(t *testing.T) (dir, out string) {
	t.Helper()
	skipWithoutSymlinks(t)
	bin := binary(t)
	b, err := exec.Command(bin, "install-links").CombinedOutput()
	if err != nil {
		t.Fatalf("install-links: %v\n%s", err, b)
	}
	return filepath.Dir(bin), string(b)
}

// startProcess starts cmd with its output in the returned buffer; the
// test's end interrupts it and wants it to exit cleanly.
func startProcess(t *testing.T, cmd *exec.Cmd) *testbp.Buffer {
	t.Helper()
	out := new(testbp.Buffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		if err := cmd.Wait(); err != nil {
			t.Errorf("%s after SIGINT: %v", filepath.Base(cmd.Path), err)
		}
	})
	return out
}

// A tool interrupted while it waits for its backplane exits as one
// interrupted while it runs: status 0, no error line (Python's components
// exit 0 on Ctrl-C too).
func TestInterruptedWhileWaiting(t *testing.T) {
	dir, _ := installLinksBesideBinary(t)
	ports := testbp.FreePorts(t, 2)
	cmd := exec.Command(filepath.Join(dir, "monitor"), "-b", "127.0.0.1", "-p", strconv.Itoa(ports[0]), "-s", strconv.Itoa(ports[1]))
	out := new(testbp.Buffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out.WaitFor(t, `msg="waiting for the backplane"`)
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Errorf("monitor interrupted while waiting: %v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "banyan:") {
		t.Errorf("monitor interrupted while waiting printed an error:\n%s", out.String())
	}
}

// skipWithoutSymlinks skips on Windows, where symbolic links need
// privileges.
func skipWithoutSymlinks(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
}

// fakeBinary writes a stand-in for the banyan binary at path.
func fakeBinary(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}
