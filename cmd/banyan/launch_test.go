package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/launch"
	"github.com/spf13/cobra"
)

type launchRun struct {
	out  *testbp.Buffer
	done chan error
}

// startLaunchCmd runs a command in the background.
func startLaunchCmd(ctx context.Context, cmd *cobra.Command, args ...string) *launchRun {
	r := &launchRun{out: &testbp.Buffer{}, done: make(chan error, 1)}
	cmd.SetArgs(args)
	cmd.SetOut(r.out)
	cmd.SetErr(r.out)
	go func() { r.done <- cmd.ExecuteContext(ctx) }()
	return r
}

func (r *launchRun) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("command did not return; output:\n%s", r.out.String())
		return nil
	}
}

func writeLaunchCSV(t *testing.T, rows ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "app.csv")
	body := "command_string,spawn,topic,append_bp_address,auto_restart,wait\n" + strings.Join(rows, "\n") + "\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func runLaunchCmd(t *testing.T, cmd *cobra.Command, args ...string) (string, error) {
	t.Helper()
	r := startLaunchCmd(context.Background(), cmd, args...)
	err := r.wait(t)
	return r.out.String(), err
}

// launch, launch --status and killall, end to end.
func TestLaunchCmdLocal(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{}).Args()
	file := writeLaunchCSV(t, `sh -c 'echo cmd-ok; exec sleep 30',no,local,no,no,0`, `true,no,local,no,no,0`)
	l := startLaunchCmd(context.Background(), newLaunchCmd(), append([]string{file, "--secret", "s3"}, bp...)...)
	l.out.WaitFor(t, "cmd-ok")
	l.out.WaitFor(t, "true: exited (exit status 0)")

	// The launcher has a secret: an unsigned request gets no answer.
	t.Setenv("BANYAN_LAUNCH_SECRET", "")
	if out, err := runLaunchCmd(t, newLaunchCmd(), append([]string{"--status"}, bp...)...); !errors.Is(err, launch.ErrNoReport) ||
		!strings.Contains(err.Error(), "signed") || strings.Contains(out, "cmd-ok") {
		t.Fatalf("--status without the secret: %v\n%s", err, out)
	}
	status, err := runLaunchCmd(t, newLaunchCmd(), append([]string{"--status", "--secret", "s3"}, bp...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"launcher on ", "NAME", "sh    local", "running", "true  local", "exited"} {
		if !strings.Contains(status, want) {
			t.Errorf("--status output lacks %q:\n%s", want, status)
		}
	}

	out, err := runLaunchCmd(t, newKillallCmd(), append([]string{"--secret", "s3"}, bp...)...)
	if err != nil || !strings.Contains(out, "killall sent (signed)") {
		t.Fatalf("killall: %v\n%s", err, out)
	}
	if err := l.wait(t); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(l.out.String(), "stopping everything (killall received)") || !strings.Contains(l.out.String(), "sh: stopped") {
		t.Errorf("launch output:\n%s", l.out.String())
	}
}

// A remote row through launch-client, the secret from a file on one side
// and from the environment on the other.
func TestLaunchCmdRemote(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{}).Args()
	secretFile := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secretFile, []byte("s3cret\n"), 0o600)
	t.Setenv("BANYAN_LAUNCH_SECRET", "s3cret")
	c := startLaunchCmd(context.Background(), newLaunchClientCmd(), append([]string{"-t", "cmdbox"}, bp...)...)
	c.out.WaitFor(t, "Listening for cmdbox messages.")
	file := writeLaunchCSV(t, `sh -c 'echo remote-ok; exec sleep 30',no,cmdbox,no,no,0`)
	ctx, cancel := context.WithCancel(context.Background())
	l := startLaunchCmd(ctx, newLaunchCmd(), append([]string{"-f", file, "--secret-file", secretFile, "--republish", "100ms"}, bp...)...)
	c.out.WaitFor(t, "remote-ok")
	l.out.WaitFor(t, "PID = ")
	cancel() // Ctrl-C: the launcher tells the client to stop
	if err := l.wait(t); err != nil {
		t.Fatal(err)
	}
	if err := c.wait(t); err != nil {
		t.Fatal(err)
	}
	c.out.WaitFor(t, "stopping everything (killall received)")
}

func TestLaunchCmdErrors(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{}).Args()
	file := writeLaunchCSV(t, `true,no,local,no,no,0.5`, `true,no,local,no,no,0,5`)
	if _, err := runLaunchCmd(t, newLaunchCmd(), append([]string{file}, bp...)...); err == nil || !strings.Contains(err.Error(), "app.csv: row 3: has 7 fields, want 6") {
		t.Errorf("bad CSV: %v", err)
	}
	file = writeLaunchCSV(t, `true,no,local,no,no,0`, `true,no,local,no,no,later`)
	if _, err := runLaunchCmd(t, newLaunchCmd(), append([]string{file}, bp...)...); err == nil || !strings.Contains(err.Error(), `app.csv: row 3, column 6 (wait): "later" is not a number of seconds`) {
		t.Errorf("bad CSV: %v", err)
	}
	file = writeLaunchCSV(t, `true,no,pi,no,no,0`)
	t.Setenv("BANYAN_LAUNCH_SECRET", "")
	if _, err := runLaunchCmd(t, newLaunchCmd(), append([]string{file}, bp...)...); err == nil || !strings.Contains(withFlagHint(err).Error(), "--insecure-python-compat") {
		t.Errorf("remote rows without a secret: %v", err)
	}
	if _, err := runLaunchCmd(t, newLaunchClientCmd(), append([]string{"-t", "pi"}, bp...)...); err == nil || !strings.Contains(err.Error(), "secret") {
		t.Errorf("client without a secret: %v", err)
	}
	if _, err := runLaunchCmd(t, newLaunchClientCmd(), bp...); err == nil || !strings.Contains(err.Error(), "topic") {
		t.Errorf("client without a topic: %v", err)
	}
	if _, err := runLaunchCmd(t, newLaunchCmd(), append([]string{filepath.Join(t.TempDir(), "none.csv")}, bp...)...); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
