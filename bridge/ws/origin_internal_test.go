package ws

import (
	"net/http"
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
