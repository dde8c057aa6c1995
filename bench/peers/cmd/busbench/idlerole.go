package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/bench/peers/internal/proc"
)

// idleResult is what `busbench idle` measured.
type idleResult struct {
	Bus               string  `json:"bus"`
	Conns             int     `json:"conns"`       // idle clients: components (banyan, libzmq) or client connections (nats, mqtt)
	Connections       int     `json:"connections"` // TCP connections they make to the forwarder
	ConnectSeconds    float64 `json:"connect_seconds"`
	RSSBeforeKiB      int64   `json:"rss_before_kib"`
	RSSAfterKiB       int64   `json:"rss_after_kib"`
	KiBPerComponent   float64 `json:"kib_per_component"`
	KiBPerConn        float64 `json:"kib_per_conn"`
	GoroutinesBefore  float64 `json:"goroutines_before"` // ours only (go_goroutines); NaN for the others
	GoroutinesAfter   float64 `json:"goroutines_after"`
	GoroutinesPerConn float64 `json:"goroutines_per_conn"`
	ThreadsBefore     int64   `json:"threads_before"`
	ThreadsAfter      int64   `json:"threads_after"`
	IdleSeconds       float64 `json:"idle_seconds"`
	IdleCPUMillis     float64 `json:"idle_cpu_ms"`
	IdleCPUPercent    float64 `json:"idle_cpu_percent"` // of one core
}

// idleRole is `busbench idle`: the forwarder's cost of N idle clients.
func idleRole(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("idle", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ff forwarderFlags
	ff.register(fs)
	var out output
	out.register(fs)
	n := fs.Int("conns", 1000, "idle clients: components on banyan and libzmq (two connections each), clients on nats and mqtt")
	seconds := fs.Float64("seconds", 10, "how long to measure the forwarder's CPU while idle")
	settle := fs.Duration("settle", time.Second, "pause after the last client connected, before measuring")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 || *seconds <= 0 {
		return errors.New("idle: -conns and -seconds must be positive")
	}
	if err := raiseFileLimit(); err != nil {
		fmt.Fprintf(stderr, "busbench: %v\n", err)
	}
	fw, err := ff.start(ctx, true)
	if err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	res, err := measureIdle(ctx, &ff, fw, *n, *seconds, *settle)
	if stopErr := fw.cleanup(); err == nil && stopErr != nil {
		err = fmt.Errorf("idle: stopping the forwarder: %w", stopErr)
	}
	if err != nil {
		return fmt.Errorf("idle: %s: %w", ff.name(), err)
	}
	res.Bus = ff.name()
	switch {
	case out.json:
		return json.NewEncoder(stdout).Encode(res)
	case out.csv:
		return writeIdleCSV(stdout, !out.noHeader, res)
	default:
		_, err := fmt.Fprintf(stdout, "%s: %d idle clients, %d connections (connected in %.2f s)\n"+
			"  forwarder RSS %d -> %d KiB: %.1f KiB per client, %.1f KiB per connection\n"+
			"  goroutines %v -> %v: %.2f per connection; threads %d -> %d\n"+
			"  CPU while idle: %.1f ms in %.0f s (%.4f%% of a core)\n",
			res.Bus, res.Conns, res.Connections, res.ConnectSeconds,
			res.RSSBeforeKiB, res.RSSAfterKiB, res.KiBPerComponent, res.KiBPerConn,
			res.GoroutinesBefore, res.GoroutinesAfter, res.GoroutinesPerConn, res.ThreadsBefore, res.ThreadsAfter,
			res.IdleCPUMillis, res.IdleSeconds, res.IdleCPUPercent)
		return err
	}
}

func measureIdle(ctx context.Context, ff *forwarderFlags, fw *running, n int, seconds float64, settle time.Duration) (idleResult, error) {
	pid := fw.proc.PID()
	res := idleResult{Conns: n, Connections: n, GoroutinesBefore: nan(), GoroutinesAfter: nan(), GoroutinesPerConn: nan()}
	ours := ff.bus == "banyan"
	components := ff.bus == "banyan" || ff.bus == "libzmq"
	if components {
		res.Connections = 2 * n
	}
	metricsURL := ""
	if ours {
		metricsURL = "http://127.0.0.1:" + strconv.Itoa(fw.ports[2]) + "/metrics"
	}
	time.Sleep(settle) // the forwarder's own start-up settles
	before, err := proc.ReadStatus(pid)
	if err != nil {
		return res, err
	}
	res.RSSBeforeKiB, res.ThreadsBefore = before.RSSKiB, before.Threads
	if ours {
		m, err := scrape(ctx, metricsURL)
		if err != nil {
			return res, err
		}
		res.GoroutinesBefore = m["go_goroutines"]
	}

	start := time.Now()
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	open := func(ctx context.Context) (io.Closer, error) {
		if components {
			return banyan.Connect(ctx, banyan.WithBackplane("127.0.0.1"), banyan.WithPorts(fw.ports[0], fw.ports[1]),
				banyan.WithSubscriptions("idle"), banyan.WithLogger(slog.New(slog.DiscardHandler)))
		}
		return fw.bus.NewSubscriber(ctx, []string{"idle"}, func(string, []byte) {})
	}
	closers, err = openAll(ctx, n, 8, open)
	if err != nil {
		return res, fmt.Errorf("%d of %d clients connected: %w", len(closers), n, err)
	}
	if ours { // the backplane's own count, not only the clients' word
		if err := awaitGauges(ctx, metricsURL, float64(n)); err != nil {
			return res, err
		}
	}
	res.ConnectSeconds = time.Since(start).Seconds()
	time.Sleep(settle)

	after, err := proc.ReadStatus(pid)
	if err != nil {
		return res, err
	}
	res.RSSAfterKiB, res.ThreadsAfter = after.RSSKiB, after.Threads
	res.KiBPerComponent = float64(after.RSSKiB-before.RSSKiB) / float64(n)
	res.KiBPerConn = float64(after.RSSKiB-before.RSSKiB) / float64(res.Connections)
	if ours {
		m, err := scrape(ctx, metricsURL)
		if err != nil {
			return res, err
		}
		res.GoroutinesAfter = m["go_goroutines"]
		res.GoroutinesPerConn = (res.GoroutinesAfter - res.GoroutinesBefore) / float64(res.Connections)
	}

	cpu0, err := proc.CPU(pid)
	if err != nil {
		return res, err
	}
	t0 := time.Now()
	select {
	case <-time.After(time.Duration(seconds * float64(time.Second))):
	case <-ctx.Done():
		return res, ctx.Err()
	}
	cpu1, err := proc.CPU(pid)
	if err != nil {
		return res, err
	}
	res.IdleSeconds = time.Since(t0).Seconds()
	res.IdleCPUMillis = float64(cpu1-cpu0) / 1e6
	res.IdleCPUPercent = 100 * (cpu1 - cpu0).Seconds() / res.IdleSeconds
	return res, nil
}

// openAll opens n clients with open, at most par at a time, and returns
// those it opened; on the first error it stops opening.
func openAll(ctx context.Context, n, par int, open func(context.Context) (io.Closer, error)) ([]io.Closer, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	var (
		mu     sync.Mutex
		opened []io.Closer
		first  error
		wg     sync.WaitGroup
		next   = make(chan struct{})
	)
	for range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				c, err := open(ctx)
				mu.Lock()
				if err != nil && first == nil {
					first = err
					cancel()
				}
				if err == nil {
					opened = append(opened, c)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for range n {
		select {
		case next <- struct{}{}:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first == nil && len(opened) < n {
		first = ctx.Err()
	}
	return opened, first
}

func nan() float64 { return math.NaN() }

// raiseFileLimit raises this process's open-file limit to its hard limit:
// 1,000 components are 2,000 sockets here, and the forwarder inherits it.
func raiseFileLimit() error {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return fmt.Errorf("open-file limit: %w", err)
	}
	if l.Cur >= l.Max {
		return nil
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return fmt.Errorf("raising the open-file limit to %d: %w", l.Max, err)
	}
	return nil
}

// idleColumns are writeIdleCSV's columns.
func idleColumns() []string {
	return []string{"bus", "conns", "connections", "connect_seconds", "rss_before_kib", "rss_after_kib",
		"kib_per_component", "kib_per_conn", "goroutines_before", "goroutines_after", "goroutines_per_conn",
		"threads_before", "threads_after", "idle_seconds", "idle_cpu_ms", "idle_cpu_percent"}
}

func writeIdleCSV(w io.Writer, header bool, r idleResult) error {
	f := func(v float64) string {
		if v != v {
			return ""
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	cw := csv.NewWriter(w)
	if header {
		cw.Write(idleColumns())
	}
	cw.Write([]string{r.Bus, strconv.Itoa(r.Conns), strconv.Itoa(r.Connections), f(r.ConnectSeconds),
		i(r.RSSBeforeKiB), i(r.RSSAfterKiB), f(r.KiBPerComponent), f(r.KiBPerConn),
		f(r.GoroutinesBefore), f(r.GoroutinesAfter), f(r.GoroutinesPerConn),
		i(r.ThreadsBefore), i(r.ThreadsAfter), f(r.IdleSeconds), f(r.IdleCPUMillis), f(r.IdleCPUPercent)})
	cw.Flush()
	return cw.Error()
}
