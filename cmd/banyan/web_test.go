package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
)

// runBg runs the CLI with args until the test ends, and returns its output.
func runBg(t *testing.T, args ...string) (*testbp.Buffer, <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &testbp.Buffer{}
	done := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); done <- run(ctx, out, args...) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return out, done
}

var webURL = regexp.MustCompile(`Web view at (http://[^/\s]+)/`)

// webAddr waits for the "Web view at" line and returns its base URL.
func webAddr(t *testing.T, out *testbp.Buffer) string {
	t.Helper()
	out.WaitFor(t, "Web view at ")
	m := webURL.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no URL in %q", out.String())
	}
	return m[1]
}

// get fetches url with an optional bearer token and returns status and body.
func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// bannerPorts reads the ports a "-p 0 -s 0" backplane printed.
func bannerPorts(t *testing.T, out *testbp.Buffer) (pub, sub int) {
	t.Helper()
	out.WaitFor(t, "Loop Time")
	s := out.String()
	p := regexp.MustCompile(`Publisher  Port = (\d+)`).FindStringSubmatch(s)
	q := regexp.MustCompile(`Subscriber Port = (\d+)`).FindStringSubmatch(s)
	if p == nil || q == nil {
		t.Fatalf("no ports in the banner %q", s)
	}
	pub, _ = strconv.Atoi(p[1])
	sub, _ = strconv.Atoi(q[1])
	return pub, sub
}

// metricValue finds a sample's value in Prometheus text, or -1.
func metricValue(body, sample string) float64 {
	for _, l := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(l, sample+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

// backplane --http: /healthz, and /metrics with exact values after a known
// number of messages, on the view's listener.
func TestBackplaneHTTPMetrics(t *testing.T) {
	out, _ := runBg(t, "backplane", "--bind", "127.0.0.1", "-p", "0", "-s", "0", "-n", "M", "--http", "127.0.0.1:0")
	pp, sp := bannerPorts(t, out)
	base := webAddr(t, out)
	if code, body := get(t, base+"/healthz", ""); code != 200 || !strings.Contains(body, "ok") {
		t.Fatalf("/healthz: %d %q", code, body)
	}
	c := testbp.Connect(t, banyan.WithBackplane(testbp.Host), banyan.WithPorts(pp, sp))
	const n = 37
	for i := range n {
		if err := c.Publish("metered", map[string]any{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
	defer cancel()
	if err := c.Flush(ctx); err != nil { // the backplane has read all n
		t.Fatal(err)
	}
	var body string
	testbp.WaitFor(t, "the forwarded count", func() bool {
		_, body = get(t, base+"/metrics", "")
		return metricValue(body, `banyan_backplane_forwarded_total{backplane="M"}`) == n
	})
	for sample, want := range map[string]float64{
		`banyan_backplane_publishers{backplane="M"}`:    1,
		`banyan_backplane_subscribers{backplane="M"}`:   1,
		`banyan_backplane_dropped_total{backplane="M"}`: 0,
	} {
		if got := metricValue(body, sample); got != want {
			t.Errorf("%s = %v, want %v", sample, got, want)
		}
	}
	if !strings.Contains(body, "go_goroutines") {
		t.Error("/metrics lacks the Go runtime's collectors")
	}
	if !strings.Contains(body, "banyan_web_") {
		t.Error("/metrics lacks the view's own metrics")
	}
}

// A non-loopback --http needs a token; the token file gives one, and every
// request must then carry it.
func TestBackplaneHTTPToken(t *testing.T) {
	err := run(context.Background(), io.Discard, "backplane", "--bind", "127.0.0.1", "-p", "0", "-s", "0", "--http", "0.0.0.0:0")
	if err == nil || !strings.Contains(err.Error(), "--http-token") {
		t.Fatalf("a non-loopback --http without a token: %v", err)
	}
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("s3cret-token\nignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := runBg(t, "backplane", "--bind", "127.0.0.1", "-p", "0", "-s", "0", "--http", "0.0.0.0:0", "--http-token-file", file)
	base := webAddr(t, out)
	if code, _ := get(t, base+"/healthz", ""); code != http.StatusUnauthorized {
		t.Errorf("/healthz without the token: %d, want 401", code)
	}
	if code, _ := get(t, base+"/metrics", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("/metrics with a wrong token: %d, want 401", code)
	}
	if code, _ := get(t, base+"/healthz", "s3cret-token"); code != 200 {
		t.Errorf("/healthz with the token: %d, want 200", code)
	}
	if err := run(context.Background(), io.Discard, "backplane", "-p", "0", "-s", "0", "--http", "127.0.0.1:0",
		"--http-token", "a", "--http-token-file", file); err == nil {
		t.Error("both --http-token and --http-token-file were accepted")
	}
}

// banyan web: the view as a component of any backplane; its snapshot shows
// the topics a subscribe-all component sees, and /healthz follows the
// connection.
func TestWebComponent(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	out, _ := runBg(t, append([]string{"web", "--http", "127.0.0.1:0"}, bp.Args()...)...)
	base := webAddr(t, out)
	testbp.WaitFor(t, "/healthz to say connected", func() bool {
		code, _ := get(t, base+"/healthz", "")
		return code == 200
	})
	c := bp.Connect(t)
	testbp.WaitFor(t, "the topic in the snapshot", func() bool {
		c.Publish("web/seen", map[string]any{"v": 1})
		_, body := get(t, base+"/api/snapshot", "")
		return strings.Contains(body, `"web/seen"`)
	})
	bp.Stop()
	testbp.WaitFor(t, "/healthz to say disconnected", func() bool {
		code, _ := get(t, base+"/healthz", "")
		return code == http.StatusServiceUnavailable
	})
}

// banyan web on Python Banyan's backplane (libzmq's zmq.device FORWARDER,
// pyzmq): the topics a Python-style component publishes, with their last
// payload in Python's form.
func TestWebOnLibzmqBackplane(t *testing.T) {
	py := testpeer.Python(t, "zmq", "msgpack")
	ports := testbp.FreePorts(t, 2)
	fwd := testpeer.Start(t, py, "../../bench/pyforwarder.py", strconv.Itoa(ports[0]), strconv.Itoa(ports[1]))
	defer fwd.Kill() // it does not read stdin: Stop would wait 5 s
	out, _ := runBg(t, "web", "--http", "127.0.0.1:0", "-b", testbp.Host, "-p", strconv.Itoa(ports[0]), "-s", strconv.Itoa(ports[1]))
	base := webAddr(t, out)
	testbp.WaitFor(t, "banyan web to connect to the forwarder", func() bool {
		code, _ := get(t, base+"/healthz", "")
		return code == 200
	})
	// A Python Banyan-style publisher: pyzmq PUB, msgpack.packb of a dict.
	pub := testpeer.Start(t, py, "-c", `
import sys, time, zmq, msgpack
s = zmq.Context().socket(zmq.PUB)
s.connect("tcp://127.0.0.1:`+strconv.Itoa(ports[0])+`")
for line in sys.stdin:
    s.send_multipart([b"py/sensor", msgpack.packb({"celsius": 21.5, "ok": True})])
    print("SENT", flush=True)
`)
	defer pub.Kill()
	testbp.WaitFor(t, "the Python topic in the view", func() bool {
		pub.Send("go")
		pub.Expect("SENT")
		_, body := get(t, base+"/api/snapshot", "")
		return strings.Contains(body, `"py/sensor"`) && strings.Contains(body, `"py":"{'celsius': 21.5, 'ok': True}"`)
	})
}
