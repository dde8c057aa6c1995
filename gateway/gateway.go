package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/service"
)

// ErrRunning is a second call to Run (the sentinel the bridges share).
var ErrRunning = service.ErrRunning

// Options configure a Gateway.
type Options struct {
	// Device names the board in the topics: commands are read from
	// CommandTopic(Device) and reports go to ReportTopic(Device). It may
	// be empty when both topic fields below are set.
	Device string
	// CommandTopics overrides the topics commands are read from. A message
	// counts only when its topic equals one of them exactly (ZeroMQ
	// subscriptions are prefixes, so "to_x_gateway" would also receive
	// "to_x_gateway2"; such messages are ignored and counted).
	CommandTopics []string
	// ReportTopic overrides the topic reports are published on.
	ReportTopic string
	// Other handles commands outside the 22 (Python's
	// additional_banyan_messages). Without it, or when it returns an error,
	// the client gets an error report.
	Other func(topic string, payload map[string]any) error
	// Now is the clock for report timestamps; nil means time.Now.
	Now func() time.Time
	// Backplane configures the gateway's Banyan component (banyan.WithBackplane,
	// banyan.WithPorts, banyan.WithName, ...). The gateway adds the
	// subscriptions to the command topics and, unless one is given here,
	// its logger.
	Backplane []banyan.Option
	// Logger receives failed commands (Info) and publish failures; nil
	// means slog.Default().
	Logger *slog.Logger
}

// Stats are a gateway's counters.
type Stats struct {
	Commands uint64 // messages received on the command topics
	Reports  uint64 // reports published, error reports included
	Errors   uint64 // error reports published
	Muted    uint64 // input reports dropped because reporting is disabled for their pin
	Ignored  uint64 // messages on other topics that share a command topic's prefix
	// Backplane is the gateway's component's counters.
	Backplane banyan.Stats
}

// Gateway connects a Board to the Banyan bus: it reads OneGPIO commands
// from its command topics, carries them out on the board and publishes
// reports. Create it with New and run it with Run.
type Gateway struct {
	c      *banyan.Component
	b      Board
	topics []string
	report string
	other  func(string, map[string]any) error
	now    func() time.Time
	log    *slog.Logger

	life service.Lifecycle

	mu    sync.Mutex
	tags  map[string]int     // tag -> pin
	muted map[reportKey]bool // inputs whose reporting is disabled

	commands, reports, errs, mutedN, ignored atomic.Uint64
}

type reportKey struct {
	analog bool
	pin    int
}

// New checks the options and connects the gateway's component to the
// backplane (Options.Backplane), subscribed to the command topics and ready
// when it returns. Nothing reaches the board until Run.
func New(ctx context.Context, b Board, o Options) (*Gateway, error) {
	if b == nil {
		return nil, errors.New("gateway: New needs a board")
	}
	g := &Gateway{
		b: b, topics: slices.Clone(o.CommandTopics), report: o.ReportTopic, other: o.Other,
		now: o.Now, log: o.Logger, tags: map[string]int{}, muted: map[reportKey]bool{},
	}
	if len(g.topics) == 0 {
		if o.Device == "" {
			return nil, errors.New("gateway: Options.Device or Options.CommandTopics is needed")
		}
		g.topics = []string{CommandTopic(o.Device)}
	}
	if g.report == "" {
		if o.Device == "" {
			return nil, errors.New("gateway: Options.Device or Options.ReportTopic is needed")
		}
		g.report = ReportTopic(o.Device)
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.log == nil {
		g.log = slog.Default()
	}
	opts := append([]banyan.Option{banyan.WithLogger(g.log)}, o.Backplane...)
	opts = append(opts, banyan.WithSubscriptions(g.topics...))
	c, err := banyan.Connect(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	g.c = c
	return g, nil
}

// CommandTopics returns the topics the gateway reads commands from.
func (g *Gateway) CommandTopics() []string { return slices.Clone(g.topics) }

// ReportTopic returns the topic the gateway publishes reports on.
func (g *Gateway) ReportTopic() string { return g.report }

// Tags returns a copy of the tag to pin bindings.
func (g *Gateway) Tags() map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]int, len(g.tags))
	for k, v := range g.tags {
		out[k] = v
	}
	return out
}

// Stats returns the counters.
func (g *Gateway) Stats() Stats {
	return Stats{Commands: g.commands.Load(), Reports: g.reports.Load(), Errors: g.errs.Load(),
		Muted: g.mutedN.Load(), Ignored: g.ignored.Load(), Backplane: g.c.Stats()}
}

// Run hands the board its report function (ReportSource) and serves
// commands one at a time, in arrival order, until ctx ends; then it
// disconnects from the backplane and returns nil. Close also ends it, and
// then it returns banyan.ErrClosed. Run may be called once (ErrRunning).
func (g *Gateway) Run(ctx context.Context) error {
	if err := g.life.Start(); err != nil {
		return err
	}
	src, ok := g.b.(ReportSource)
	if ok {
		src.SetReportFunc(g.publishReport)
	}
	err := g.c.Run(ctx, g.handle)
	if ok {
		src.SetReportFunc(nil)
	}
	return g.life.End(g.Close, err)
}

// Close disconnects from the backplane, which also ends Run. A gateway
// that never ran must be closed; after Run it is not needed. It is safe to
// call more than once, from any goroutine.
func (g *Gateway) Close() error {
	g.life.Close(g.c.Close)
	return nil
}

// handle serves one message.
func (g *Gateway) handle(m *banyan.Message) {
	if !slices.Contains(g.topics, m.Topic) {
		g.ignored.Add(1)
		return
	}
	g.commands.Add(1)
	payload, err := m.Map()
	if err != nil {
		g.fail(ErrorReport{}, fmt.Errorf("gateway: command payload: %w", err))
		return
	}
	ctx := ErrorReport{}
	ctx.Command, _ = payload["command"].(string)
	ctx.Tag, _ = payload["tag"].(string)
	if v, ok := payload["pin"]; ok {
		if n, ok := toInt(v); ok {
			ctx.Pin = &n
		}
	}
	cmd, err := ParseCommand(payload)
	if err != nil {
		if errors.Is(err, ErrUnknownCommand) && g.other != nil {
			if err = g.other(m.Topic, payload); err == nil {
				return
			}
		}
		g.fail(ctx, err)
		return
	}
	pin, err := g.execute(cmd)
	if err != nil {
		if pin != nil {
			ctx.Pin = pin
		}
		g.fail(ctx, err)
	}
}

// fail publishes an error report for err.
func (g *Gateway) fail(r ErrorReport, err error) {
	r.Code = ErrorCode(err)
	r.Error = err.Error()
	g.log.Info("command failed", "topic", g.report, "command", r.Command, "code", r.Code, "err", err)
	g.publishReport(r)
}

func unsupported(c Command) error { return fmt.Errorf("%w: %s", ErrUnsupported, c.Name) }

// use offers c to the board's CommandHandler, if it has one, and otherwise
// runs f with the board as a T (one of the optional interfaces), or
// reports the command as unsupported by this board.
func use[T any](g *Gateway, c Command, f func(T) error) error {
	if handled, err := g.offer(c); handled || err != nil {
		return err
	}
	t, ok := g.b.(T)
	if !ok {
		return unsupported(c)
	}
	return f(t)
}

// offer passes c to the board's CommandHandler; handled false means the
// board has none, or left c to the gateway.
func (g *Gateway) offer(c Command) (handled bool, err error) {
	h, ok := g.b.(CommandHandler)
	if !ok {
		return false, nil
	}
	return h.HandleCommand(c)
}

// register is an i2c command's register, or NoRegister when it has none.
func register(r *int) int {
	if r == nil {
		return NoRegister
	}
	return *r
}

// execute carries out one command, as its row of the command table says.
// It returns the pin the command addressed, when known, for error reports.
func (g *Gateway) execute(c Command) (*int, error) {
	s, ok := lookup(c.Name)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownCommand, c.Name)
	}
	if s.pin == "" || s.optionalPin {
		return c.Pin, s.run(g, c)
	}
	return g.onPin(c.Pin, c.Tag, s.setMode, func(p int) error {
		c.Pin = &p
		return s.run(g, c)
	})
}

// setMode is the run function of the set_mode_* commands that go to
// Board.SetMode. An input mode (re-)enables reporting for the pin first,
// so that a report the board sends from SetMode gets through.
func setMode(mode PinMode) func(*Gateway, Command) error {
	return func(g *Gateway, c Command) error {
		switch mode {
		case ModeDigitalInput, ModeDigitalInputPullup:
			g.setMuted(reportKey{pin: *c.Pin}, false)
		case ModeAnalogInput:
			g.setMuted(reportKey{analog: true, pin: *c.Pin}, false)
		}
		return use(g, c, func(b Board) error { return b.SetMode(*c.Pin, mode) })
	}
}

// reporting is the run function of enable_*_reporting and
// disable_*_reporting: enable enables (Python's GatewayBase dispatches both
// enable commands to the disable handlers).
func reporting(analog, on bool) func(*Gateway, Command) error {
	return func(g *Gateway, c Command) error {
		p := *c.Pin
		g.setMuted(reportKey{analog: analog, pin: p}, !on)
		if handled, err := g.offer(c); handled || err != nil {
			return err
		}
		rc, ok := g.b.(ReportingControl)
		if !ok {
			return nil
		}
		if analog {
			return rc.SetAnalogReporting(p, on)
		}
		return rc.SetDigitalReporting(p, on)
	}
}

// i2cRead is i2c_read's run function: what the board reads is published
// as an i2c_data report.
func i2cRead(g *Gateway, c Command) error {
	return use(g, c, func(i I2CBoard) error {
		data, err := i.I2CRead(c.Addr, register(c.Register), c.NumberOfBytes)
		if err != nil {
			return err
		}
		value := make([]int, len(data))
		for k, x := range data {
			value[k] = int(x)
		}
		g.publishReport(I2CData{Value: value, Addr: &c.Addr, Register: c.Register})
		return nil
	})
}

// onPin resolves a command's pin from its pin and tag, runs f with it and,
// when f succeeds, records a new tag binding.
//
// Tag rules: a tag seen before stands for its pin, so later commands may
// omit the pin. A tag not seen before must come with a pin (ErrUnknownTag
// otherwise), and is bound to it once the command succeeds. A known tag
// with a different pin is ErrTagConflict, except in set_mode_* commands
// (setMode true), which rebind the tag, as when a client restarts with new
// wiring.
func (g *Gateway) onPin(pin *int, tag string, setMode bool, f func(int) error) (*int, error) {
	p, bind, err := g.resolve(pin, tag, setMode)
	if err != nil {
		return pin, err
	}
	if err := f(p); err != nil {
		return &p, err
	}
	if bind {
		g.mu.Lock()
		g.tags[tag] = p
		g.mu.Unlock()
	}
	return &p, nil
}

func (g *Gateway) resolve(pin *int, tag string, setMode bool) (p int, bind bool, err error) {
	if tag == "" {
		if pin == nil {
			return 0, false, fmt.Errorf("%w: no pin and no tag", ErrBadCommand)
		}
		return *pin, false, nil
	}
	g.mu.Lock()
	known, ok := g.tags[tag]
	g.mu.Unlock()
	switch {
	case pin == nil && ok:
		return known, false, nil
	case pin == nil:
		return 0, false, fmt.Errorf("%w: %q (the first command with a tag must carry its pin)", ErrUnknownTag, tag)
	case !ok || (setMode && known != *pin):
		return *pin, true, nil
	case known != *pin:
		return 0, false, fmt.Errorf("%w: tag %q is bound to pin %d, the command names pin %d (only set_mode_* commands rebind a tag)", ErrTagConflict, tag, known, *pin)
	}
	return *pin, false, nil
}

func (g *Gateway) setMuted(k reportKey, muted bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if muted {
		g.muted[k] = true
	} else {
		delete(g.muted, k)
	}
}

func (g *Gateway) isMuted(k reportKey) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.muted[k]
}

// publishReport is the function boards report through, and the gateway's
// own way to publish: it drops input reports of pins whose reporting is
// disabled, fills in zero timestamps and sends a SystemMessage on
// SysMsgTopic.
func (g *Gateway) publishReport(r Report) {
	topic := g.report
	switch x := r.(type) {
	case DigitalInput:
		if g.isMuted(reportKey{pin: x.Pin}) {
			g.mutedN.Add(1)
			return
		}
		if x.Timestamp == 0 {
			x.Timestamp = Timestamp(g.now())
		}
		r = x
	case AnalogInput:
		if g.isMuted(reportKey{analog: true, pin: x.Pin}) {
			g.mutedN.Add(1)
			return
		}
		if x.Timestamp == 0 {
			x.Timestamp = Timestamp(g.now())
		}
		r = x
	case ErrorReport:
		if x.Timestamp == 0 {
			x.Timestamp = Timestamp(g.now())
		}
		r = x
		g.errs.Add(1)
	case SystemMessage:
		if x.Timestamp == 0 {
			x.Timestamp = Timestamp(g.now())
		}
		x.gateway = g.report
		topic = SysMsgTopic
		r = x
	case nil:
		return
	}
	if err := g.c.Publish(topic, r); err != nil {
		g.log.Warn("cannot publish report", "topic", topic, "report", r.ReportName(), "err", err)
		return
	}
	g.reports.Add(1)
}
