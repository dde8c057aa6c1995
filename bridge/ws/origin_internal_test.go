package ws

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestCheckOrigin(t *testing.T) {
	cases := []struct {
		origin, host string
		o            Options
		ok           bool
	}{
		{"", "127.0.0.1:9000", Options{}, true},
		{"null", "127.0.0.1:9000", Options{}, true},
		{"null", "127.0.0.1:9000", Options{RefuseNullOrigin: true}, false},
		{"http://127.0.0.1:9000", "127.0.0.1:9000", Options{}, true},
		{"http://localhost:9000", "127.0.0.1:9000", Options{}, true},
		{"http://[::1]:9000", "localhost:9000", Options{}, true},
		{"http://127.0.0.2:9000", "[::1]:9000", Options{}, true},
		{"http://LOCALHOST:9000", "localhost:9000", Options{}, true},
		{"http://localhost:8000", "127.0.0.1:9000", Options{}, false},
		{"http://localhost:8000", "127.0.0.1:9000", Options{Origins: []string{"localhost:8000"}}, true},
		{"http://pi.lan:9000", "127.0.0.1:9000", Options{}, false},
		{"http://pi.lan:9000", "pi.lan:9000", Options{}, true},
		{"http://evil.example", "127.0.0.1:9000", Options{Origins: []string{"*"}}, true},
		{"https://app.example", "127.0.0.1:9000", Options{Origins: []string{"https://*.example"}}, true},
		{"http://app.example", "127.0.0.1:9000", Options{Origins: []string{"https://*.example"}}, false},
		{"not a url", "127.0.0.1:9000", Options{}, false},
	}
	for _, tc := range cases {
		g := &Bridge{o: tc.o}
		r := &http.Request{Host: tc.host, Header: http.Header{}}
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if err := g.checkOrigin(r); (err == nil) != tc.ok {
			t.Errorf("origin %q for host %q with %+v: %v, want ok=%v", tc.origin, tc.host, tc.o, err, tc.ok)
		}
	}
}

func TestIsUpgrade(t *testing.T) {
	for v, want := range map[string]bool{"websocket": true, "WebSocket": true, "h2c, websocket": true, "h2c": false, "": false} {
		r := &http.Request{Header: http.Header{}}
		if v != "" {
			r.Header.Set("Upgrade", v)
		}
		if got := isUpgrade(r); got != want {
			t.Errorf("Upgrade: %q = %v", v, got)
		}
	}
}

func TestCheckOriginPresets(t *testing.T) {
	cases := []struct {
		origin  string
		origins []string
		ok      bool
	}{
		{"https://mryslab.github.io", []string{"onegpio"}, true},
		{"http://MrYsLab.GitHub.io", []string{"OneGPIO"}, true},
		{"https://mryslab.github.io", nil, false},
		{"https://mryslab.github.io", []string{"onegpio2"}, false},
		{"https://evil.github.io", []string{"onegpio"}, false},
		{"https://mryslab.github.io.evil.example", []string{"onegpio"}, false},
		{"https://mryslab.github.io:8443", []string{"onegpio"}, false},
		{"http://pi.lan:8000", []string{"onegpio", "pi.lan:8000"}, true},
	}
	for _, tc := range cases {
		g := &Bridge{o: Options{Origins: tc.origins}}
		r := &http.Request{Host: "127.0.0.1:9000", Header: http.Header{"Origin": {tc.origin}}}
		if err := g.checkOrigin(r); (err == nil) != tc.ok {
			t.Errorf("origin %q with Origins %q: %v, want ok=%v", tc.origin, tc.origins, err, tc.ok)
		}
	}
}

// The hint of a refusal names the --origin value that allows the origin,
// and that value, given to Options.Origins, does allow it.
func TestOriginHint(t *testing.T) {
	cases := []struct {
		origin, allow, hint string
	}{
		{"https://mryslab.github.io", "onegpio", "--origin onegpio"},
		{"http://MRYSLAB.github.io", "onegpio", "--origin onegpio"},
		{"https://evil.example", "evil.example", "--origin evil.example"},
		{"http://Pi.Lan:8000", "pi.lan:8000", "--origin pi.lan:8000"},
		{"http://[::1]:8000", `\[::1\]:8000`, `--origin '\[::1\]:8000'`},
		{"http://a*b.example", `a\*b.example`, `--origin 'a\*b.example'`},
		{"not a url", "", "no --origin allows this"},
	}
	for _, tc := range cases {
		g := &Bridge{o: Options{Origins: []string{"other.example"}}}
		r := &http.Request{Host: "pi.lan:9000", Header: http.Header{"Origin": {tc.origin}}}
		err := g.checkOrigin(r)
		oe, ok := err.(*originError)
		if !ok {
			t.Errorf("origin %q: %v (%T), want an *originError", tc.origin, err, err)
			continue
		}
		if oe.allow != tc.allow || !strings.Contains(oe.hint, tc.hint) || !strings.Contains(err.Error(), tc.hint) {
			t.Errorf("origin %q: allow %q, error %q; want allow %q and a hint with %q", tc.origin, oe.allow, err, tc.allow, tc.hint)
		}
		if oe.allow == "" {
			continue
		}
		g.o.Origins = append(g.o.Origins, oe.allow)
		if _, err := g.o.withDefaults(); err != nil {
			t.Errorf("origin %q: hinted pattern %q refused by New: %v", tc.origin, oe.allow, err)
		}
		if err := g.checkOrigin(r); err != nil {
			t.Errorf("origin %q still refused with Origins %q: %v", tc.origin, g.o.Origins, err)
		}
	}
	g := &Bridge{o: Options{RefuseNullOrigin: true}}
	err := g.checkOrigin(&http.Request{Host: "pi.lan:9000", Header: http.Header{"Origin": {"null"}}})
	if err == nil || !strings.Contains(err.Error(), "without --refuse-null-origin") {
		t.Errorf(`origin "null" refused with %v, want a hint naming --refuse-null-origin`, err)
	}
	long := "http://" + strings.Repeat("a", 1<<20) + ".example"
	err = g.checkOrigin(&http.Request{Host: "pi.lan:9000", Header: http.Header{"Origin": {long}}})
	if oe, ok := err.(*originError); !ok || len(oe.origin) > maxShownOrigin || oe.allow != "" || len(err.Error()) > 4*maxShownOrigin {
		t.Errorf("a 1 MiB origin gives an error of %d bytes", len(err.Error()))
	}
}

// The set of refused origins remembers maxRememberedOrigins of them, then
// says once that it is full.
func TestRefusedOriginsBound(t *testing.T) {
	var s refusedOrigins
	for i := range maxRememberedOrigins {
		o := fmt.Sprintf("https://h%d.example", i)
		if first, full := s.note(o); !first || full {
			t.Fatalf("origin %d: first %v, full %v; want true, false", i, first, full)
		}
		if first, full := s.note(strings.ToUpper(o)); first || full {
			t.Fatalf("origin %d again: first %v, full %v; want false, false", i, first, full)
		}
	}
	if first, full := s.note("https://new.example"); !first || !full {
		t.Errorf("first origin beyond the bound: first %v, full %v; want true, true", first, full)
	}
	if first, full := s.note("https://newer.example"); first || full {
		t.Errorf("second origin beyond the bound: first %v, full %v; want false, false", first, full)
	}
	if first, _ := s.note("https://h7.example"); first {
		t.Error("a remembered origin counts as new")
	}
	if n := s.count(); n != maxRememberedOrigins {
		t.Errorf("count %d, want %d", n, maxRememberedOrigins)
	}
}
