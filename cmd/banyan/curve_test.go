package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/testbp"
)

// A CURVE bus through the CLI: keygen, a backplane with --curve-secret-key
// and --authorized-keys, pub and sub with --curve-server-key and
// --curve-key (or the environment); a component without keys or with an
// unlisted key gets nothing through; SIGHUP reloads the list and closes
// the connections whose key was removed.
func TestCurveCLI(t *testing.T) {
	dir := t.TempDir()
	authDir := filepath.Join(dir, "authorized")
	os.Mkdir(authDir, 0o755)
	for _, name := range []string{filepath.Join(dir, "bp"), filepath.Join(authDir, "alice"), filepath.Join(dir, "eve")} {
		if err := run(context.Background(), io.Discard, "keygen", name); err != nil {
			t.Fatalf("keygen %s: %v", name, err)
		}
	}
	ports := testbp.FreePorts(t, 2)
	p, s := strconv.Itoa(ports[0]), strconv.Itoa(ports[1])
	bpOut, _ := runBg(t, "backplane", "--bind", "127.0.0.1", "-p", p, "-s", s,
		"--curve-secret-key", filepath.Join(dir, "bp_secret"), "--authorized-keys", authDir)
	bpOut.WaitFor(t, "CURVE on: server public key ")
	alice := []string{"-b", "127.0.0.1", "-p", p, "-s", s, "--curve-server-key", filepath.Join(dir, "bp"), "--curve-key", filepath.Join(authDir, "alice_secret")}

	subOut, subDone := runBg(t, append([]string{"sub", "-c", "1", "secret"}, alice...)...)
	testbp.WaitFor(t, "alice's sub to get alice's pub", func() bool {
		run(context.Background(), io.Discard, append([]string{"pub", "secret", `{"code": 1234}`}, alice...)...)
		return strings.Contains(subOut.String(), "1234")
	})
	select {
	case err := <-subDone:
		if err != nil {
			t.Fatalf("sub: %v", err)
		}
	case <-time.After(testbp.Patience):
		t.Fatal("sub -c 1 did not end")
	}

	// The environment stands for the flags.
	t.Setenv("BANYAN_CURVE_SERVER_KEY", filepath.Join(dir, "bp"))
	t.Setenv("BANYAN_CURVE_KEY", filepath.Join(dir, "eve_secret"))
	short := []string{"-b", "127.0.0.1", "-p", p, "-s", s, "--connect-timeout", "1s"}
	if err := run(context.Background(), io.Discard, append([]string{"pub", "secret", "{}"}, short...)...); err == nil {
		t.Error("eve, whose key is not listed, published")
	}
	t.Setenv("BANYAN_CURVE_KEY", "")
	t.Setenv("BANYAN_CURVE_SERVER_KEY", "")
	if err := run(context.Background(), io.Discard, append([]string{"pub", "secret", "{}"}, short...)...); err == nil {
		t.Error("a NULL component published to a CURVE backplane")
	}
	if err := run(context.Background(), io.Discard, append([]string{"pub", "x", "{}", "--curve-key", filepath.Join(dir, "eve_secret")}, short...)...); err == nil ||
		!strings.Contains(err.Error(), "--curve-server-key") {
		t.Errorf("--curve-key alone: %v", err)
	}

	// SIGHUP after alice's key is removed closes her connections.
	monOut, _ := runBg(t, append([]string{"monitor"}, alice...)...)
	testbp.WaitFor(t, "alice's monitor to see a message", func() bool {
		run(context.Background(), io.Discard, append([]string{"pub", "hello", "{}"}, alice...)...)
		return strings.Contains(monOut.String(), "hello")
	})
	os.Remove(filepath.Join(authDir, "alice"))
	os.Remove(filepath.Join(authDir, "alice_secret"))
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	bpOut.WaitFor(t, "SIGHUP: authorized keys reloaded")
	if m := regexp.MustCompile(`connections_closed=(\d+)`).FindStringSubmatch(bpOut.String()); m == nil || m[1] == "0" {
		t.Fatalf("the reload closed no connection:\n%s", bpOut.String())
	}
	if !strings.Contains(bpOut.String(), "CURVE client's key no longer authorized: closing its connection") {
		t.Error("the closed connection was not logged")
	}
}
