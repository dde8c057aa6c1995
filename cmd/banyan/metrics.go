package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// serveMetrics serves the collectors at http://addr/metrics until ctx ends
// and returns the address it listens on.
func serveMetrics(ctx context.Context, addr string, cs ...prometheus.Collector) (string, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(prometheus.NewGoCollector()); err != nil {
		return "", err
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return "", err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener closed under us; the backplane goes on
		}
	}()
	context.AfterFunc(ctx, func() { srv.Close() })
	return ln.Addr().String(), nil
}
