package webview_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
	"github.com/gobanyan/banyan/webview"
)

// patience bounds every wait on the page (CI is a busy 2-core machine).
const patience = 60 * time.Second

// browser starts a headless Debian chromium for the test and returns its
// chromedp context; the browser ends with the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := testpeer.Chromium(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-timer-throttling", true), chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000))
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if _, err := chromedp.Run(ctx, chromedp.Navigate("about:blank")); err != nil { // starts the browser
		t.Fatalf("chromium %s: %v", path, err)
	}
	return ctx
}

// run runs an action with the patience bound.
func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, patience)
	defer cancel()
	v, err := chromedp.Run(c, a)
	if err != nil {
		screenshot(t, ctx, "failed")
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// poll waits until the JavaScript expression is true on the page.
func poll(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	run(t, ctx, "waiting for "+what, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(patience)))
}

// eval returns an expression's value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	return run(t, ctx, "evaluating "+expr, chromedp.Evaluate[T](expr))
}

// screenshot saves the page as a PNG in the test's artifact directory
// (kept with go test -artifacts), and at $BANYAN_WEBVIEW_SCREENSHOT when
// the name is "readme".
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, patience)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("no screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(t.ArtifactDir(), name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Errorf("screenshot: %v", err)
	}
	if dst := os.Getenv("BANYAN_WEBVIEW_SCREENSHOT"); dst != "" && name == "readme" {
		os.WriteFile(dst, png, 0o644)
	}
	t.Logf("screenshot %s", file)
}

// served is a backplane with a view served on a loopback port.
type served struct {
	bp  *testbp.BP
	v   *webview.View
	url string
}

func serve(t *testing.T, bpo backplane.Options, vo webview.Options) *served {
	t.Helper()
	bpo.Logger = testbp.Quiet()
	bp := testbp.Start(t, bpo)
	vo.Backplane = bp.Backplane
	if vo.Interval == 0 {
		vo.Interval = 200 * time.Millisecond
	}
	vo.Logger = testbp.Quiet()
	v, err := webview.New(vo)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := v.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); v.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done; v.Close() })
	return &served{bp: bp, v: v, url: "http://" + ln.Addr().String()}
}

// cell is the JS for the text of a topic row's cell.
func cell(topic, class string) string {
	return fmt.Sprintf(`(document.querySelector('tr[data-topic=%q] td.%s') || {}).textContent`, topic, class)
}

// The page shows the topics published, their counts rising, and the last
// payload exactly as published, in Python's form and in JSON.
func TestBrowserTopics(t *testing.T) {
	s := serve(t, backplane.Options{}, webview.Options{Name: "Lab"})
	ctx := browser(t)
	run(t, ctx, "loading the page", chromedp.Navigate(s.url+"/"))
	poll(t, ctx, "the live status", `document.querySelector('#status').textContent === 'live'`)

	c := s.bp.Connect(t)
	type reading struct {
		Value int    `msgpack:"value"`
		Name  string `msgpack:"name"`
	}
	for i := 1; i <= 5; i++ {
		c.Publish("sensor/temp", reading{Value: 40 + i, Name: "x"})
		c.Publish("button", map[string]any{"pressed": true})
	}
	poll(t, ctx, "five messages on each topic", cell("sensor/temp", "count")+` === '5' && `+cell("button", "count")+` === '5'`)
	if got := eval[string](t, ctx, cell("sensor/temp", "payload")); got != "{'value': 45, 'name': 'x'}" {
		t.Errorf("sensor/temp's last payload shows %q", got)
	}
	if got := eval[string](t, ctx, cell("button", "payload")); got != "{'pressed': True}" {
		t.Errorf("button's last payload shows %q", got)
	}
	for i := 6; i <= 9; i++ {
		c.Publish("sensor/temp", reading{Value: 40 + i, Name: "x"})
	}
	poll(t, ctx, "the count to rise to 9", cell("sensor/temp", "count")+` === '9'`)
	poll(t, ctx, "the last payload to follow", cell("sensor/temp", "payload")+` === "{'value': 49, 'name': 'x'}"`)

	run(t, ctx, "choosing JSON", chromedp.SetValue("#format", "json"))
	run(t, ctx, "telling the page", chromedp.Evaluate[chromedp.Void](`document.querySelector('#format').dispatchEvent(new Event('change'))`))
	poll(t, ctx, "the JSON form", cell("sensor/temp", "payload")+` === '{"value": 49, "name": "x"}'`)
	run(t, ctx, "choosing Python again", chromedp.SetValue("#format", "py"))
	run(t, ctx, "telling the page", chromedp.Evaluate[chromedp.Void](`document.querySelector('#format').dispatchEvent(new Event('change'))`))

	// Charting a topic: click its row.
	run(t, ctx, "clicking the topic", chromedp.Click(`tr[data-topic="sensor/temp"]`))
	poll(t, ctx, "the chart legend", `document.querySelector('#chart-legend').textContent.includes('sensor/temp msg/s')`)
	if title := eval[string](t, ctx, `document.title`); !strings.Contains(title, "Lab") {
		t.Errorf("title %q lacks the name", title)
	}
	if os.Getenv("BANYAN_WEBVIEW_SCREENSHOT") != "" {
		// For the README's picture: a small classroom's traffic, and a
		// subscriber to part of it, photographed while it flows.
		s.bp.Connect(t, banyan.WithSubscriptions("sensor/", "button"))
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; ; i++ {
				c.Publish("sensor/temp", reading{Value: 20 + i%7, Name: "lab"})
				if i%3 == 0 {
					c.Publish("button", map[string]any{"pressed": i%2 == 0})
				}
				c.Publish("robot/arm/pose", map[string]any{"x": 0.1 * float64(i%10), "y": 1.5, "gripper": "open"})
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
		time.Sleep(4 * time.Second)
		screenshot(t, ctx, "readme")
		close(stop)
		<-done
		return
	}
	screenshot(t, ctx, "readme")
}

// stalledSubscriber connects a ZMTP 3.1 SUB by hand, subscribes to
// everything and then never reads.
func stalledSubscriber(t *testing.T, port int) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	greeting := make([]byte, 64)
	greeting[0], greeting[9], greeting[10], greeting[11] = 0xff, 0x7f, 3, 1
	copy(greeting[12:], "NULL")
	ready := []byte("\x05READY\x0bSocket-Type\x00\x00\x00\x03SUB")
	cmd := append([]byte{0x04, byte(len(ready))}, ready...)
	sub := []byte("\x09SUBSCRIBE")
	cmd = append(cmd, 0x04, byte(len(sub)))
	cmd = append(cmd, sub...)
	if _, err := nc.Write(append(greeting, cmd...)); err != nil {
		t.Fatal(err)
	}
	return nc
}

// A stalled subscriber's drops show against its address.
func TestBrowserDrops(t *testing.T) {
	s := serve(t, backplane.Options{HWM: 10, HWMBytes: backplane.Unlimited}, webview.Options{})
	nc := stalledSubscriber(t, s.bp.SubscriberPort())
	remote := nc.LocalAddr().String()
	testbp.WaitFor(t, "the stalled subscriber's subscription", func() bool {
		for _, c := range s.bp.Connections() {
			if c.Remote == remote && c.Subscriptions == 1 {
				return true
			}
		}
		return false
	})
	ctx := browser(t)
	run(t, ctx, "loading the page", chromedp.Navigate(s.url+"/"))
	c := s.bp.Connect(t)
	big := make([]byte, 256<<10)
	testbp.WaitFor(t, "drops at the stalled subscriber", func() bool {
		for range 20 {
			c.PublishRaw("flood", append([]byte{0xc6, 0, 4, 0, 0}, big...)) // bin32 of 256 KiB
		}
		for _, c := range s.bp.Connections() {
			if c.Remote == remote && c.Dropped > 0 {
				return true
			}
		}
		return false
	})
	drops := fmt.Sprintf(`(document.querySelector('#connections tr[data-remote=%q][data-role="subscriber"] td.drops') || {}).textContent`, remote)
	poll(t, ctx, "drops against the stalled subscriber", drops+` > 0`)
	if !eval[bool](t, ctx, fmt.Sprintf(`!!document.querySelector('#drops li[data-remote=%q]')`, remote)) {
		t.Error("the drops panel does not list the stalled subscriber")
	}
	if eval[bool](t, ctx, `[...document.querySelectorAll('#connections tr[data-role="subscriber"]')].some(tr => tr.dataset.remote !== `+fmt.Sprintf("%q", remote)+` && tr.querySelector('td.drops').textContent !== '0')`) {
		t.Error("drops shown against another subscriber")
	}
	screenshot(t, ctx, "drops")
}

// With Publish, the form publishes what a component then receives; without
// it the form is absent and a POST is refused.
func TestBrowserPublish(t *testing.T) {
	var s *served
	s = serve(t, backplane.Options{}, webview.Options{Publish: func(_ context.Context, topic string, payload []byte) error {
		return s.bp.Backplane.Publish(topic, payload)
	}})
	c := s.bp.Connect(t, banyan.WithSubscriptions("from/page"))
	ctx := browser(t)
	run(t, ctx, "loading the page", chromedp.Navigate(s.url+"/"))
	run(t, ctx, "the form", chromedp.WaitVisible("#publish-form"))
	run(t, ctx, "typing the topic", chromedp.SendKeys("#publish-topic", "from/page"))
	run(t, ctx, "typing the payload", chromedp.SetValue("#publish-payload", `{"servo": 7, "angle": 90.5, "big": 18446744073709551615}`))
	run(t, ctx, "sending", chromedp.Click("#publish-send"))
	m := testbp.Next(t, c)
	if m.Topic != "from/page" {
		t.Fatalf("received topic %q", m.Topic)
	}
	got, err := m.Map()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "map[angle:90.5 big:18446744073709551615 servo:7]" {
		t.Errorf("received %v", got)
	}
	poll(t, ctx, "the result", `document.querySelector('#publish-result').textContent === 'published on from/page'`)
	screenshot(t, ctx, "publish")

	off := serve(t, backplane.Options{}, webview.Options{})
	run(t, ctx, "loading a page without publishing", chromedp.Navigate(off.url+"/"))
	poll(t, ctx, "the live status", `document.querySelector('#status').textContent === 'live'`)
	if eval[bool](t, ctx, `!!document.querySelector('#publish-form')`) {
		t.Error("the form is there with publishing off")
	}
	resp, err := http.Post(off.url+"/api/publish", "application/json", strings.NewReader(`{"topic":"x","payload":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST with publishing off: %d, want 403", resp.StatusCode)
	}
}

// With a token, the page is refused without it and works after ?token=.
func TestBrowserToken(t *testing.T) {
	s := serve(t, backplane.Options{}, webview.Options{Token: "t0ken"})
	ctx := browser(t)
	run(t, ctx, "loading the page without the token", chromedp.Navigate(s.url+"/"))
	if body := eval[string](t, ctx, `document.body.textContent`); !strings.Contains(body, "token is required") {
		t.Errorf("page without the token says %q", body)
	}
	run(t, ctx, "loading the page with the token", chromedp.Navigate(s.url+"/?token=t0ken"))
	if u := eval[string](t, ctx, `location.href`); strings.Contains(u, "t0ken") {
		t.Errorf("the token stays in the address: %s", u)
	}
	poll(t, ctx, "the live status", `document.querySelector('#status').textContent === 'live'`)
	c := s.bp.Connect(t)
	c.Publish("tok", map[string]any{"ok": 1})
	poll(t, ctx, "the topic", cell("tok", "count")+` === '1'`)
	for _, path := range []string{"/metrics", "/api/snapshot", "/healthz"} {
		resp, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without the token: %d, want 401", path, resp.StatusCode)
		}
	}
	screenshot(t, ctx, "token")
}
