package webview

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// tokenCookie carries the token for a browser, after GET /?token=.
const tokenCookie = "banyan_token"

// guard checks every request before the handler sees it: the token when
// there is one, the Host header when there is none.
func (v *View) guard(next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(v.opts.Token))
	ok := func(got string) bool {
		g := sha256.Sum256([]byte(got))
		return subtle.ConstantTimeCompare(g[:], want[:]) == 1
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v.opts.Token == "" {
			if !loopbackHost(r.Host) {
				http.Error(w, "this view answers only to a loopback address (127.0.0.1, [::1], localhost); give the backplane --http-token to serve it to others", http.StatusForbidden)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if q := r.URL.Query(); q.Has("token") && r.Method == http.MethodGet {
			if !ok(q.Get("token")) {
				unauthorized(w)
				return
			}
			http.SetCookie(w, &http.Cookie{
				Name: tokenCookie, Value: q.Get("token"), Path: "/", HttpOnly: true,
				SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
			})
			q.Del("token")
			u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
			http.Redirect(w, r, u.String(), http.StatusSeeOther)
			return
		}
		if auth := r.Header.Get("Authorization"); len(auth) > 7 && auth[:7] == "Bearer " && ok(auth[7:]) {
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(tokenCookie); err == nil && ok(c.Value) {
			next.ServeHTTP(w, r)
			return
		}
		unauthorized(w)
	})
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="banyan"`)
	http.Error(w, "a token is required: open this page once as /?token=TOKEN, or send Authorization: Bearer TOKEN", http.StatusUnauthorized)
}

// loopbackHost reports whether a Host header names this machine by a
// loopback address or "localhost".
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(trimBrackets(host))
	return ip != nil && ip.IsLoopback()
}

func trimBrackets(s string) string {
	if len(s) > 1 && s[0] == '[' && s[len(s)-1] == ']' {
		return s[1 : len(s)-1]
	}
	return s
}

// Listen opens a TCP listener on addr ("host:port") for Serve. Without
// Options.Token it refuses, with ErrTokenRequired, any address that is not
// loopback: an empty host or 0.0.0.0 / [::] (every interface), a LAN
// address, or a name that does not resolve only to loopback addresses.
func (v *View) Listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("webview: %w", err)
	}
	if v.opts.Token == "" {
		loop, err := isLoopback(host)
		if err != nil {
			return nil, fmt.Errorf("webview: %w", err)
		}
		if !loop {
			return nil, fmt.Errorf("%w: %s", ErrTokenRequired, addr)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if a, ok := ln.Addr().(*net.TCPAddr); ok && v.opts.Token == "" && !a.IP.IsLoopback() {
		// A name that resolved to loopback above and to something else
		// when it was bound.
		ln.Close()
		return nil, fmt.Errorf("%w: %s is bound to %s", ErrTokenRequired, addr, a)
	}
	return ln, nil
}

// isLoopback reports whether host names only loopback addresses.
func isLoopback(host string) (bool, error) {
	if host == "" {
		return false, nil
	}
	if host == "localhost" {
		return true, nil
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback(), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return false, err
	}
	for _, ip := range ips {
		if !ip.IP.IsLoopback() {
			return false, nil
		}
	}
	return len(ips) > 0, nil
}
