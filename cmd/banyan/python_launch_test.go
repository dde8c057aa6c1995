package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/testbp"
)

// A Python launch file whose rows say "backplane" and "monitor", run by
// "bls" with only our binary and its links on PATH: the backplane row is
// the backplane, the monitor prints what a component publishes.
func TestPythonLaunchFile(t *testing.T) {
	dir, _ := installLinksBesideBinary(t)
	ports := testbp.FreePorts(t, 2)
	p, s := strconv.Itoa(ports[0]), strconv.Itoa(ports[1])
	csv := filepath.Join(t.TempDir(), "launch.csv")
	body := "command_string,spawn,topic,append_bp_address,auto_restart,wait\n" +
		"monitor -b 127.0.0.1 -p " + p + " -s " + s + ",no,local,no,no,0\n" +
		"backplane -p " + p + " -s " + s + ",no,local,no,no,0\n"
	if err := os.WriteFile(csv, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	bls := exec.Command(filepath.Join(dir, "bls"), "-f", csv, "-b", "127.0.0.1", "-p", p, "-s", s)
	bls.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+"/usr/bin:/bin")
	out := startProcess(t, bls)
	out.WaitFor(t, "starting the launch file's backplane first")
	c := testbp.Connect(t, banyan.WithBackplane("127.0.0.1"), banyan.WithPorts(ports[0], ports[1]), banyan.WithLogger(testbp.Quiet()), banyan.WithConnectTimeout(time.Minute))
	testbp.WaitFor(t, "the launched monitor to print the message", func() bool {
		c.Publish("hello", map[string]any{"from": "go"})
		return strings.Contains(out.String(), "hello {'from': 'go'}")
	})
	// The backplane is the row's: the launcher said it started that row,
	// and none of its own (it says "starting one" for a child process of
	// ours, "started one in this process" with --embedded-backplane).
	if !strings.Contains(out.String(), ": started backplane -p "+p+" -s "+s+", PID ") ||
		strings.Contains(out.String(), ": starting one") || strings.Contains(out.String(), "started one in this process") {
		t.Fatalf("the backplane is not the launch file's row:\n%s", out.String())
	}
}
