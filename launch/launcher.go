package launch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/netaddr"
)

// Options configure a Launcher. The zero value runs with Python's
// defaults: backplane ports 43124/43125 on this host's LAN address.
type Options struct {
	// Backplane is the backplane's address (-b). "" means
	// $BANYAN_BACKPLANE, else this host's LAN address (as banyan.Connect).
	Backplane string
	// PublisherPort and SubscriberPort are the backplane's ports; 0
	// means 43124 and 43125.
	PublisherPort, SubscriberPort int
	// Advertise is the address appended as "-b ADDR" to remote rows with
	// append_bp_address=yes (with "-p P -s S" when the ports are not the
	// defaults). "" means Backplane when that is not a loopback address,
	// else this host's LAN address.
	Advertise string

	// NoStartBackplane makes Run fail instead of starting a backplane
	// when none answers.
	NoStartBackplane bool
	// BackplaneCommand, when set, is the command run as the backplane
	// when none answers, as a child process stopped at the end (the
	// banyan command uses "<itself> backplane -p P -s S", which Python
	// components looking for a process named backplane find). Empty means
	// a backplane inside this process.
	BackplaneCommand []string
	// BackplaneBind is the interface an in-process backplane listens on;
	// "" means all.
	BackplaneBind string
	// ProbeTimeout is how long to wait for a running backplane to answer
	// before starting one (default 1 s).
	ProbeTimeout time.Duration

	// Process configures the local processes.
	Process ProcessOptions
	// Auth signs remote launch records and killall, and checks acks and
	// killall. Without a Secret, remote rows need InsecurePythonCompat,
	// and killall is accepted unsigned.
	Auth Auth

	// Republish is how often a remote record is sent again until its
	// client acknowledges it (default 3 s; Python's bls uses 5 s).
	Republish time.Duration
	// StatusEvery prints the status table on Output this often; 0 never.
	StatusEvery time.Duration
	// Name is the launcher's component name (default "Banyan Launch Server").
	Name string
	// Logger receives warnings (refused messages, crash loops); nil means
	// slog.Default().
	Logger *slog.Logger
	// Component holds extra options for the launcher's own component,
	// applied after its own (for example banyan.WithMsgpack); its connect
	// timeout is always ProbeTimeout.
	Component []banyan.Option
}

// Launcher runs the entries of a launch file: a backplane first when none
// is running, then each entry in order, local ones supervised here and
// remote ones sent to their launch clients, until the context ends or a
// killall message arrives; then it stops everything it started.
type Launcher struct {
	entries []Entry
	o       Options
	log     *slog.Logger
	out     *output
	auth    *authenticator
	session string
	self    string
	sup     *supervisor

	ran   atomic.Bool
	ready chan struct{}

	mu      sync.Mutex
	remotes []*remote
	supSet  chan struct{}

	nStatusRefused atomic.Uint64
}

// LauncherStats count what a Launcher refused.
type LauncherStats struct {
	// StatusRefused counts status requests not answered: with a secret,
	// unsigned, forged, stale or replayed ones; and malformed ones.
	StatusRefused uint64
}

// Stats returns the counters.
func (l *Launcher) Stats() LauncherStats {
	return LauncherStats{StatusRefused: l.nStatusRefused.Load()}
}

// remote is a remote entry and what its client told us.
type remote struct {
	entry   Entry
	id      int
	command string // as sent, -b appended
	st      ProcessStatus
	acked   bool
}

// New checks the entries and options. Remote entries need Auth.Secret,
// or Auth.InsecurePythonCompat (ErrNoSecret).
func New(entries []Entry, o Options) (*Launcher, error) {
	if len(entries) == 0 {
		return nil, errors.New("launch: nothing to launch")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Name == "" {
		o.Name = "Banyan Launch Server"
	}
	if o.ProbeTimeout <= 0 {
		o.ProbeTimeout = time.Second
	}
	if o.Republish <= 0 {
		o.Republish = 3 * time.Second
	}
	o.Process = o.Process.withDefaults()
	l := &Launcher{entries: append([]Entry(nil), entries...), o: o, log: o.Logger, out: newOutput(o.Process.Output), self: "launch", ready: make(chan struct{}), supSet: make(chan struct{})}
	auth := o.Auth
	hasRemote := false
	id := 0
	names := map[string]bool{}
	for n := range reservedNames {
		names[n] = true
	}
	for i, e := range l.entries {
		if len(e.Args) == 0 || e.Name == "" || e.Topic == "" {
			return nil, fmt.Errorf("launch: entry %d (%s) lacks a name, a command or a topic", i+1, e.Where)
		}
		if names[e.Name] {
			return nil, fmt.Errorf("launch: entry %d (%s): name %q is taken", i+1, e.Where, e.Name)
		}
		names[e.Name] = true
		if !e.Local() {
			hasRemote = true
			id++
			l.remotes = append(l.remotes, &remote{entry: e, id: id})
		}
	}
	if hasRemote && len(auth.Secret) == 0 && !auth.InsecurePythonCompat {
		return nil, fmt.Errorf("launch: the file has remote rows: %w", ErrNoSecret)
	}
	if len(auth.Secret) == 0 {
		auth.InsecurePythonCompat = true // nothing to check with: accept killall and acks unsigned
	}
	l.auth = newAuthenticator(auth)
	s := make([]byte, 8)
	rand.Read(s)
	l.session = hex.EncodeToString(s)
	return l, nil
}

// Ready is closed once Run has connected and begun launching.
func (l *Launcher) Ready() <-chan struct{} { return l.ready }

func (l *Launcher) componentOptions(subs ...string) []banyan.Option {
	opts := []banyan.Option{banyan.WithPorts(l.pubPort(), l.subPort()), banyan.WithName(l.o.Name), banyan.WithLogger(l.log), banyan.WithSubscriptions(subs...)}
	if l.o.Backplane != "" {
		opts = append(opts, banyan.WithBackplane(l.o.Backplane))
	}
	return append(opts, l.o.Component...)
}

// advertise is the backplane address remote rows are told.
func (l *Launcher) advertise() string {
	if l.o.Advertise != "" {
		return l.o.Advertise
	}
	if ip := net.ParseIP(l.o.Backplane); l.o.Backplane != "" && (ip == nil || !ip.IsLoopback()) && l.o.Backplane != "localhost" {
		return l.o.Backplane
	}
	return netaddr.LAN()
}

// Run launches everything and supervises it until ctx ends or a killall
// arrives, then stops every process it started (and their trees), tells
// the launch clients to stop theirs (on ctx's end; a killall already
// reached them), and stops the backplane if it started it. It returns nil
// after a clean stop. Run may be called once.
func (l *Launcher) Run(ctx context.Context) error {
	if !l.ran.CompareAndSwap(false, true) {
		return errors.New("launch: Run called twice")
	}
	subs := []string{killallTopic, statusRequestTopic}
	seen := map[string]bool{}
	for _, r := range l.remotes {
		if t := AckTopic(r.entry.Topic); !seen[t] {
			seen[t] = true
			subs = append(subs, t)
		}
	}
	for _, e := range l.entries {
		l.out.fit(e.Name)
	}
	comp, stopBP, err := l.connectOrStart(ctx, subs)
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped before anything started
		}
		return err
	}
	defer stopBP()
	defer comp.Close()
	l.sup = newSupervisor(l.o.Process, l.out, l.log, l.self)
	close(l.supSet)
	adv := l.advertise()
	l.mu.Lock()
	for _, r := range l.remotes {
		r.command = r.entry.Command
		if r.entry.AppendBackplane {
			r.command += " -b " + adv
			if l.pubPort() != banyan.DefaultPublisherPort || l.subPort() != banyan.DefaultSubscriberPort {
				r.command += " -p " + strconv.Itoa(l.pubPort()) + " -s " + strconv.Itoa(l.subPort())
			}
		}
		r.st = ProcessStatus{Name: r.entry.Name, Command: r.command, Where: r.entry.Topic, State: StatePending}
	}
	l.mu.Unlock()

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var killed atomic.Bool
	handled := make(chan struct{})
	go func() {
		defer close(handled)
		for m := range comp.Messages() {
			if l.handle(comp, m) {
				killed.Store(true)
				cancel()
			}
		}
	}()
	close(l.ready)

	rowsDone := make(chan struct{})
	go func() {
		defer close(rowsDone)
		for _, e := range l.entries {
			if runCtx.Err() != nil {
				return
			}
			if e.Local() {
				l.sup.launch(e)
			} else {
				l.send(comp, l.remoteFor(e))
			}
			if e.Wait > 0 {
				t := time.NewTimer(e.Wait)
				select {
				case <-t.C:
				case <-runCtx.Done():
					t.Stop()
					return
				}
			}
		}
	}()

	republish := time.NewTicker(l.o.Republish)
	defer republish.Stop()
	observe := time.NewTicker(500 * time.Millisecond)
	defer observe.Stop()
	var statusC <-chan time.Time
	if l.o.StatusEvery > 0 {
		st := time.NewTicker(l.o.StatusEvery)
		defer st.Stop()
		statusC = st.C
	}
loop:
	for {
		select {
		case <-runCtx.Done():
			break loop
		case <-republish.C:
			l.mu.Lock()
			var pending []*remote
			for _, r := range l.remotes {
				if r.st.State == StateWaitingAck {
					pending = append(pending, r)
				}
			}
			l.mu.Unlock()
			for _, r := range pending {
				l.send(comp, r)
			}
		case <-observe.C:
			l.sup.observe()
		case <-statusC:
			l.printTable()
		}
	}
	<-rowsDone
	reason := "interrupted"
	if killed.Load() {
		reason = "killall received"
	}
	l.out.printf(l.self, "stopping everything (%s)", reason)
	l.sup.stopAll()
	if !killed.Load() && len(l.remotes) > 0 {
		if err := publishKillall(comp, l.auth); err != nil {
			l.log.Warn("launch: could not tell launch clients to stop", "err", err)
		} else {
			l.out.printf(l.self, "sent killall: launch clients stop what they launched")
		}
	}
	comp.Close()
	<-handled
	return nil
}

func (l *Launcher) remoteFor(e Entry) *remote {
	for _, r := range l.remotes {
		if r.entry.Name == e.Name {
			return r
		}
	}
	return nil
}

// send publishes r's launch record, freshly signed.
func (l *Launcher) send(comp *banyan.Component, r *remote) {
	rec := newRecord(r.entry, r.command, r.id, l.session)
	if err := l.auth.sign(kindLaunch, r.entry.Topic, rec, launchFields); err != nil {
		l.log.Error("launch: cannot sign record", "err", err)
		return
	}
	l.mu.Lock()
	first := r.st.State == StatePending
	if first {
		r.st.State = StateWaitingAck
	}
	l.mu.Unlock()
	if err := comp.Publish(r.entry.Topic, rec); err != nil {
		l.log.Warn("launch: cannot publish record", "topic", r.entry.Topic, "err", err)
		return
	}
	if first {
		l.out.printf(l.self, "%s: sent to launch client on topic %q (launch id %d): %s", r.entry.Name, r.entry.Topic, r.id, r.command)
	}
}

// handle acts on one message; it reports whether it was a valid killall.
func (l *Launcher) handle(comp *banyan.Component, m *banyan.Message) bool {
	switch {
	case m.Topic == killallTopic:
		mm, _ := banyan.DecodeMap(m.Payload)
		if mm == nil {
			mm = map[string]any{}
		}
		if _, err := l.auth.verify(kindKillall, m.Topic, mm, killallFields); err != nil {
			l.log.Warn("launch: refused killall", "err", err)
			return false
		}
		return true
	case m.Topic == statusRequestTopic:
		if err := answerStatus(comp, l.auth, m, "launcher", l.Status()); err != nil {
			l.nStatusRefused.Add(1)
			l.log.Warn("launch: refused status request", "topic", m.Topic, "err", err)
		}
	default:
		l.handleAck(m)
	}
	return false
}

func (l *Launcher) handleAck(m *banyan.Message) {
	var topic string
	for _, r := range l.remotes {
		if AckTopic(r.entry.Topic) == m.Topic {
			topic = r.entry.Topic
		}
	}
	if topic == "" {
		return // a longer topic that shares the prefix
	}
	mm, err := banyan.DecodeMap(m.Payload)
	if err != nil {
		l.log.Warn("launch: refused ack", "topic", m.Topic, "err", err)
		return
	}
	if _, err := l.auth.verify(kindAck, m.Topic, mm, ackFields); err != nil {
		l.log.Warn("launch: refused ack", "topic", m.Topic, "err", err)
		return
	}
	id, ok := mm["launch_id"].(int64)
	if !ok {
		l.log.Warn("launch: refused ack", "topic", m.Topic, "err", fmt.Errorf("%w: launch_id missing or not an int", ErrBadRecord))
		return
	}
	if s, ok := mm[KeySession].(string); ok && s != l.session {
		return // for another launcher
	}
	pid, _ := mm["process_id"].(int64)
	errText, _ := mm[keyError].(string)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.remotes {
		if r.entry.Topic != topic || int64(r.id) != id || r.acked {
			continue
		}
		r.acked = true
		r.st.PID = int(pid)
		r.st.Started = time.Now()
		if errText != "" {
			r.st.State, r.st.Error = StateFailed, errText
			l.out.printf(l.self, "%s: launch client on %q could not start it: %s", r.entry.Name, topic, errText)
		} else {
			r.st.State = StateLaunched
			l.out.printf(l.self, "%s: %s: %s PID = %d", r.entry.Name, topic, r.command, pid)
		}
	}
}

// Status returns a row per entry, in launch order. Remote rows show what
// their launch client reported.
func (l *Launcher) Status() []ProcessStatus {
	var local []ProcessStatus
	select {
	case <-l.supSet:
		local = l.sup.status()
	default:
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]ProcessStatus, 0, len(l.entries))
	li := 0
	for _, e := range l.entries {
		if e.Local() {
			if li < len(local) && local[li].Name == e.Name {
				out = append(out, local[li])
				li++
				continue
			}
			out = append(out, ProcessStatus{Name: e.Name, Command: e.Command, Where: e.Topic, State: StatePending})
			continue
		}
		r := l.remoteFor(e)
		st := r.st
		if st.Name == "" {
			st = ProcessStatus{Name: e.Name, Command: e.Command, Where: e.Topic, State: StatePending}
		}
		out = append(out, st)
	}
	return out
}

func (l *Launcher) printTable() {
	l.out.mu.Lock()
	defer l.out.mu.Unlock()
	WriteTable(l.out.w, time.Now(), l.Status())
}

// publishKillall sends {'exit': 'exit'} on killall, signed when a is.
func publishKillall(c *banyan.Component, a *authenticator) error {
	m := map[string]any{"exit": killallPayloadValue}
	if err := a.sign(kindKillall, killallTopic, m, killallFields); err != nil {
		return err
	}
	return c.Publish(killallTopic, m)
}

// Killall publishes the killall message that stops every launcher and
// launch client on the backplane (Python's blk), signed with secret when
// it is not empty. opts say where the backplane is.
func Killall(ctx context.Context, secret []byte, opts ...banyan.Option) error {
	c, err := banyan.Connect(ctx, opts...)
	if err != nil {
		return err
	}
	defer c.Close()
	return publishKillall(c, newAuthenticator(Auth{Secret: secret}))
}
