package ws_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/gobanyan/banyan/bridge/ws"
	"github.com/gobanyan/banyan/internal/testbp"
)

// logLines returns the lines logged to b so far that contain every one of
// parts.
func logLines(b *testbp.Buffer, parts ...string) []string {
	var out []string
	for _, l := range strings.Split(b.String(), "\n") {
		ok := l != ""
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

func debugLogger(b *testbp.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func refused(t *testing.T, g *ws.Bridge, origin string) {
	t.Helper()
	_, resp, err := dialOrigin(t, g, origin)
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("origin %s: %v %v, want 403", origin, resp, err)
	}
}

// A refused origin is logged at warning level once, with the --origin
// value that would allow it; later refusals of it at debug level.
func TestOriginRefusedLoggedOnce(t *testing.T) {
	var logs testbp.Buffer
	_, g := start(t, ws.Options{Logger: debugLogger(&logs)})
	const onegpio = `msg="origin refused; to allow it start the bridge with --origin onegpio"`
	refused(t, g, "https://mryslab.github.io")
	refused(t, g, "https://mryslab.github.io")
	refused(t, g, "https://MRYSLAB.github.io")
	if l := logLines(&logs, "level=WARN", onegpio, "origin=https://mryslab.github.io", "allow=onegpio"); len(l) != 1 {
		t.Errorf("warnings with the onegpio hint: %q, want 1\n%s", l, logLines(&logs, "origin"))
	}
	if l := logLines(&logs, "level=DEBUG", onegpio); len(l) != 2 {
		t.Errorf("debug lines with the onegpio hint: %q, want 2", l)
	}
	refused(t, g, "http://evil.example:8000")
	refused(t, g, "http://evil.example:8000")
	const evil = `msg="origin refused; to allow it start the bridge with --origin evil.example:8000"`
	if l := logLines(&logs, "level=WARN", evil); len(l) != 1 {
		t.Errorf("warnings with the evil.example:8000 hint: %q, want 1\n%s", l, logLines(&logs, "origin"))
	}
	if l := logLines(&logs, "level=WARN", "origin refused"); len(l) != 2 {
		t.Errorf("origin warnings: %q, want 2", l)
	}
	if s := g.Stats(); s.Forbidden != 5 || s.ForbiddenOrigins != 2 {
		t.Errorf("Forbidden %d, ForbiddenOrigins %d; want 5, 2", s.Forbidden, s.ForbiddenOrigins)
	}
}

// The preset "onegpio" allows the OneGPIO editor's origin and still
// refuses others, with their own hint.
func TestOriginPresetOneGPIO(t *testing.T) {
	var logs testbp.Buffer
	_, g := start(t, ws.Options{Origins: []string{ws.PresetOneGPIO}, Logger: debugLogger(&logs)})
	for _, host := range ws.OneGPIOOrigins() {
		c, _, err := dialOrigin(t, g, "https://"+host)
		if err != nil {
			t.Fatalf("origin https://%s refused with the preset: %v", host, err)
		}
		c.Close(websocket.StatusNormalClosure, "")
	}
	refused(t, g, "https://evil.github.io")
	refused(t, g, "https://mryslab.github.io.evil.example")
	for _, hint := range []string{"--origin evil.github.io", "--origin mryslab.github.io.evil.example"} {
		if l := logLines(&logs, "level=WARN", "origin refused; to allow it start the bridge with "+hint+`"`); len(l) != 1 {
			t.Errorf("warnings with %q: %q, want 1", hint, l)
		}
	}
	if s := g.Stats(); s.Forbidden != 2 || s.Connects != 1 {
		t.Errorf("Forbidden %d, Connects %d; want 2, 1", s.Forbidden, s.Connects)
	}
}
