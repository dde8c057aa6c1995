package echo_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
)

// The example programs, built and run as a user would, against a backplane.
func TestEchoExample(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"server", "client"} {
		if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, p), "./"+p).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", p, err, out)
		}
	}
	args := testbp.Start(t, backplane.Options{}).Args()

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
	var err error
	for i := 0; i < 5; i++ {
		actx, acancel := context.WithTimeout(context.Background(), 3*time.Second)
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
