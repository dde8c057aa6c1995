package webview

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// View is a live web view of a bus: it counts what it observes per topic,
// samples the counts once per tick into rates and history, and serves the
// page and its data (Handler). New starts it, Close stops it.
type View struct {
	opts   Options
	topics *table
	start  time.Time

	stateMu  sync.Mutex // the sampler's state below, and every topic's s
	lastTick time.Time
	total    sampled
	conns    []connJSON
	prev     map[string]connPrev // the previous tick's connection counts, by role and remote
	ticks    uint64

	watchMu  sync.Mutex
	watchers map[*watcher]struct{}
	nwatch   atomic.Int32

	handler   http.Handler
	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// watcher is one page's event stream.
type watcher struct{ ch chan []byte }

type connPrev struct{ msgs, dropped uint64 }

// New starts a view: its sampler runs until Close, and with
// Options.Backplane set the backplane's messages are observed from now on.
func New(opts Options) (*View, error) {
	v := &View{
		opts:     opts.withDefaults(),
		start:    time.Now(),
		prev:     map[string]connPrev{},
		watchers: map[*watcher]struct{}{},
		done:     make(chan struct{}),
	}
	v.topics = newTable(v.opts.MaxTopics)
	v.lastTick = v.start
	v.total.hist = newRing(v.opts.History)
	v.handler = v.newHandler()
	if bp := v.opts.Backplane; bp != nil {
		bp.Watch(v)
	}
	v.wg.Add(1)
	go v.sample()
	return v, nil
}

// Close stops the sampler and the event streams, and stops observing the
// backplane. It may be called more than once.
func (v *View) Close() error {
	v.closeOnce.Do(func() {
		if bp := v.opts.Backplane; bp != nil {
			bp.Watch(nil)
		}
		close(v.done)
		v.wg.Wait()
	})
	return nil
}

func (v *View) sample() {
	defer v.wg.Done()
	t := time.NewTicker(v.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-v.done:
			return
		case now := <-t.C:
			if ev := v.tick(now); ev != nil {
				v.broadcast(ev)
			}
		}
	}
}

// tick turns the counts into rates and history, and returns the event for
// the watchers (nil when nobody watches: then nothing is rendered).
func (v *View) tick(now time.Time) []byte {
	v.stateMu.Lock()
	defer v.stateMu.Unlock()
	dt := now.Sub(v.lastTick).Seconds()
	if dt <= 0 {
		dt = v.opts.Interval.Seconds()
	}
	v.lastTick = now
	v.ticks++
	var msgs, bytes uint64
	all := v.topics.all()
	for _, e := range all {
		e.mu.Lock()
		m, b, last, size := e.msgs, e.bytes, e.last, e.size
		e.mu.Unlock()
		s := &e.s
		s.rate, s.bRate = float64(m-s.msgs)/dt, float64(b-s.bytes)/dt
		if m != s.msgs {
			s.seen, s.payload, s.size = now, last, size
		}
		s.msgs, s.bytes = m, b
		if s.hist == nil {
			if m == 0 {
				continue // other, before anything went there
			}
			s.hist = newRing(v.opts.History)
		}
		s.hist.push(s.rate, s.bRate)
		msgs, bytes = msgs+m, bytes+b
	}
	t := &v.total
	t.rate, t.bRate = float64(msgs-t.msgs)/dt, float64(bytes-t.bytes)/dt
	t.msgs, t.bytes = msgs, bytes
	t.hist.push(t.rate, t.bRate)
	if bp := v.opts.Backplane; bp != nil {
		v.conns = v.connections(dt)
	}
	if v.nwatch.Load() == 0 {
		return nil
	}
	return v.encode("tick", now, all, false)
}

// encode builds an event (full: every topic's last value; tick: only the
// changed ones). v.stateMu is held.
func (v *View) encode(kind string, now time.Time, all []*topic, full bool) []byte {
	snap := snapshotJSON{
		Type: kind, Time: now.UnixMilli(), Name: v.opts.Name, Mode: "component",
		Publish: v.opts.Publish != nil, IntervalMS: v.opts.Interval.Milliseconds(),
		MaxTopics: v.opts.MaxTopics, History: v.opts.History,
		Totals: totalsJSON{
			Messages: v.total.msgs, Bytes: v.total.bytes, Rate: v.total.rate, ByteRate: v.total.bRate,
			Topics: v.topics.len(), Watchers: int(v.nwatch.Load()),
		},
		Topics: make([]topicJSON, 0, len(all)),
	}
	if bp := v.opts.Backplane; bp != nil {
		snap.Mode = "backplane"
		st := bp.Stats()
		snap.Backplane = &backplaneJSON{
			Forwarded: st.Forwarded, Dropped: st.Dropped, Publishers: st.Publishers, Subscribers: st.Subscribers,
			BadInput: st.BadInput, Refused: st.Refused,
		}
		snap.Connections = v.conns
		if snap.Connections == nil {
			snap.Connections = []connJSON{}
		}
	}
	for _, e := range all {
		s := &e.s
		// A tick shows what it sampled; a full snapshot, taken at any
		// time, the counts and last value as they are now (rates are the
		// last tick's).
		msgs, bytes, payload, size, seen := s.msgs, s.bytes, s.payload, s.size, s.seen
		if full {
			e.mu.Lock()
			msgs, bytes, payload, size = e.msgs, e.bytes, e.last, e.size
			e.mu.Unlock()
			if msgs != s.msgs {
				seen = now
			}
		}
		if e.other && msgs == 0 {
			continue
		}
		tj := topicJSON{Topic: e.name, Other: e.other, Messages: msgs, Bytes: bytes, Rate: s.rate, ByteRate: s.bRate}
		if !seen.IsZero() {
			tj.LastSeen = seen.UnixMilli()
		}
		if !e.other && msgs > 0 {
			if s.rendered != msgs {
				s.text = renderValue(payload, size, v.opts.MaxPayload, v.opts.MaxText)
				s.rendered, s.changed = msgs, true
			}
			if full || s.changed {
				lv := s.text
				tj.Last = &lv
			}
			if !full {
				s.changed = false
			}
		}
		snap.Topics = append(snap.Topics, tj)
	}
	b, err := json.Marshal(snap)
	if err != nil { // cannot happen: every field is a plain value
		v.opts.Logger.Error("webview: cannot encode the snapshot", "err", err)
		return nil
	}
	return b
}

// snapshot is the full state now, as GET /api/snapshot and a new event
// stream's first event give it.
func (v *View) snapshot() []byte {
	v.stateMu.Lock()
	defer v.stateMu.Unlock()
	return v.encode("full", time.Now(), v.topics.all(), true)
}

// connections reads the backplane's connections, with rates from the
// previous tick's counts. v.stateMu is held.
func (v *View) connections(dt float64) []connJSON {
	cs := v.opts.Backplane.Connections()
	out := make([]connJSON, 0, len(cs))
	next := make(map[string]connPrev, len(cs))
	for _, c := range cs {
		key := c.Role.String() + " " + c.Remote
		p, seen := v.prev[key]
		next[key] = connPrev{msgs: c.Messages, dropped: c.Dropped}
		cj := connJSON{
			Role: c.Role.String(), Remote: c.Remote, PeerType: c.PeerType, ZMTP: c.ZMTP, Since: c.Since.UnixMilli(),
			Messages: c.Messages, Bytes: c.Bytes, Dropped: c.Dropped, Queued: c.Queued, QueuedBytes: c.QueuedBytes,
			Subscriptions: c.Subscriptions, Prefixes: c.Prefixes,
		}
		if seen && c.Messages >= p.msgs && c.Dropped >= p.dropped {
			cj.Rate = float64(c.Messages-p.msgs) / dt
			cj.DropRate = float64(c.Dropped-p.dropped) / dt
		}
		out = append(out, cj)
	}
	v.prev = next
	return out
}

// history is the rate ring of a topic ("" with total) as JSON, or nil for
// a topic not tracked.
func (v *View) history(name string, total bool) []byte {
	v.stateMu.Lock()
	defer v.stateMu.Unlock()
	r := v.total.hist
	if !total {
		e := (*v.topics.m.Load())[name]
		if name == "" {
			e = v.topics.other
		}
		if e == nil || e.s.hist == nil {
			return nil
		}
		r = e.s.hist
	}
	h := historyJSON{IntervalMS: v.opts.Interval.Milliseconds(), End: v.lastTick.UnixMilli()}
	h.Rate, h.ByteRate = r.points()
	b, _ := json.Marshal(h)
	return b
}

// broadcast gives ev to every watcher. One that has not taken the previous
// events is dropped: its page reconnects and starts again from a full
// snapshot, so a slow browser never holds the view back.
func (v *View) broadcast(ev []byte) {
	v.watchMu.Lock()
	defer v.watchMu.Unlock()
	for w := range v.watchers {
		select {
		case w.ch <- ev:
		default:
			delete(v.watchers, w)
			close(w.ch)
			v.nwatch.Add(-1)
		}
	}
}

func (v *View) addWatcher() *watcher {
	w := &watcher{ch: make(chan []byte, 4)}
	v.watchMu.Lock()
	v.watchers[w] = struct{}{}
	v.nwatch.Add(1)
	v.watchMu.Unlock()
	return w
}

func (v *View) removeWatcher(w *watcher) {
	v.watchMu.Lock()
	if _, ok := v.watchers[w]; ok {
		delete(v.watchers, w)
		close(w.ch)
		v.nwatch.Add(-1)
	}
	v.watchMu.Unlock()
}
