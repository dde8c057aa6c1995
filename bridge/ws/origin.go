package ws

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// checkOrigin applies the origin policy of Options.Origins to a WebSocket
// request.
func (g *Bridge) checkOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	switch origin {
	case "":
		return nil // not a browser
	case "null":
		if g.o.RefuseNullOrigin {
			return fmt.Errorf("origin %q refused", origin)
		}
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return fmt.Errorf("origin %q is not a URL with a host", origin)
	}
	if sameOrigin(u.Host, r.Host) {
		return nil
	}
	for _, p := range g.o.Origins {
		target := u.Host
		if strings.Contains(p, "://") {
			target = u.Scheme + "://" + u.Host
		}
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(target)); ok {
			return nil
		}
	}
	return fmt.Errorf("origin %q is not allowed for %q (allow it with Options.Origins, --origin)", origin, r.Host)
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
