package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
)

func run(ctx context.Context, out io.Writer, args ...string) error {
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(out)
	root.SetErr(out)
	return root.ExecuteContext(ctx)
}

func TestDemo(t *testing.T) {
	var out testbp.Buffer
	if err := run(context.Background(), &out, "demo", "-m", "10"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"10 messages sent and received", "the server handled 10 requests"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}

// pub -> backplane -> monitor (Python format), sub -t (JSON) and a topic filter.
func TestPubMonitorSub(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{}).Args()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mon, sub testbp.Buffer
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); run(ctx, &mon, append([]string{"monitor", "-t", "echo"}, bp...)...) }()
	go func() {
		defer wg.Done()
		run(ctx, &sub, append([]string{"sub", "--json", "-c", "1", "echo"}, bp...)...)
	}()
	// Publish until both have seen one (they may still be connecting).
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(mon.String(), "echo {'message_number': 10}") || sub.String() == "" {
		if err := run(ctx, io.Discard, append([]string{"pub", "echo", `{"message_number": 10}`}, bp...)...); err != nil {
			t.Fatal(err)
		}
		run(ctx, io.Discard, append([]string{"pub", "other", "k=v"}, bp...)...)
		if time.Now().After(deadline) {
			t.Fatalf("monitor: %q sub: %q", mon.String(), sub.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if want := `{"topic":"echo","payload":{"message_number":10}}`; strings.TrimSpace(sub.String()) != want {
		t.Errorf("sub --json printed %q, want %q", sub.String(), want)
	}
	if strings.Contains(mon.String(), "other") {
		t.Errorf("monitor -t echo printed another topic:\n%s", mon.String())
	}
	run(ctx, io.Discard, append([]string{"pub", "echo", "a=1", "b=x", "c=true"}, bp...)...)
	mon.WaitFor(t, "echo {'a': 1, 'b': 'x', 'c': True}")
	cancel()
	wg.Wait()
}

func TestEchoServerClient(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{}).Args()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var srv, cli testbp.Buffer
	done := make(chan struct{})
	go func() { run(ctx, &srv, append([]string{"echo-server"}, bp...)...); close(done) }()
	// The client times out per reply until the server is subscribed; retry.
	for i := 0; ; i++ {
		err := run(ctx, &cli, append([]string{"echo-client", "-m", "5", "--timeout", "300ms"}, bp...)...)
		if err == nil {
			break
		}
		if i == 20 {
			t.Fatal(err)
		}
	}
	if !strings.Contains(cli.String(), "5 messages sent and received. \n") {
		t.Errorf("client printed %q", cli.String())
	}
	srv.WaitFor(t, "Message number: 0")
	cancel()
	<-done
}

// The built binary: a port in use is one clear line and exit status 1.
func TestBackplanePortInUse(t *testing.T) {
	bin := binary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	cmd := exec.Command(bin, "backplane", "--bind", "127.0.0.1", "-p", port, "-s", "0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1", err)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	want := "banyan: backplane: port " + port + " already in use: is another backplane running?"
	if len(lines) != 1 || !strings.HasPrefix(lines[0], want) {
		t.Fatalf("stderr %q, want one line starting %q", stderr.String(), want)
	}
	// And SIGTERM stops a running one cleanly, with the banner printed.
	cmd = exec.Command(bin, "backplane", "--bind", "127.0.0.1", "-p", "0", "-s", "0", "-n", "Test", "--metrics", "127.0.0.1:0")
	var stdout testbp.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), "Loop Time") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	// --metrics serves Prometheus metrics; the banner line says where.
	for !strings.Contains(stdout.String(), "/metrics\n") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	_, rest, _ := strings.Cut(stdout.String(), "Metrics at ")
	url, _, _ := strings.Cut(rest, "\n")
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("metrics at %q: %v (stdout %q)", url, err, stdout.String())
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `banyan_backplane_subscribers{backplane="Test"} 0`) {
		t.Fatalf("metrics lack the backplane gauges:\n%s", body)
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("backplane exit after SIGINT: %v", err)
	}
	if !strings.Contains(stdout.String(), "Test Backplane IP address: 127.0.0.1") {
		t.Fatalf("banner: %q", stdout.String())
	}
}
