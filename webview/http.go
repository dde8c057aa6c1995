package webview

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"mime"
	"net"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/msgjson"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// static is the page: HTML, CSS and JS written by hand, served as they
// are (no build step, nothing loaded from elsewhere). A package-level
// variable because embed requires one; it is read-only.
//
//go:embed static
var static embed.FS

// maxPublishBody bounds a POST /api/publish request.
const maxPublishBody = 1 << 20

// Handler serves the view:
//
//   - GET / the page, GET /static/... its assets;
//   - GET /api/snapshot the state as JSON; GET /api/events the same as
//     server-sent events, a "full" event then a "tick" per Interval with
//     what changed; GET /api/history[?topic=T] the rate chart's points;
//   - POST /api/publish {"topic": T, "payload": JSON} (Options.Publish;
//     403 without it), which must be application/json and from this
//     origin (http.CrossOriginProtection);
//   - GET /metrics (Options.Metrics), GET /healthz.
//
// With Options.Token every request must carry it: "Authorization: Bearer
// TOKEN", or the cookie that GET /?token=TOKEN sets (it then redirects to
// the address without the token). Without a token, requests whose Host is
// not loopback are refused, so that a hostile page cannot reach the view
// through a name it resolves to 127.0.0.1 (DNS rebinding).
func (v *View) Handler() http.Handler { return v.handler }

func (v *View) newHandler() http.Handler {
	mux := http.NewServeMux()
	sub, _ := fs.Sub(static, "static")
	files := http.FileServerFS(sub)
	mux.Handle("GET /static/", http.StripPrefix("/static/", noCache(files)))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		http.ServeFileFS(w, r, sub, "index.html")
	})
	mux.HandleFunc("GET /api/snapshot", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, v.snapshot())
	})
	mux.HandleFunc("GET /api/history", v.serveHistory)
	mux.HandleFunc("GET /api/events", v.serveEvents)
	mux.HandleFunc("POST /api/publish", v.servePublish)
	mux.HandleFunc("GET /healthz", v.serveHealth)
	if v.opts.Metrics != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(v.opts.Metrics, promhttp.HandlerOpts{}))
	}
	return v.guard(http.NewCrossOriginProtection().Handler(mux))
}

func noCache(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

func (v *View) serveHistory(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	b := v.history(q.Get("topic"), !q.Has("topic"))
	if b == nil {
		http.Error(w, "no such topic", http.StatusNotFound)
		return
	}
	writeJSON(w, b)
}

// serveEvents streams the view as server-sent events until the client
// goes, the view closes, or the client falls behind (see broadcast).
func (v *View) serveEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	wt := v.addWatcher()
	defer v.removeWatcher(wt)
	send := func(kind string, data []byte) bool {
		rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", kind, data); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if _, err := io.WriteString(w, "retry: 1000\n\n"); err != nil {
		return
	}
	if !send("full", v.snapshot()) {
		return
	}
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case ev, ok := <-wt.ch:
			if !ok || !send("tick", ev) {
				return
			}
		case <-ping.C:
			rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
			if _, err := io.WriteString(w, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-v.done:
			return
		}
	}
}

// publishRequest is POST /api/publish's body.
type publishRequest struct {
	Topic   string          `json:"topic"`
	Payload json.RawMessage `json:"payload"`
}

func (v *View) servePublish(w http.ResponseWriter, r *http.Request) {
	if v.opts.Publish == nil {
		http.Error(w, "publishing is off (start with --http-allow-publish)", http.StatusForbidden)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		http.Error(w, "the request must be application/json", http.StatusUnsupportedMediaType)
		return
	}
	var req publishRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPublishBody))
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return
	}
	if req.Topic == "" || !utf8.ValidString(req.Topic) {
		http.Error(w, "bad request: the topic must be a non-empty UTF-8 string", http.StatusBadRequest)
		return
	}
	if len(req.Payload) == 0 {
		http.Error(w, "bad request: no payload", http.StatusBadRequest)
		return
	}
	payload, err := msgjson.AppendMsgpack(nil, req.Payload, msgjson.Options{
		MaxDepth: banyan.MaxNesting, MaxSize: math.MaxInt, Bin: msgjson.BinObject, NonFinite: msgjson.NonFiniteLiteral,
	})
	if err != nil {
		http.Error(w, "bad request: payload: "+err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	if err := v.opts.Publish(ctx, req.Topic, payload); err != nil {
		http.Error(w, "not published: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (v *View) serveHealth(w http.ResponseWriter, r *http.Request) {
	body := map[string]any{"status": "ok", "uptime_s": int64(time.Since(v.start).Seconds())}
	code := http.StatusOK
	if v.opts.Health != nil {
		if err := v.opts.Health(); err != nil {
			body["status"], body["error"] = "unavailable", err.Error()
			code = http.StatusServiceUnavailable
		}
	}
	if bp := v.opts.Backplane; bp != nil {
		st := bp.Stats()
		body["publishers"], body["subscribers"] = st.Publishers, st.Subscribers
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(b)
}

// Serve serves the view on ln until ctx ends or the view closes, then
// closes the server (and with it every connection) and returns nil; it
// returns the server's error if it fails sooner.
func (v *View) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           v.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	case <-v.done:
	}
	srv.Close()
	<-errc
	return nil
}
