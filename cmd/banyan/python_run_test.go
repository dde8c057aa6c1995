package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
)

// runAs runs args as the program named argv0, in-process, until it
// returns or ctx ends.
func runAs(ctx context.Context, out io.Writer, argv0 string, args ...string) error {
	root := newCommand(argv0, args)
	root.SetOut(out)
	root.SetErr(out)
	return root.ExecuteContext(ctx)
}

// startAs runs args as argv0 in the background; the test's end stops it
// and reports an error other than the context's.
func startAs(t *testing.T, out io.Writer, argv0 string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runAs(ctx, out, argv0, args...) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("%s %q: %v", argv0, args, err)
			}
		case <-time.After(testbp.Patience):
			t.Errorf("%s %q did not stop", argv0, args)
		}
	})
}

// echo-server with Python's -t and -m serves an echo client, which sends
// what Python's echo_cmdline_client sends for -m 3 (3, 1, 0: it skips 2)
// and ends with its line.
func TestEchoServerPythonFlags(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	var srv testbp.Buffer
	startAs(t, &srv, "banyan", append([]string{"echo-server", "-t", "0.1", "-m", "10", "-n", "EchoCmdServer"}, bp.Args()...)...)
	var cli testbp.Buffer
	if err := runAs(context.Background(), &cli, "banyan", append([]string{"echo-client", "-t", ".1", "-m", "3", "--warmup"}, bp.Args()...)...); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(cli.String(), "\n3 messages sent and received. \n") || !strings.Contains(cli.String(), "(3 round trips in ") {
		t.Errorf("client printed %q", cli.String())
	}
	srv.WaitFor(t, "Message number: 3\nMessage number: 1\nMessage number: 0\n")
	if strings.Contains(srv.String(), "Message number: 2") {
		t.Errorf("the client sent 2, which Python's skips:\n%s", srv.String())
	}
}

// A negative -m is refused (echo.Numbers are Python's numbers for -m m).
func TestEchoNegativeCount(t *testing.T) {
	if err := runAs(context.Background(), io.Discard, "banyan", "echo-client", "-m", "-1"); err == nil || !strings.Contains(err.Error(), "-m -1") {
		t.Errorf("-m -1: %v", err)
	}
}

// The banner's loop time is Python's str(float): 1.0 for -t 1.
func TestBackplaneBannerLoopTime(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{{nil, "\nLoop Time = 0.001 seconds\n"}, {[]string{"-t", "1"}, "\nLoop Time = 1.0 seconds\n"}, {[]string{"-t", "1e-05"}, "\nLoop Time = 1e-05 seconds\n"}} {
		ports := testbp.FreePorts(t, 2)
		var out testbp.Buffer
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- runAs(ctx, &out, "backplane", append([]string{"--bind", testbp.Host, "-p", strconv.Itoa(ports[0]), "-s", strconv.Itoa(ports[1])}, c.args...)...)
		}()
		out.WaitFor(t, " seconds\n"+strings.Repeat("*", 42)+"\n")
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), c.want) {
			t.Errorf("backplane %q: banner lacks %q:\n%s", c.args, c.want, out.String())
		}
	}
}

// wsgw -i PORT serves WebSockets on PORT, on --listen's host, and, as
// s3-extend's wsgw, to s3-extend's Scratch 3 editor on mryslab.github.io
// (s3-extend gives no origin flag); "banyan ws" refuses that page.
func TestWSGWPort(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	scratch := &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://mryslab.github.io"}}}
	for _, c := range []struct {
		argv0, name string
		args        []string
		scratchOK   bool
	}{{"wsgw", "wsgw", nil, true}, {"banyan", "ws", []string{"ws"}, false}} {
		port := strconv.Itoa(testbp.FreePort(t))
		var out testbp.Buffer
		startAs(t, &out, c.argv0, append(c.args, append(bp.Args(), "-i", port, "-n", c.name, "-l", "False")...)...)
		out.WaitFor(t, c.name+": serving WebSockets on ws://127.0.0.1:"+port+"\n")
		ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
		defer cancel()
		page, _, err := websocket.Dial(ctx, "ws://127.0.0.1:"+port, nil)
		if err != nil {
			t.Fatal(err)
		}
		page.CloseNow()
		page, _, err = websocket.Dial(ctx, "ws://127.0.0.1:"+port, scratch)
		if (err == nil) != c.scratchOK {
			t.Errorf("%s %q: the Scratch 3 editor's page: %v", c.argv0, c.args, err)
		}
		if err == nil {
			page.CloseNow()
		}
	}
}

// -b None is Python's "find the backplane": $BANYAN_BACKPLANE here.
func TestBackplaneNone(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	t.Setenv(banyan.EnvBackplane, testbp.Host)
	var mon testbp.Buffer
	startAs(t, &mon, "monitor", "-b", "None", "-p", strconv.Itoa(bp.PublisherPort()), "-s", strconv.Itoa(bp.SubscriberPort()), "--connect-timeout", "1m")
	pub := bp.Connect(t)
	testbp.WaitFor(t, "monitor -b None to print a message", func() bool {
		pub.Publish("echo", map[string]any{"message_number": 1})
		return strings.Contains(mon.String(), "echo {'message_number': 1}")
	})
}

// --connect-timeout bounds the wait, with Python's message.
func TestConnectTimeoutNoBackplane(t *testing.T) {
	ports := testbp.FreePorts(t, 2)
	for _, argv0 := range []string{"monitor", "blk"} {
		err := runAs(context.Background(), io.Discard, argv0, "-b", testbp.Host, "-p", strconv.Itoa(ports[0]), "-s", strconv.Itoa(ports[1]), "--connect-timeout", "1s")
		if err == nil || !errors.Is(err, banyan.ErrBackplaneNotRunning) || !strings.HasPrefix(err.Error(), "Backplane is not running - please start it.") ||
			!strings.Contains(err.Error(), "within 1s") {
			t.Errorf("%s --connect-timeout 1s without a backplane: %v", argv0, err)
		}
	}
}

// By default blk gives up after 5s, where Python's blk fails at once; its
// -h says so.
func TestKillallDefaultTimeout(t *testing.T) {
	ports := testbp.FreePorts(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	err := runAs(ctx, io.Discard, "blk", "-b", testbp.Host, "-p", strconv.Itoa(ports[0]), "-s", strconv.Itoa(ports[1]))
	if err == nil || !errors.Is(err, banyan.ErrBackplaneNotRunning) || !strings.HasPrefix(err.Error(), "Backplane is not running - please start it.") ||
		!strings.Contains(err.Error(), "within 5s") {
		t.Errorf("blk without a backplane: %v", err)
	}
	if d := time.Since(start); d < killallConnectTimeout {
		t.Errorf("blk gave up after %v", d)
	}
	var help bytes.Buffer
	if err := runAs(context.Background(), &help, "blk", "-h"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(help.String(), "Python's blk fails at once when no backplane runs; 0 = wait for it without bound) (default 5s)") {
		t.Errorf("blk -h:\n%s", help.String())
	}
}

// By default a tool waits for the backplane without bound (it says so on
// stderr), and connects once the backplane comes up.
func TestToolWaitsForBackplane(t *testing.T) {
	ports := testbp.FreePorts(t, 2)
	var mon testbp.Buffer
	startAs(t, &mon, "monitor", "-b", testbp.Host, "-p", strconv.Itoa(ports[0]), "-s", strconv.Itoa(ports[1]))
	mon.WaitFor(t, `msg="waiting for the backplane"`)
	if !strings.Contains(mon.String(), "timeout=none") {
		t.Fatalf("the monitor's wait is bounded:\n%s", mon.String())
	}
	var bp *testbp.BP
	testbp.WaitFor(t, "the backplane to bind the free ports", func() bool {
		var err error
		bp, err = testbp.TryStart(t, backplane.Options{PublisherPort: ports[0], SubscriberPort: ports[1]})
		return err == nil
	})
	pub := bp.Connect(t)
	testbp.WaitFor(t, "the waiting monitor to print a message", func() bool {
		pub.Publish("late", map[string]any{"n": 1})
		return strings.Contains(mon.String(), "late {'n': 1}")
	})
}

// --msgpack legacy sends old-spec msgpack: a 40-byte string is raw16
// (0xda), not str8 (0xd9).
func TestMsgpackLegacy(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	rx := bp.Connect(t, banyan.WithSubscriptions("j"))
	long := strings.Repeat("x", 40)
	for _, c := range []struct {
		flag string
		head byte
	}{{"current", 0xd9}, {"legacy", 0xda}} {
		if err := runAs(context.Background(), io.Discard, "banyan", append([]string{"pub", "--msgpack", c.flag, "j", "s=" + long}, bp.Args()...)...); err != nil {
			t.Fatal(err)
		}
		m := testbp.Next(t, rx)
		// fixmap 1, fixstr "s", then the string's header.
		if len(m.Payload) < 4 || m.Payload[3] != c.head {
			t.Errorf("--msgpack %s: payload % x, want header %#x", c.flag, m.Payload, c.head)
		}
	}
}
