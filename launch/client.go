package launch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobanyan/banyan"
)

// ClientOptions configure a launch Client.
type ClientOptions struct {
	// Topic is the topic this client takes launch records from (Python
	// blc's -t). Required.
	Topic string
	// Backplane, PublisherPort and SubscriberPort say where the backplane
	// is, as in Options.
	Backplane                     string
	PublisherPort, SubscriberPort int
	// Process configures the processes it runs.
	Process ProcessOptions
	// Auth: launch records (and killall) must be signed with Auth.Secret,
	// unless Auth.InsecurePythonCompat; one of them is required.
	Auth Auth
	// Stay keeps the client listening after a killall (once it has stopped
	// its processes); Python's blc exits.
	Stay bool
	// Name is the component name (default "Banyan Launch Client").
	Name string
	// Logger receives refused records and other warnings; nil means
	// slog.Default().
	Logger *slog.Logger
	// Component holds extra options for the client's component, applied
	// after its own (for example banyan.WithMsgpack). The client waits for
	// the backplane however long it takes, as Python's blc does.
	Component []banyan.Option
}

// ClientStats count what a Client did with the records it received.
type ClientStats struct {
	Launched   uint64 // records whose command it started (or tried to)
	Duplicates uint64 // records for a launch id it had already handled (re-acknowledged)
	Refused    uint64 // records and killall messages refused: unsigned, forged, stale, replayed or malformed
	// StatusRefused counts status requests not answered: with a secret,
	// unsigned, forged, stale or replayed ones; and malformed ones.
	StatusRefused uint64
}

// Client is a launch client (Python's blc): it runs the commands of launch
// records that arrive on its topic and acknowledges them on ACK<topic>.
// It stops everything on killall.
type Client struct {
	o     ClientOptions
	log   *slog.Logger
	out   *output
	auth  *authenticator
	self  string
	ready chan struct{}
	ran   atomic.Bool

	mu       sync.Mutex
	sup      *supervisor
	launched map[string]launchResult // session "/" launch id → result
	names    map[string]bool

	nLaunched, nDup, nRefused, nStatusRefused atomic.Uint64
}

type launchResult struct {
	pid int
	err error
}

// NewClient checks the options. It needs a topic and a secret (or
// InsecurePythonCompat).
func NewClient(o ClientOptions) (*Client, error) {
	if err := checkTopic(o.Topic); err != nil || o.Topic == LocalTopic {
		if err == nil {
			err = errors.New(`"local" is not a launch client topic`)
		}
		return nil, fmt.Errorf("launch client: %w", err)
	}
	if len(o.Auth.Secret) == 0 && !o.Auth.InsecurePythonCompat {
		return nil, fmt.Errorf("launch client: %w", ErrNoSecret)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Name == "" {
		o.Name = "Banyan Launch Client"
	}
	o.Process = o.Process.withDefaults()
	return &Client{o: o, log: o.Logger, out: newOutput(o.Process.Output), auth: newAuthenticator(o.Auth), self: "launch-client",
		ready: make(chan struct{}), launched: map[string]launchResult{}, names: map[string]bool{}}, nil
}

// Ready is closed once Run listens for records.
func (c *Client) Ready() <-chan struct{} { return c.ready }

// Stats returns the counters.
func (c *Client) Stats() ClientStats {
	return ClientStats{Launched: c.nLaunched.Load(), Duplicates: c.nDup.Load(), Refused: c.nRefused.Load(), StatusRefused: c.nStatusRefused.Load()}
}

// Status returns a row per process the client has launched.
func (c *Client) Status() []ProcessStatus {
	c.mu.Lock()
	sup := c.sup
	c.mu.Unlock()
	if sup == nil {
		return nil
	}
	return sup.status()
}

// Run connects (waiting for the backplane to come up), then launches what
// trusted records ask for until ctx ends or a trusted killall arrives
// (with Stay, it stops its processes and goes on listening). Its
// processes and their trees are stopped before it returns nil.
func (c *Client) Run(ctx context.Context) error {
	if !c.ran.CompareAndSwap(false, true) {
		return errors.New("launch client: Run called twice")
	}
	opts := []banyan.Option{banyan.WithPorts(c.o.PublisherPort, c.o.SubscriberPort), banyan.WithName(c.o.Name), banyan.WithLogger(c.log),
		banyan.WithSubscriptions(c.o.Topic, killallTopic, statusRequestTopic)}
	if c.o.Backplane != "" {
		opts = append(opts, banyan.WithBackplane(c.o.Backplane))
	}
	opts = append(opts, c.o.Component...)
	// Wait for the backplane however long it takes, as Python's blc does;
	// the component says once, at Warn, where it is waiting.
	comp, err := banyan.Connect(ctx, append(opts, banyan.WithConnectTimeout(0))...)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	defer comp.Close()
	c.newSupervisor()
	c.out.printf(c.self, "Listening for %s messages.", c.o.Topic)
	close(c.ready)
	observe := time.NewTicker(500 * time.Millisecond)
	defer observe.Stop()
	for {
		select {
		case <-ctx.Done():
			c.stop("interrupted")
			return nil
		case <-observe.C:
			c.supervisor().observe()
		case m, ok := <-comp.Messages():
			if !ok {
				c.stop("connection closed")
				return banyan.ErrClosed
			}
			switch m.Topic {
			case c.o.Topic:
				c.handleRecord(comp, m)
			case killallTopic:
				if !c.killall(m) {
					continue
				}
				c.stop("killall received")
				if !c.o.Stay {
					return nil
				}
				c.mu.Lock()
				c.launched = map[string]launchResult{}
				c.mu.Unlock()
				c.auth.resetReplay()
				c.newSupervisor()
				c.out.printf(c.self, "Listening for %s messages.", c.o.Topic)
			case statusRequestTopic:
				if err := answerStatus(comp, c.auth, m, "launch-client "+c.o.Topic, c.Status()); err != nil {
					c.nStatusRefused.Add(1)
					c.log.Warn("launch client: refused status request", "topic", m.Topic, "err", err)
				}
			}
		}
	}
}

func (c *Client) newSupervisor() {
	s := newSupervisor(c.o.Process, c.out, c.log, c.self)
	c.mu.Lock()
	c.sup = s
	c.mu.Unlock()
}

func (c *Client) supervisor() *supervisor {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sup
}

func (c *Client) stop(reason string) {
	c.out.printf(c.self, "stopping everything (%s)", reason)
	c.supervisor().stopAll()
}

func (c *Client) refuse(what string, m *banyan.Message, err error, kv ...any) {
	c.nRefused.Add(1)
	c.log.Warn("launch client: refused "+what, append([]any{"topic", m.Topic, "err", err}, kv...)...)
}

// killall reports whether m is a killall we trust.
func (c *Client) killall(m *banyan.Message) bool {
	mm, _ := banyan.DecodeMap(m.Payload)
	if mm == nil {
		mm = map[string]any{}
	}
	if _, err := c.auth.verify(kindKillall, m.Topic, mm, killallFields); err != nil {
		c.refuse("killall", m, err)
		return false
	}
	return true
}

func (c *Client) handleRecord(comp *banyan.Component, m *banyan.Message) {
	mm, err := banyan.DecodeMap(m.Payload)
	if err != nil {
		c.refuse("launch record", m, err)
		return
	}
	cmdText, _ := mm["command_string"].(string)
	if _, err := c.auth.verify(kindLaunch, m.Topic, mm, launchFields); err != nil {
		c.refuse("launch record", m, err, "command", cmdText)
		return
	}
	rec, err := parseRecord(mm)
	if err == nil && rec.topic != m.Topic {
		err = fmt.Errorf("%w: record is for topic %q", ErrBadRecord, rec.topic)
	}
	if err != nil {
		c.refuse("launch record", m, err, "command", cmdText)
		return
	}
	key := rec.session + "/" + strconv.FormatInt(rec.launchID, 10)
	c.mu.Lock()
	prior, dup := c.launched[key]
	c.mu.Unlock()
	if dup {
		c.nDup.Add(1)
		c.ack(comp, rec, prior)
		return
	}
	c.nLaunched.Add(1)
	res := c.start(rec)
	c.mu.Lock()
	c.launched[key] = res
	c.mu.Unlock()
	c.ack(comp, rec, res)
}

// start runs a record's command under supervision.
func (c *Client) start(rec remoteRecord) launchResult {
	args, err := SplitCommand(rec.command)
	if err != nil {
		c.out.printf(c.self, "cannot launch %q: %v", rec.command, err)
		return launchResult{err: err}
	}
	c.mu.Lock()
	base := DeriveName(args)
	name := base
	for k := 2; c.names[name] || reservedNames[name]; k++ {
		name = base + "-" + strconv.Itoa(k)
	}
	c.names[name] = true
	c.mu.Unlock()
	e := Entry{Name: name, Command: rec.command, Args: args, Spawn: rec.spawn, AutoRestart: rec.autoRestart, Topic: c.o.Topic,
		Where: fmt.Sprintf("launch id %d", rec.launchID)}
	_, pid, err := c.supervisor().launch(e)
	return launchResult{pid: pid, err: err}
}

func (c *Client) ack(comp *banyan.Component, rec remoteRecord, res launchResult) {
	a := newAck(rec, res.pid, res.err)
	if err := c.auth.sign(kindAck, rec.replyTopic, a, ackFields); err != nil {
		c.log.Error("launch client: cannot sign ack", "err", err)
		return
	}
	if err := comp.Publish(rec.replyTopic, a); err != nil {
		c.log.Warn("launch client: cannot publish ack", "topic", rec.replyTopic, "err", err)
	}
}
