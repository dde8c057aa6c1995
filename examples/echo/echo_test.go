package echo_test

import (
	"context"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan/backplane"
)

// The example programs, built and run as a user would, against a backplane.
func TestEchoExample(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"server", "client"} {
		if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, p), "./"+p).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", p, err, out)
		}
	}
	bp, err := backplane.New(backplane.Options{Bind: "127.0.0.1", PublisherPort: -1, SubscriberPort: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { bp.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	args := []string{"-b", "127.0.0.1", "-p", strconv.Itoa(bp.PublisherPort()), "-s", strconv.Itoa(bp.SubscriberPort())}

	server := exec.Command(filepath.Join(dir, "server"), args...)
	var serverOut strings.Builder
	server.Stdout = &serverOut
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer server.Process.Kill()
	// The client's first request is lost if the server has not subscribed
	// yet (as with Python's example), so give each attempt a few seconds.
	var out []byte
	for i := 0; i < 5; i++ {
		actx, acancel := context.WithTimeout(ctx, 3*time.Second)
		out, err = exec.CommandContext(actx, filepath.Join(dir, "client"), append(args, "-m", "10")...).Output()
		acancel()
		if err == nil && strings.Contains(string(out), "11 messages sent and received") {
			server.Process.Kill()
			server.Wait()
			if !strings.Contains(serverOut.String(), "Message number: 0") {
				t.Fatalf("server printed %q", serverOut.String())
			}
			return
		}
	}
	t.Fatalf("client: %v %s", err, out)
}
