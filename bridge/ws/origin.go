package ws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
)

// PresetOneGPIO is the entry of Options.Origins (the CLI's --origin
// onegpio) that allows the hosts of OneGPIOOrigins.
const PresetOneGPIO = "onegpio"

// OneGPIOOrigins returns the host patterns that the preset PresetOneGPIO
// stands for: where the OneGPIO pages are served on the web, that is the
// Scratch 3 OneGPIO editor of s3-extend, https://mryslab.github.io/s3onegpio/.
func OneGPIOOrigins() []string { return []string{"mryslab.github.io"} }

// presetOrigins returns the patterns of a preset name in Options.Origins.
func presetOrigins(name string) ([]string, bool) {
	if strings.EqualFold(name, PresetOneGPIO) {
		return OneGPIOOrigins(), true
	}
	return nil, false
}

// maxShownOrigin bounds the bytes of an Origin header put in logs, errors
// and the set of refused origins: a header may be a megabyte long, a real
// origin is at most 267 bytes ("https://", 253 of host name, ":65535").
const maxShownOrigin = 300

// originError is a request refused for its Origin header.
type originError struct {
	origin string // the header, at most maxShownOrigin bytes
	reason string
	allow  string // the Options.Origins entry (--origin value) that would allow it, or ""
	hint   string // what to do, in terms of the CLI
}

func (e *originError) Error() string { return e.reason + "; " + e.hint }

// checkOrigin applies the origin policy of Options.Origins to a WebSocket
// request. A refusal is an *originError.
func (g *Bridge) checkOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	shown := origin
	if len(shown) > maxShownOrigin {
		shown = shown[:maxShownOrigin]
	}
	switch origin {
	case "":
		return nil // not a browser
	case "null":
		if g.o.RefuseNullOrigin {
			return &originError{origin: origin, reason: `origin "null" refused (pages opened from files, sandboxed frames)`,
				hint: "to allow it start the bridge without --refuse-null-origin"}
		}
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return &originError{origin: shown, reason: fmt.Sprintf("origin %.*q is not a URL with a host", maxShownOrigin, origin),
			hint: "browsers send a URL; no --origin allows this"}
	}
	if sameOrigin(u.Host, r.Host) {
		return nil
	}
	for _, p := range g.o.Origins {
		if originMatch(p, u) {
			return nil
		}
		if hosts, ok := presetOrigins(p); ok {
			for _, h := range hosts {
				if originMatch(h, u) {
					return nil
				}
			}
		}
	}
	reason := fmt.Sprintf("origin %.*q is not allowed for %.*q", maxShownOrigin, origin, maxShownOrigin, r.Host)
	if len(u.Host) > maxShownOrigin {
		return &originError{origin: shown, reason: reason, hint: "its host is too long to be real; no --origin allows it"}
	}
	allow := hostPattern(u.Host)
	for _, name := range []string{PresetOneGPIO} {
		hosts, _ := presetOrigins(name)
		for _, h := range hosts {
			if originMatch(h, u) {
				allow = name
			}
		}
	}
	return &originError{origin: shown, reason: reason, allow: allow, hint: "to allow it start the bridge with --origin " + shellWord(allow)}
}

// originMatch reports whether the pattern p of Options.Origins matches the
// origin u: its host, or with "://" in p its scheme and host; path.Match
// syntax, without case.
func originMatch(p string, u *url.URL) bool {
	target := u.Host
	if strings.Contains(p, "://") {
		target = u.Scheme + "://" + u.Host
	}
	ok, _ := path.Match(strings.ToLower(p), strings.ToLower(target))
	return ok
}

// hostPattern is the Options.Origins pattern that matches exactly host:
// lower case, with path.Match's special characters escaped.
func hostPattern(host string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(host) {
		if strings.ContainsRune(`*?[]\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// shellWord quotes s for a POSIX shell when it holds more than letters,
// digits and ".-:_".
func shellWord(s string) string {
	plain := s != ""
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:_", c)) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// sameOrigin reports whether two "host[:port]" are the same, counting every
// loopback name (localhost, 127.0.0.0/8, ::1) as one host.
func sameOrigin(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	ah, ap := splitHost(a)
	bh, bp := splitHost(b)
	return ap == bp && isLoopback(ah) && isLoopback(bh)
}

func splitHost(hp string) (host, port string) {
	h, p, err := net.SplitHostPort(hp)
	if err != nil {
		return strings.Trim(hp, "[]"), ""
	}
	return h, p
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isUpgrade reports whether r asks for a WebSocket.
func isUpgrade(r *http.Request) bool {
	for _, v := range r.Header.Values("Upgrade") {
		for _, tok := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(tok), "websocket") {
				return true
			}
		}
	}
	return false
}

// maxRememberedOrigins bounds the set of refused origins (each at most
// maxShownOrigin bytes) that the bridge remembers so as to log each at
// warning level once.
const maxRememberedOrigins = 1000

// refusedOrigins is the set of origins refused so far. The zero value is
// ready; it is safe from any goroutine.
type refusedOrigins struct {
	mu   sync.Mutex
	seen map[string]struct{}
	full bool
}

// note records a refusal of origin. It reports whether the origin is new
// (not refused before, as far as the set knows: once it holds
// maxRememberedOrigins origins no more are added, and only the first
// origin it could not add counts as new), and whether this call found the
// set full for the first time.
func (s *refusedOrigins) note(origin string) (first, fullNow bool) {
	key := strings.ToLower(origin)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[key]; ok {
		return false, false
	}
	if len(s.seen) >= maxRememberedOrigins {
		if s.full {
			return false, false
		}
		s.full = true
		return true, true
	}
	if s.seen == nil {
		s.seen = map[string]struct{}{}
	}
	s.seen[key] = struct{}{}
	return true, false
}

// count returns how many origins the set holds.
func (s *refusedOrigins) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// logRefusal logs a request refused for its origin: at warning level the
// first time the origin is refused, with the --origin value that would
// allow it; then at debug level.
func (g *Bridge) logRefusal(r *http.Request, err error, total uint64) {
	var oe *originError
	if !errors.As(err, &oe) {
		g.log.Warn("WebSocket refused", "remote", r.RemoteAddr, "error", err, "forbidden_total", total)
		return
	}
	first, fullNow := g.refusedOrigins.note(oe.origin)
	level := slog.LevelDebug
	if first {
		level = slog.LevelWarn
	}
	g.log.Log(context.Background(), level, "origin refused; "+oe.hint,
		"origin", oe.origin, "allow", oe.allow, "remote", r.RemoteAddr, "error", oe.reason, "forbidden_total", total)
	if fullNow {
		g.log.Warn(fmt.Sprintf("%d distinct origins refused; further new origins are logged at debug level", maxRememberedOrigins))
	}
}
