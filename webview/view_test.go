package webview

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newView is a view whose sampler never ticks by itself (tests call tick).
func newView(t *testing.T, o Options) *View {
	t.Helper()
	if o.Interval == 0 {
		o.Interval = time.Hour
	}
	o.Logger = slog.New(slog.DiscardHandler)
	v, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func mp(t *testing.T, v any) []byte {
	t.Helper()
	b, err := banyan.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func snapshotOf(t *testing.T, v *View) snapshotJSON {
	t.Helper()
	var s snapshotJSON
	if err := json.Unmarshal(v.snapshot(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func topicOf(s snapshotJSON, name string) *topicJSON {
	for i := range s.Topics {
		if s.Topics[i].Topic == name && !s.Topics[i].Other {
			return &s.Topics[i]
		}
	}
	return nil
}

// Counts per topic; topics past the cap go to one "other" row.
func TestCountsAndOther(t *testing.T) {
	v := newView(t, Options{MaxTopics: 2})
	p := mp(t, map[string]any{"v": 1})
	for _, topic := range []string{"a", "b", "a", "c", "d", "c"} {
		v.Observe([]byte(topic), p)
	}
	s := snapshotOf(t, v)
	if a, b := topicOf(s, "a"), topicOf(s, "b"); a == nil || b == nil || a.Messages != 2 || b.Messages != 1 || a.Bytes != uint64(2*len(p)) {
		t.Fatalf("topics: %+v", s.Topics)
	}
	if topicOf(s, "c") != nil || topicOf(s, "d") != nil {
		t.Errorf("topics past the cap are listed: %+v", s.Topics)
	}
	last := s.Topics[len(s.Topics)-1]
	if !last.Other || last.Messages != 3 || last.Last != nil {
		t.Errorf("other = %+v, want 3 messages and no payload", last)
	}
	if s.Totals.Topics != 2 || s.Mode != "component" || s.MaxTopics != 2 {
		t.Errorf("totals %+v mode %q", s.Totals, s.Mode)
	}
	reg := prometheus.NewRegistry()
	for _, c := range v.Collectors() {
		reg.MustRegister(c)
	}
	mfs, _ := reg.Gather()
	got := map[string]float64{}
	for _, mf := range mfs {
		m := mf.GetMetric()[0]
		if m.Counter != nil {
			got[mf.GetName()] = m.Counter.GetValue()
		} else {
			got[mf.GetName()] = m.Gauge.GetValue()
		}
	}
	if got["banyan_web_topics"] != 2 || got["banyan_web_other_messages_total"] != 3 || got["banyan_web_watchers"] != 0 {
		t.Errorf("metrics %v", got)
	}
}

// The last payload in both forms; cut past MaxText; not kept past
// MaxPayload; an undecodable one shows why.
func TestLastValue(t *testing.T) {
	v := newView(t, Options{MaxPayload: 64, MaxText: 16})
	v.Observe([]byte("short"), mp(t, map[string]any{"k": "é"}))
	v.Observe([]byte("long"), mp(t, map[string]any{"text": strings.Repeat("ab", 10)}))
	v.Observe([]byte("huge"), mp(t, map[string]any{"blob": strings.Repeat("x", 100)}))
	v.Observe([]byte("bad"), []byte{0xc1})
	s := snapshotOf(t, v)
	if l := topicOf(s, "short").Last; l.Python != "{'k': 'é'}" || l.JSON != `{"k": "\u00e9"}` || l.Truncated {
		t.Errorf("short: %+v", l)
	}
	if l := topicOf(s, "long").Last; l.Python != "{'text': 'ababab…" || !l.Truncated || !strings.HasSuffix(l.JSON, "…") {
		t.Errorf("long: %+v", l)
	}
	if l := topicOf(s, "huge").Last; !l.TooLarge || l.Python != "" || l.Size <= 64 || !strings.Contains(l.Error, "limit") {
		t.Errorf("huge: %+v", l)
	}
	if l := topicOf(s, "bad").Last; l.Error == "" || l.Python != "" {
		t.Errorf("bad: %+v", l)
	}
	if _, cut := truncate("ééé", 3); cut {
		t.Error("truncate cut a string of exactly the limit")
	}
	if got, _ := truncate("éééé", 3); got != "ééé…" {
		t.Errorf("truncate = %q", got)
	}
}

// Rates per tick, "last seen", history rings.
func TestTickRatesAndHistory(t *testing.T) {
	v := newView(t, Options{Interval: time.Hour, History: 3})
	t0 := v.lastTick
	p := mp(t, 1)
	for range 10 {
		v.Observe([]byte("r"), p)
	}
	v.tick(t0.Add(2 * time.Second))
	s := snapshotOf(t, v)
	r := topicOf(s, "r")
	if r.Rate != 5 || r.ByteRate != float64(5*len(p)) || r.LastSeen != t0.Add(2*time.Second).UnixMilli() {
		t.Errorf("after a 2 s tick: %+v", r)
	}
	if s.Totals.Rate != 5 {
		t.Errorf("total rate %v", s.Totals.Rate)
	}
	for i := range 4 { // three more ticks without messages: the ring of 3 wraps
		v.tick(t0.Add(time.Duration(3+i) * time.Second))
	}
	var h historyJSON
	json.Unmarshal(v.history("r", false), &h)
	if len(h.Rate) != 3 || h.Rate[0] != 0 || h.Rate[2] != 0 {
		t.Errorf("history %v", h.Rate)
	}
	json.Unmarshal(v.history("", true), &h)
	if len(h.Rate) != 3 {
		t.Errorf("total history %v", h.Rate)
	}
	if v.history("nope", false) != nil {
		t.Error("history of an unknown topic")
	}
	if got := topicOf(snapshotOf(t, v), "r"); got.LastSeen != r.LastSeen || got.Rate != 0 {
		t.Errorf("a quiet topic: %+v", got)
	}
}

// readEvent reads one server-sent event.
func readEvent(t *testing.T, br *bufio.Reader) (kind string, data []byte) {
	t.Helper()
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("event stream: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "event: "):
			kind = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = []byte(line[6:])
		case line == "" && kind != "":
			return kind, data
		}
	}
}

// The event stream: a full event, then ticks with only what changed.
func TestEvents(t *testing.T) {
	v := newView(t, Options{})
	v.Observe([]byte("a"), mp(t, 1))
	v.Observe([]byte("b"), mp(t, 2))
	srv := httptest.NewServer(v.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	br := bufio.NewReader(resp.Body)
	kind, data := readEvent(t, br)
	var s snapshotJSON
	json.Unmarshal(data, &s)
	if kind != "full" || topicOf(s, "a").Last == nil || topicOf(s, "b").Last.Python != "2" {
		t.Fatalf("first event %s %s", kind, data)
	}
	if v.nwatch.Load() != 1 {
		t.Errorf("watchers = %d", v.nwatch.Load())
	}
	// The first tick still carries what the full event rendered (other
	// watchers have not seen it); the next carries only what changed.
	v.broadcast(v.tick(time.Now()))
	if kind, _ = readEvent(t, br); kind != "tick" {
		t.Fatalf("event %q", kind)
	}
	v.Observe([]byte("b"), mp(t, 3))
	v.broadcast(v.tick(time.Now()))
	kind, data = readEvent(t, br)
	s = snapshotJSON{}
	json.Unmarshal(data, &s)
	if kind != "tick" || topicOf(s, "a").Last != nil || topicOf(s, "b").Last == nil || topicOf(s, "b").Last.Python != "3" {
		t.Fatalf("tick event: %s %s", kind, data)
	}
	resp.Body.Close()
	testbp.WaitFor(t, "the watcher to leave", func() bool { return v.nwatch.Load() == 0 })
	if v.tick(time.Now()) != nil {
		t.Error("a tick with nobody watching built an event")
	}
}

// A watcher that does not keep up is dropped, not waited for.
func TestSlowWatcherDropped(t *testing.T) {
	v := newView(t, Options{})
	w := v.addWatcher()
	for range cap(w.ch) + 1 {
		v.broadcast([]byte("{}"))
	}
	if _, open := <-w.ch; !open {
		t.Fatal("channel closed before its events were read")
	}
	for range w.ch {
	}
	if v.nwatch.Load() != 0 {
		t.Errorf("watchers = %d after the slow one was dropped", v.nwatch.Load())
	}
	v.removeWatcher(w) // after the drop: no double close
}

func do(t *testing.T, h http.Handler, method, target, host string, hdr map[string]string, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if host == "" {
		host = "127.0.0.1:8080"
	}
	r.Host = host
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// POST /api/publish: off, on, bad JSON, wrong type, another origin.
func TestPublish(t *testing.T) {
	off := newView(t, Options{})
	jsonType := map[string]string{"Content-Type": "application/json"}
	if w := do(t, off.Handler(), "POST", "/api/publish", "127.0.0.1:1", jsonType, `{"topic":"x","payload":{}}`); w.Code != 403 || !strings.Contains(w.Body.String(), "--http-allow-publish") {
		t.Errorf("publishing off: %d %q", w.Code, w.Body.String())
	}
	var mu sync.Mutex
	var got []string
	on := newView(t, Options{Publish: func(_ context.Context, topic string, payload []byte) error {
		mu.Lock()
		defer mu.Unlock()
		if topic == "fail" {
			return errors.New("backplane away")
		}
		v, _ := banyan.DecodeValue(payload)
		got = append(got, topic+" "+strings.TrimSpace(strings.ReplaceAll(jsonString(v), " ", "")))
		return nil
	}})
	h := on.Handler()
	if w := do(t, h, "POST", "/api/publish", "127.0.0.1:1", jsonType, `{"topic":"led","payload":{"pin":13,"on":true}}`); w.Code != 204 {
		t.Errorf("publish: %d %q", w.Code, w.Body.String())
	}
	mu.Lock()
	if len(got) != 1 || got[0] != `led {"on":true,"pin":13}` {
		t.Errorf("published %q", got)
	}
	mu.Unlock()
	for _, c := range []struct {
		body string
		hdr  map[string]string
		code int
	}{
		{`{"topic":"led","payload":{"pin":}}`, jsonType, 400},
		{`{"topic":"","payload":1}`, jsonType, 400},
		{`{"topic":"led"}`, jsonType, 400},
		{`{"topic":"fail","payload":1}`, jsonType, 503},
		{`{"topic":"led","payload":1}`, map[string]string{"Content-Type": "text/plain"}, 415},
		{`{"topic":"led","payload":1}`, map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, 403},
		{`{"topic":"led","payload":1}`, map[string]string{"Content-Type": "application/json", "Origin": "http://evil.example"}, 403},
	} {
		if w := do(t, h, "POST", "/api/publish", "127.0.0.1:1", c.hdr, c.body); w.Code != c.code {
			t.Errorf("%s %v: %d, want %d (%q)", c.body, c.hdr, w.Code, c.code, w.Body.String())
		}
	}
	if snap := snapshotOf(t, on); !snap.Publish || snapshotOf(t, off).Publish {
		t.Error("the snapshot does not say whether publishing is on")
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The token: in a header, in the cookie ?token= sets, missing or wrong.
func TestToken(t *testing.T) {
	h := newView(t, Options{Token: "sekrit"}).Handler()
	if w := do(t, h, "GET", "/healthz", "lan.example:8080", nil, ""); w.Code != 401 {
		t.Errorf("no token: %d", w.Code)
	}
	if w := do(t, h, "GET", "/healthz", "", map[string]string{"Authorization": "Bearer wrong"}, ""); w.Code != 401 {
		t.Errorf("wrong token: %d", w.Code)
	}
	if w := do(t, h, "GET", "/healthz", "lan.example:8080", map[string]string{"Authorization": "Bearer sekrit"}, ""); w.Code != 200 {
		t.Errorf("bearer: %d", w.Code)
	}
	if w := do(t, h, "GET", "/?token=wrong", "", nil, ""); w.Code != 401 {
		t.Errorf("?token=wrong: %d", w.Code)
	}
	w := do(t, h, "GET", "/api/snapshot?token=sekrit&x=1", "", nil, "")
	cookie := w.Header().Get("Set-Cookie")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/api/snapshot?x=1" || !strings.Contains(cookie, "banyan_token=sekrit") ||
		!strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") {
		t.Errorf("?token=: %d %q %q", w.Code, w.Header().Get("Location"), cookie)
	}
	if w := do(t, h, "GET", "/api/snapshot", "", map[string]string{"Cookie": "banyan_token=sekrit"}, ""); w.Code != 200 {
		t.Errorf("cookie: %d", w.Code)
	}
	if w := do(t, h, "GET", "/api/snapshot", "", map[string]string{"Cookie": "banyan_token=nope"}, ""); w.Code != 401 {
		t.Errorf("wrong cookie: %d", w.Code)
	}
}

// Without a token only loopback Host headers are served (DNS rebinding).
func TestHostCheck(t *testing.T) {
	h := newView(t, Options{}).Handler()
	for host, code := range map[string]int{
		"127.0.0.1:8080": 200, "localhost:8080": 200, "[::1]:8080": 200, "127.0.0.1": 200,
		"evil.example:8080": 403, "192.168.1.20:8080": 403, "localhost.evil.example": 403,
	} {
		if w := do(t, h, "GET", "/healthz", host, nil, ""); w.Code != code {
			t.Errorf("Host %s: %d, want %d", host, w.Code, code)
		}
	}
}

// Listen refuses every address but loopback without a token.
func TestListen(t *testing.T) {
	v := newView(t, Options{})
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0"} {
		if ln, err := v.Listen(addr); !errors.Is(err, ErrTokenRequired) {
			if ln != nil {
				ln.Close()
			}
			t.Errorf("Listen(%q) without a token: %v", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		ln, err := v.Listen(addr)
		if err != nil {
			t.Errorf("Listen(%q): %v", addr, err)
			continue
		}
		ln.Close()
	}
	withToken := newView(t, Options{Token: "x"})
	ln, err := withToken.Listen("0.0.0.0:0")
	if err != nil {
		t.Fatalf("Listen on every interface with a token: %v", err)
	}
	ln.Close()
}

// /healthz follows Options.Health; /metrics serves Options.Metrics.
func TestHealthAndMetrics(t *testing.T) {
	var down error
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "probe_total", Help: "x"}, func() float64 { return 7 }))
	h := newView(t, Options{Health: func() error { return down }, Metrics: reg}).Handler()
	if w := do(t, h, "GET", "/healthz", "", nil, ""); w.Code != 200 || !strings.Contains(w.Body.String(), `"status":"ok"`) {
		t.Errorf("healthy: %d %s", w.Code, w.Body.String())
	}
	down = errors.New("not connected")
	if w := do(t, h, "GET", "/healthz", "", nil, ""); w.Code != 503 || !strings.Contains(w.Body.String(), "not connected") {
		t.Errorf("unhealthy: %d %s", w.Code, w.Body.String())
	}
	if w := do(t, h, "GET", "/metrics", "", nil, ""); w.Code != 200 || !strings.Contains(w.Body.String(), "probe_total 7") {
		t.Errorf("/metrics: %d %s", w.Code, w.Body.String())
	}
	if w := do(t, newView(t, Options{}).Handler(), "GET", "/metrics", "", nil, ""); w.Code != 404 {
		t.Errorf("/metrics without Options.Metrics: %d", w.Code)
	}
}

// The page and its assets are served, with a CSP that allows only ours.
func TestPage(t *testing.T) {
	h := newView(t, Options{}).Handler()
	w := do(t, h, "GET", "/", "", nil, "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `<script src="/static/app.js"`) || !strings.Contains(w.Header().Get("Content-Security-Policy"), "default-src 'self'") {
		t.Fatalf("page: %d %q", w.Code, w.Header())
	}
	bodies := []string{w.Body.String()}
	for _, p := range []string{"/static/app.js", "/static/app.css"} {
		w := do(t, h, "GET", p, "", nil, "")
		if w.Code != 200 || w.Body.Len() < 500 {
			t.Errorf("%s: %d, %d bytes", p, w.Code, w.Body.Len())
		}
		bodies = append(bodies, w.Body.String())
	}
	if w := do(t, h, "GET", "/nothing", "", nil, ""); w.Code != 404 {
		t.Errorf("/nothing: %d", w.Code)
	}
	for _, b := range bodies {
		if strings.Contains(b, "http://") || strings.Contains(b, "https://") || strings.Contains(b, "//cdn") {
			t.Error("the page loads something from elsewhere")
		}
	}
}

// Observe from many goroutines at once (run with -race), and Close ends
// the sampler (goleak checks).
func TestObserveConcurrently(t *testing.T) {
	v := newView(t, Options{Interval: time.Millisecond, MaxTopics: 5})
	p := mp(t, "x")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				v.Observe([]byte{byte('a' + (g+i)%8)}, p)
			}
		}()
	}
	wg.Wait()
	var total uint64
	for _, tp := range snapshotOf(t, v).Topics {
		total += tp.Messages
	}
	if total != 8*2000 {
		t.Errorf("counted %d of %d", total, 8*2000)
	}
	v.Close()
	v.Close()
}

// Observe on a known topic allocates nothing.
func TestObserveAllocs(t *testing.T) {
	v := newView(t, Options{})
	topic, p := []byte("sensor/temp"), mp(t, map[string]any{"v": 1})
	v.Observe(topic, p)
	if n := testing.AllocsPerRun(1000, func() { v.Observe(topic, p) }); n != 0 {
		t.Errorf("Observe allocates %v times per message", n)
	}
	big := make([]byte, DefaultMaxPayload+1)
	if n := testing.AllocsPerRun(1000, func() { v.Observe(topic, big) }); n != 0 {
		t.Errorf("Observe of a large payload allocates %v times", n)
	}
}

func BenchmarkObserve(b *testing.B) {
	v, _ := New(Options{Interval: time.Hour})
	defer v.Close()
	for i := range 100 {
		v.Observe([]byte("topic/"+string(rune('a'+i%26))+string(rune('a'+i/26))), nil)
	}
	topic, p := []byte("sensor/temperature"), []byte{0x81, 0xa1, 'v', 1}
	b.ReportAllocs()
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			v.Observe(topic, p)
		}
	})
	b.Run("parallel-same-topic", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				v.Observe(topic, p)
			}
		})
	})
}
