package benchmark

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// RunConfig describes one run of Run. The zero value is a run of
// DefaultMsgs messages of DefaultSize bytes from one publisher to one
// subscriber, as fast as they go.
type RunConfig struct {
	Pubs, Subs    int           // publishers, subscribers (each its own connection); 0 means 1
	Size          int           // payload bytes per message, >= MinSize; 0 means DefaultSize
	Msgs          int           // messages in total, spread over the publishers; 0 means DefaultMsgs unless Duration is set
	Duration      time.Duration // publish for this long instead of Msgs
	Rate          float64       // messages per second per publisher, 0 = as fast as it can (paced like a sensor)
	Topic         string        // topic prefix, default DefaultTopic; publisher i publishes on Topic+"/"+i
	Subscriptions int           // prefixes per subscriber: 1 (Topic+"/") plus Subscriptions-1 decoys that never match; 0 means 1
	ForwarderPID  int           // when > 0, the forwarder's CPU per delivered message and its peak RSS are measured
	Idle          time.Duration // end of run: give up when deliveries stop for this long; 0 means DefaultIdle
	WarmUp        time.Duration // bound of the warm-up (every subscriber has seen every publisher); 0 means DefaultWarmUp
	// Window bounds the messages a publisher may have in flight: sent
	// and not yet seen (nor overtaken) by its slowest subscriber. A
	// publisher that reaches it waits, so that a flood into a lossless bus
	// measures throughput instead of filling memory. 0 means a default of
	// about 64 MiB of payload (16 to 262,144 messages); negative, no bound.
	Window int
	// Progress is called about 10 times a second while the measured phase
	// runs, and once at its end, from one goroutine; nil means none.
	Progress func(Progress)
}

// Defaults of RunConfig's fields.
const (
	DefaultMsgs  = 100_000
	DefaultSize  = 128
	DefaultTopic = "bench"
	DefaultIdle  = 3 * time.Second
	// DefaultWarmUp bounds the warm-up: every subscriber has seen a
	// message of every publisher within it, or Run fails.
	DefaultWarmUp = 10 * time.Second
)

const (
	// warmEvery is the pause between a publisher's warm-up messages.
	warmEvery = 10 * time.Millisecond
	// drainQuiet ends the drain after the warm-up: no warm-up message
	// arrived for this long (bounded by drainMax).
	drainQuiet = 50 * time.Millisecond
	drainMax   = 2 * time.Second
	// progressEvery is how often Progress is called.
	progressEvery = 100 * time.Millisecond
	// windowPoll is the pause of a publisher waiting for its window.
	windowPoll = 100 * time.Microsecond
)

// Progress is a snapshot of a run's measured phase.
type Progress struct {
	Published, Delivered uint64
	Expected             uint64        // deliveries expected: the planned messages times the subscribers (with Duration: those published so far)
	Elapsed              time.Duration // since the measured phase began
	Planned              time.Duration // its planned length: Duration, or a paced run's schedule; 0 when unknown
}

// RunResult is what one run measured. Rates are over the measured phase;
// warm-up messages are not counted.
type RunResult struct {
	Bus           string  `json:"bus"`
	Pubs          int     `json:"pubs"`
	Subs          int     `json:"subs"`
	Size          int     `json:"size"`
	Subscriptions int     `json:"subscriptions"`
	Rate          float64 `json:"rate"`

	Published  uint64 `json:"published"`
	Delivered  uint64 `json:"delivered"`
	Expected   uint64 `json:"expected"`     // Published times the subscribers
	Lost       uint64 `json:"lost"`         // Expected - Delivered
	OutOfOrder uint64 `json:"out_of_order"` // delivered after a later message of the same publisher
	Foreign    uint64 `json:"foreign"`      // messages on the subscribed topics that were not this run's (counted and ignored)

	Seconds              float64 `json:"seconds"` // first to last delivery
	PublishMsgPerSec     float64 `json:"publish_msg_per_sec"`
	DeliveredMsgPerSec   float64 `json:"delivered_msg_per_sec"`
	DeliveredBytesPerSec float64 `json:"delivered_bytes_per_sec"` // payload bytes

	Latency Latency `json:"latency"` // publish to delivery, over every delivered message

	ForwarderCPUPerMsg  float64 `json:"forwarder_cpu_us_per_msg"` // µs of forwarder CPU per delivered message (0 without ForwarderPID)
	ForwarderPeakRSSMiB float64 `json:"forwarder_peak_rss_mib"`   // sampled peak RSS of the forwarder during the run (0 without ForwarderPID)
	ClientCPUPerMsg     float64 `json:"client_cpu_us_per_msg"`    // µs of this process's CPU (publishers and subscribers) per delivered message
}

// withDefaults checks c and fills in its defaults.
func (c RunConfig) withDefaults() (RunConfig, error) {
	switch {
	case c.Pubs < 0 || c.Subs < 0:
		return c, fmt.Errorf("benchmark: %d publishers and %d subscribers: want at least 1 of each", c.Pubs, c.Subs)
	case c.Size != 0 && c.Size < MinSize:
		return c, fmt.Errorf("benchmark: payload size %d is below the minimum %d", c.Size, MinSize)
	case c.Msgs < 0 || c.Duration < 0:
		return c, errors.New("benchmark: negative message count or duration")
	case c.Msgs > 0 && c.Duration > 0:
		return c, errors.New("benchmark: give a message count or a duration, not both")
	case c.Rate < 0 || c.Rate != c.Rate:
		return c, fmt.Errorf("benchmark: rate %v: want 0 (as fast as possible) or more", c.Rate)
	case c.Subscriptions < 0:
		return c, fmt.Errorf("benchmark: %d subscriptions per subscriber", c.Subscriptions)
	}
	c.Pubs, c.Subs, c.Subscriptions = max(c.Pubs, 1), max(c.Subs, 1), max(c.Subscriptions, 1)
	if c.Size == 0 {
		c.Size = DefaultSize
	}
	if c.Msgs == 0 && c.Duration == 0 {
		c.Msgs = DefaultMsgs
	}
	if c.Topic == "" {
		c.Topic = DefaultTopic
	}
	if c.Idle <= 0 {
		c.Idle = DefaultIdle
	}
	if c.WarmUp <= 0 {
		c.WarmUp = DefaultWarmUp
	}
	if c.Window == 0 {
		c.Window = min(max(64<<20/(c.Size+64), 16), 1<<18)
	}
	if _, err := newPayload(c.Size); err != nil {
		return c, err
	}
	return c, nil
}

// prefixes are what every subscriber subscribes to: Topic+"/" and the
// decoys, Topic+"/decoy"+k, which share the path but match no publisher.
func (c RunConfig) prefixes() []string {
	p := []string{c.Topic + "/"}
	for k := 1; k < c.Subscriptions; k++ {
		p = append(p, c.Topic+"/decoy"+strconv.Itoa(k))
	}
	return p
}

// share is publisher i's part of Msgs.
func (c RunConfig) share(i int) uint64 {
	n := c.Msgs / c.Pubs
	if i < c.Msgs%c.Pubs {
		n++
	}
	return uint64(n)
}

// planned is the measured phase's planned length, 0 when unknown.
func (c RunConfig) planned() time.Duration {
	switch {
	case c.Duration > 0:
		return c.Duration
	case c.Rate > 0:
		return time.Duration(float64(c.share(0)) / c.Rate * float64(time.Second))
	}
	return 0
}

// Run measures bus: cfg.Subs subscribers connect, then cfg.Pubs publishers;
// each publisher sends warm-up messages until every subscriber has seen
// one of its own (whatever the bus's slow-joiner behaviour), the warm-up
// drains, then the publishers send the measured messages (cfg.Msgs, or for
// cfg.Duration, paced at cfg.Rate), each stamped with its sequence number
// and send time (see MinSize for the payload). The run ends when every
// subscriber has every message, or when deliveries have stopped for
// cfg.Idle; what never came is counted as lost.
//
// A Publisher's Publish must not keep the payload after it returns: Run
// writes the next message into the same bytes.
//
// Run returns an error when the configuration is invalid, a connection
// fails or the warm-up does not complete within cfg.WarmUp. When ctx ends during
// the measured phase it returns what was measured so far, with ctx's error.
func Run(ctx context.Context, bus Bus, cfg RunConfig) (RunResult, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return RunResult{}, err
	}
	name := bus.Name()
	index := make(map[string]int, cfg.Pubs)
	topics := make([]string, cfg.Pubs)
	for i := range topics {
		topics[i] = cfg.Topic + "/" + strconv.Itoa(i)
		index[topics[i]] = i
	}
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	subs := make([]*subscriber, cfg.Subs)
	prefixes := cfg.prefixes()
	for i := range subs {
		subs[i] = newSubscriber(index, cfg.Size)
		c, err := bus.NewSubscriber(ctx, prefixes, subs[i].deliver)
		if err != nil {
			return RunResult{}, fmt.Errorf("benchmark: %s: subscriber %d: %w", name, i, err)
		}
		closers = append(closers, c)
	}
	pubs := make([]Publisher, cfg.Pubs)
	for i := range pubs {
		p, err := bus.NewPublisher(ctx)
		if err != nil {
			return RunResult{}, fmt.Errorf("benchmark: %s: publisher %d: %w", name, i, err)
		}
		pubs[i] = p
		closers = append(closers, p)
	}
	r := &runner{cfg: cfg, subs: subs, pubs: pubs, topics: topics, published: make([]atomic.Uint64, cfg.Pubs)}
	return r.run(ctx, name)
}

// runner is one run in progress.
type runner struct {
	cfg       RunConfig
	subs      []*subscriber
	pubs      []Publisher
	topics    []string
	published []atomic.Uint64
	start     time.Time // of the measured phase, set before startC closes
}

func (r *runner) run(ctx context.Context, name string) (RunResult, error) {
	cfg := r.cfg
	res := RunResult{Bus: name, Pubs: cfg.Pubs, Subs: cfg.Subs, Size: cfg.Size, Subscriptions: cfg.Subscriptions, Rate: cfg.Rate}

	// Warm up, each publisher on its own goroutine, which then waits for
	// the start of the measured phase.
	warmCtx, warmDone := context.WithTimeout(ctx, cfg.WarmUp)
	defer warmDone()
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	warmErrs := make(chan error, cfg.Pubs)
	startC := make(chan time.Time)
	pubErrs := make(chan error, cfg.Pubs)
	var pubWG sync.WaitGroup
	for i := range r.pubs {
		pubWG.Add(1)
		go func() {
			defer pubWG.Done()
			err := r.warmUp(warmCtx, i)
			warmErrs <- err
			if err != nil {
				return
			}
			select {
			case <-startC:
				pubErrs <- r.publish(runCtx, i, r.start)
			case <-runCtx.Done():
			}
		}()
	}
	for range r.pubs {
		if err := <-warmErrs; err != nil {
			stopRun()
			pubWG.Wait()
			return res, fmt.Errorf("benchmark: %s: %w", name, err)
		}
	}
	warmDone()
	if err := r.drain(ctx); err != nil {
		stopRun()
		pubWG.Wait()
		return res, err
	}

	// The measured phase.
	var meter *procMeter
	if cfg.ForwarderPID > 0 {
		meter = startProcMeter(cfg.ForwarderPID)
	}
	cpu0, cpuErr := selfCPU()
	start := time.Now()
	r.start = start
	close(startC) // every publisher takes the same start
	progressDone := r.reportProgress(start)
	pubWG.Wait()
	pubTime := time.Since(start)
	var pubErr error
	for range len(pubErrs) {
		if err := <-pubErrs; err != nil && pubErr == nil {
			pubErr = fmt.Errorf("benchmark: %s: %w", name, err)
		}
	}
	res.Published = r.totalPublished()
	res.Expected = res.Published * uint64(cfg.Subs)
	if pubErr == nil {
		r.awaitDeliveries(ctx, res.Expected)
	}
	for _, s := range r.subs {
		s.freeze()
	}
	progressDone()
	cpu1, cpuErr1 := selfCPU()

	r.collect(&res, pubTime)
	if meter != nil {
		if cpuNs, rss, err := meter.finish(); err == nil && res.Delivered > 0 {
			res.ForwarderCPUPerMsg = float64(cpuNs) / 1e3 / float64(res.Delivered)
			res.ForwarderPeakRSSMiB = float64(rss) / (1 << 20)
		}
	}
	if cpuErr == nil && cpuErr1 == nil && res.Delivered > 0 {
		res.ClientCPUPerMsg = float64(cpu1-cpu0) / 1e3 / float64(res.Delivered)
	}
	if pubErr != nil {
		return res, pubErr
	}
	return res, ctx.Err()
}

// drain waits until the warm-up messages stop arriving.
func (r *runner) drain(ctx context.Context) error {
	t := time.NewTicker(drainQuiet / 5)
	defer t.Stop()
	for end := time.Now().Add(drainMax); time.Now().Before(end); {
		latest := int64(0)
		for _, s := range r.subs {
			latest = max(latest, s.lastWarm.Load())
		}
		if time.Since(time.Unix(0, latest)) >= drainQuiet {
			return nil
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// awaitDeliveries returns when expected messages have been delivered,
// deliveries have stopped for Idle, or ctx ends.
func (r *runner) awaitDeliveries(ctx context.Context, expected uint64) {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	last, moved := r.totalDelivered(), time.Now()
	for last < expected {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		if n := r.totalDelivered(); n != last {
			last, moved = n, time.Now()
		} else if time.Since(moved) > r.cfg.Idle {
			return
		}
	}
}

// reportProgress calls Progress every progressEvery from start until the
// returned function is called, and once more then.
func (r *runner) reportProgress(start time.Time) (stop func()) {
	if r.cfg.Progress == nil {
		return func() {}
	}
	quit, done := make(chan struct{}), make(chan struct{})
	planned := r.cfg.planned()
	snapshot := func() Progress {
		p := Progress{Published: r.totalPublished(), Delivered: r.totalDelivered(), Elapsed: time.Since(start), Planned: planned}
		if r.cfg.Duration > 0 {
			p.Expected = p.Published * uint64(r.cfg.Subs)
		} else {
			p.Expected = uint64(r.cfg.Msgs) * uint64(r.cfg.Subs)
		}
		return p
	}
	go func() {
		defer close(done)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				r.cfg.Progress(snapshot())
			case <-quit:
				r.cfg.Progress(snapshot())
				return
			}
		}
	}()
	return func() { close(quit); <-done }
}

func (r *runner) totalPublished() uint64 {
	var n uint64
	for i := range r.published {
		n += r.published[i].Load()
	}
	return n
}

func (r *runner) totalDelivered() uint64 {
	var n uint64
	for _, s := range r.subs {
		n += s.delivered.Load()
	}
	return n
}

// collect merges the frozen subscribers' records into res.
func (r *runner) collect(res *RunResult, pubTime time.Duration) {
	all := newLatencyHist()
	var first, last int64
	for _, s := range r.subs {
		res.Delivered += s.delivered.Load()
		res.Foreign += s.foreign.Load()
		res.OutOfOrder += s.outOfOrder
		all.merge(s.hist)
		if s.first != 0 && (first == 0 || s.first < first) {
			first = s.first
		}
		last = max(last, s.last)
	}
	if res.Expected > res.Delivered {
		res.Lost = res.Expected - res.Delivered
	}
	res.Latency = all.latency()
	if pubTime > 0 {
		res.PublishMsgPerSec = float64(res.Published) / pubTime.Seconds()
	}
	if first != 0 && last > first {
		res.Seconds = float64(last-first) / 1e9
		res.DeliveredMsgPerSec = float64(res.Delivered) / res.Seconds
		res.DeliveredBytesPerSec = res.DeliveredMsgPerSec * float64(res.Size)
	}
}
