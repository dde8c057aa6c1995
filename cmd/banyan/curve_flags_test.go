package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/curve"
	"github.com/gobanyan/banyan/internal/testbp"
)

// curveBus is a CURVE backplane and the key files of a client admitted to
// it.
type curveBus struct {
	bp *testbp.BP
	// server is the backplane's public certificate, client the client's
	// secret one: the values of --curve-server-key and --curve-key.
	server, client string
	// opts connect a component of the test's own with the client's keys.
	opts []banyan.Option
}

// startCurveBus writes key pairs with keygen and starts an in-process
// CURVE backplane that admits any client key.
func startCurveBus(t *testing.T) *curveBus {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"bp", "client"} {
		if err := run(context.Background(), io.Discard, "keygen", filepath.Join(dir, name)); err != nil {
			t.Fatalf("keygen %s: %v", name, err)
		}
	}
	b := &curveBus{server: filepath.Join(dir, "bp"), client: filepath.Join(dir, "client_secret")}
	_, bpSecret, err := curve.LoadSecret(filepath.Join(dir, "bp_secret"))
	if err != nil {
		t.Fatal(err)
	}
	b.bp = testbp.Start(t, backplane.Options{CurveSecretKey: bpSecret})
	serverKey, err := curve.LoadPublic(b.server)
	if err != nil {
		t.Fatal(err)
	}
	pub, sec, err := curve.LoadSecret(b.client)
	if err != nil {
		t.Fatal(err)
	}
	b.opts = []banyan.Option{banyan.WithCurve(serverKey, pub, sec)}
	return b
}

// args are the CLI flags of a component on the bus: where it is, and its
// CURVE flags.
func (b *curveBus) args() []string {
	return append(b.bp.Args(), "--curve-server-key", b.server, "--curve-key", b.client)
}

// A bad --curve-server-key is refused at start-up, with the same message,
// by every component command: those cobra parses the flags of, and those
// that parse their own (DisableFlagParsing), whose CURVE flags were once
// read before they were parsed, and so ignored.
func TestCurveFlagsBadKeyRefused(t *testing.T) {
	b := startCurveBus(t)
	bad := filepath.Join(t.TempDir(), "not_a_key")
	if err := os.WriteFile(bad, []byte("this is no key\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	flags := append(b.bp.Args(), "--curve-server-key", bad, "--curve-key", b.client, "--connect-timeout", "1s")
	ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
	defer cancel()
	ref := runAs(ctx, io.Discard, "banyan", append([]string{"echo-server"}, flags...)...)
	if ref == nil || !strings.HasPrefix(ref.Error(), "--curve-server-key: ") {
		t.Fatalf("echo-server with a bad --curve-server-key: %v", ref)
	}
	for _, c := range [][]string{
		{"tgw", "-a", "127.0.0.1"},
		{"wsgw", "--listen", "127.0.0.1:0"},
		{"mgw", "-a", "127.0.0.1", "-d", "1"},
		{"banyan", "nats", "--nats", "nats://127.0.0.1:1"},
		{"banyan", "gateway", "arduino", "--tcp", "127.0.0.1:1"},
		{"banyan", "gateway", "esp8266", "-i", "127.0.0.1", "-t", "1"},
		{"banyan", "gateway", "rpi"},
		{"monitor"},
		{"blk"},
		{"banyan", "sub"},
		{"banyan", "gateway", "sim"},
	} {
		err := runAs(ctx, io.Discard, c[0], append(c[1:], flags...)...)
		if err == nil || err.Error() != ref.Error() {
			t.Errorf("%q with a bad --curve-server-key: %v; want %v", c, err, ref)
		}
	}
	// The launcher's commands have no --connect-timeout.
	for _, c := range [][]string{{"bls", "-f", filepath.Join(t.TempDir(), "none.csv")}, {"blc", "-t", "x", "--insecure-python-compat"}} {
		err := runAs(ctx, io.Discard, c[0], append(c[1:], flags[:len(flags)-2]...)...)
		if err == nil || err.Error() != ref.Error() {
			t.Errorf("%q with a bad --curve-server-key: %v; want %v", c, err, ref)
		}
	}
}

// Good CURVE flags connect the component to a CURVE backplane: wsgw
// (which parses its own flags) carries a page's message to a CURVE
// component; an echo client and server (cobra's flags) make their round
// trips.
func TestCurveFlagsConnect(t *testing.T) {
	b := startCurveBus(t)
	rx := b.bp.Connect(t, append(b.opts, banyan.WithSubscriptions("to_x"))...)

	var out testbp.Buffer
	startAs(t, &out, "wsgw", append(b.args(), "--listen", "127.0.0.1:0", "-n", "wsgw", "--connect-timeout", "1m")...)
	ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
	defer cancel()
	page := dialServed(t, ctx, &out)
	defer page.CloseNow()
	page.Write(ctx, websocket.MessageText, []byte(`{"id": "to_x"}`))
	page.Write(ctx, websocket.MessageText, []byte(`{"n": 7}`))
	if m := testbp.Next(t, rx); m.Topic != "to_x" {
		t.Fatalf("got %q", m.Topic)
	}
	page.Close(websocket.StatusNormalClosure, "")

	var srv testbp.Buffer
	startAs(t, &srv, "banyan", append([]string{"echo-server"}, b.args()...)...)
	var cli testbp.Buffer
	cctx, ccancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer ccancel()
	if err := runAs(cctx, &cli, "banyan", append([]string{"echo-client", "-m", "2", "--warmup", "--connect-timeout", "1m"}, b.args()...)...); err != nil {
		t.Fatalf("echo-client: %v\n%s", err, cli.String())
	}
	srv.WaitFor(t, "Message number: 0")
}

// launch and launch-client use their CURVE flags: the launcher finds the
// CURVE backplane running (instead of starting one of its own), and the
// launch client connects and runs the launcher's remote row.
func TestCurveFlagsLaunch(t *testing.T) {
	b := startCurveBus(t)
	t.Setenv("BANYAN_LAUNCH_SECRET", "s3cret")
	c := startLaunchCmd(context.Background(), newLaunchClientCmd(), append([]string{"-t", "cmdbox"}, b.args()...)...)
	file := writeLaunchCSV(t, `sh -c 'echo remote-ok; exec sleep 30',no,cmdbox,no,no,0`)
	ctx, cancel := context.WithCancel(context.Background())
	l := startLaunchCmd(ctx, newLaunchCmd(), append([]string{"-f", file, "--republish", "100ms", "--no-backplane-start"}, b.args()...)...)
	l.out.WaitFor(t, "backplane already running at ")
	c.out.WaitFor(t, "Listening for cmdbox messages.")
	c.out.WaitFor(t, "remote-ok")
	cancel()
	if err := l.wait(t); err != nil {
		t.Fatal(err)
	}
	if err := c.wait(t); err != nil {
		t.Fatal(err)
	}
}
