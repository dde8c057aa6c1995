package firmata

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobanyan/banyan/gateway"
)

// Board is an Arduino (or another Firmata board) behind a serial port or a
// TCP connection, as a gateway.Board. Create it with New, run it with Run
// beside the gateway's Run, and Close it.
type Board struct {
	o   Options
	log *slog.Logger

	report atomic.Pointer[func(gateway.Report)]

	mu      sync.Mutex
	l       *link // nil while the link is down
	name    string
	down    error // why the link is down
	info    hello
	st      state
	pending []*i2cWait

	closeOnce sync.Once
	closed    chan struct{}
	running   atomic.Bool

	// counters of links that have ended (the current one's are added in Stats)
	totals                                      Stats
	reports, losses, reconnects, unknownReplies atomic.Uint64
}

// Stats are a board's counters.
type Stats struct {
	BytesRead  uint64 // bytes received from the board
	Messages   uint64 // complete messages parsed
	Garbage    uint64 // bytes that belong to no message, skipped
	Truncated  uint64 // messages cut short by the next status byte, dropped
	Oversized  uint64 // sysex messages longer than Options.MaxSysex, dropped
	Unknown    uint64 // well-formed messages the driver has no use for
	Reports    uint64 // readings passed to the gateway
	LinkLosses uint64 // times the link was lost
	Reconnects uint64 // times it was re-established
}

// Info is what the board said of itself when it last connected.
type Info struct {
	Port       string // serial port or TCP address
	Protocol   string // Firmata protocol version, "2.5"
	Firmware   string // REPORT_FIRMWARE name, "StandardFirmata.ino"
	Version    string // firmware version, "2.5"
	InstanceID int    // FirmataExpress arduino_instance_id; -1 for other firmware
	Pins       Capabilities
}

// New checks the options, finds the board (Options.Port, Options.TCP, or
// auto-detection), waits for its firmware to answer and reads its
// capabilities. Nothing but queries is sent until the board has answered.
// It fails with a message naming the port and what was tried when no
// board answers within Options.StartTimeout.
func New(ctx context.Context, o Options) (*Board, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	b := &Board{o: o, log: o.Logger, closed: make(chan struct{}), st: newState()}
	l, h, err := b.connect(ctx)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.attach(l, h)
	err = b.replay()
	b.mu.Unlock()
	if err != nil {
		b.Close()
		return nil, err
	}
	b.log.Info("firmata board connected", "port", l.name, "firmware", h.firmware, "protocol", fmt.Sprintf("%d.%d", h.version[0], h.version[1]), "pins", len(h.caps))
	return b, nil
}

// connect opens the link the options name and shakes hands.
func (b *Board) connect(ctx context.Context) (*link, hello, error) {
	o := &b.o
	switch {
	case o.TCP != "":
		rw, addr, err := dialTCP(ctx, o.TCP, o.StartTimeout)
		if err != nil {
			return nil, hello{}, fmt.Errorf("%w: %w", ErrNoBoard, err)
		}
		l := newLink(addr, rw, o.MaxSysex)
		h, err := handshake(ctx, l, o)
		if err != nil {
			l.close()
			return nil, h, fmt.Errorf("%w: %w", ErrNoBoard, err)
		}
		return l, h, nil
	case o.Port != "":
		l, h, err := open(ctx, o, o.Port)
		if err != nil {
			return nil, h, fmt.Errorf("%w: %w", ErrNoBoard, err)
		}
		return l, h, nil
	default:
		return detect(ctx, o)
	}
}

// attach makes l the board's link. b.mu is held.
func (b *Board) attach(l *link, h hello) {
	b.l, b.name, b.down, b.info = l, l.name, nil, h
	b.st.linkReset()
	l.handle = func(m message) { b.handle(l, m) }
	l.ready.Store(true)
}

// Info returns what the board said of itself when it last connected.
func (b *Board) Info() Info {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.info
	return Info{Port: b.name, Protocol: fmt.Sprintf("%d.%d", h.version[0], h.version[1]), Firmware: h.firmware,
		Version: fmt.Sprintf("%d.%d", h.fwVersion[0], h.fwVersion[1]), InstanceID: h.instance, Pins: h.caps}
}

// Connected reports whether the link to the board is up.
func (b *Board) Connected() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.l != nil
}

// Stats returns the counters.
func (b *Board) Stats() Stats {
	b.mu.Lock()
	s := b.totals
	if b.l != nil {
		addLink(&s, b.l)
	}
	b.mu.Unlock()
	s.Reports = b.reports.Load()
	s.LinkLosses = b.losses.Load()
	s.Reconnects = b.reconnects.Load()
	s.Unknown += b.unknownReplies.Load()
	return s
}

func addLink(s *Stats, l *link) {
	s.BytesRead += l.read.Load()
	s.Messages += l.p.messages.Load()
	s.Garbage += l.p.garbage.Load()
	s.Truncated += l.p.truncated.Load()
	s.Oversized += l.p.oversized.Load()
	s.Unknown += l.unknown.Load()
}

// SetReportFunc implements gateway.ReportSource.
func (b *Board) SetReportFunc(f func(gateway.Report)) {
	if f == nil {
		b.report.Store(nil)
		return
	}
	b.report.Store(&f)
}

func (b *Board) emit(reports []gateway.Report) {
	f := b.report.Load()
	for _, r := range reports {
		if f != nil {
			(*f)(r)
		}
		if _, sys := r.(gateway.SystemMessage); !sys {
			b.reports.Add(1)
		}
	}
}

// Run keeps the link up until ctx ends (then it closes the board and
// returns nil) or Close is called (ErrClosed): when the link is lost it
// says so (a gateway.SystemMessage on sys_msg), reconnects with a
// doubling pause between Options.ReconnectMin and ReconnectMax (detecting
// the board again if it was auto-detected), re-applies pin modes, outputs,
// reporting and the sampling interval, and says it is back. It also sends
// FirmataExpress's keep-alive. Run may be called once.
func (b *Board) Run(ctx context.Context) error {
	if !b.running.CompareAndSwap(false, true) {
		return errors.New("firmata: Run called twice")
	}
	defer b.Close()
	var keep <-chan time.Time
	if b.o.KeepAlive > 0 {
		t := time.NewTicker(b.o.KeepAlive / 3)
		defer t.Stop()
		keep = t.C
		b.keepAlive()
	}
	for {
		b.mu.Lock()
		l := b.l
		b.mu.Unlock()
		if l == nil { // closed
			return ErrClosed
		}
		select {
		case <-ctx.Done():
			return nil
		case <-b.closed:
			return ErrClosed
		case <-keep:
			b.keepAlive()
			continue
		case <-l.done:
		}
		b.lost(l)
		if err := b.reconnect(ctx); err != nil {
			if errors.Is(err, ErrClosed) {
				return err
			}
			return nil // ctx ended
		}
		b.keepAlive()
	}
}

// lost records the end of l and tells the gateway.
func (b *Board) lost(l *link) {
	l.close()
	reason := "end of stream"
	if l.err != nil {
		reason = l.err.Error()
	}
	b.mu.Lock()
	if b.l == l {
		b.l = nil
		addLink(&b.totals, l)
	}
	b.down = fmt.Errorf("%w: link to %s lost (%s); reconnecting", ErrNotConnected, l.name, reason)
	for _, w := range b.pending {
		w.fail(b.down)
	}
	b.pending = nil
	b.mu.Unlock()
	b.losses.Add(1)
	b.log.Warn("firmata link lost", "port", l.name, "err", reason)
	b.emit([]gateway.Report{gateway.SystemMessage{Text: fmt.Sprintf("arduino link lost: %s: %s", l.name, reason)}})
}

// reconnect tries until a link is up again, ctx ends or Close.
func (b *Board) reconnect(ctx context.Context) error {
	pause := b.o.ReconnectMin
	for {
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-b.closed:
			t.Stop()
			return ErrClosed
		case <-t.C:
		}
		cctx, cancel := context.WithCancel(ctx)
		stop := context.AfterFunc(ctx, cancel)
		go func() {
			select {
			case <-b.closed:
				cancel()
			case <-cctx.Done():
			}
		}()
		l, h, err := b.connect(cctx)
		cancel()
		stop()
		if err == nil {
			b.mu.Lock()
			select {
			case <-b.closed:
				b.mu.Unlock()
				l.close()
				return ErrClosed
			default:
			}
			b.attach(l, h)
			err = b.replay()
			if err == nil {
				// Announced under b.mu: the readings the replay brings
				// back are handled after it, so they follow the news.
				b.reconnects.Add(1)
				b.emit([]gateway.Report{gateway.SystemMessage{Text: fmt.Sprintf("arduino reconnected: %s (%s)", l.name, h.firmware)}})
			}
			b.mu.Unlock()
			if err == nil {
				b.log.Info("firmata board reconnected", "port", l.name, "firmware", h.firmware)
				return nil
			}
			b.lost(l)
		} else {
			b.log.Debug("firmata reconnect failed", "err", err)
		}
		pause = min(pause*2, b.o.ReconnectMax)
	}
}

// keepAlive sends FirmataExpress's keep-alive, when asked for and the
// firmware has it.
func (b *Board) keepAlive() {
	if b.o.KeepAlive <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.l == nil || !b.info.express() {
		return
	}
	s := int(b.o.KeepAlive / time.Second)
	if s < 1 {
		s = 1
	}
	b.l.write(sysex(nil, sysexKeepAlive, lsb(s), msb(s)))
}

// Close closes the link and ends Run. It is safe to call more than once.
func (b *Board) Close() error {
	b.closeOnce.Do(func() {
		close(b.closed)
		b.mu.Lock()
		l := b.l
		b.l = nil
		b.down = ErrClosed
		for _, w := range b.pending {
			w.fail(ErrClosed)
		}
		b.pending = nil
		if l != nil {
			addLink(&b.totals, l)
		}
		b.mu.Unlock()
		if l != nil {
			l.close()
		}
	})
	return nil
}

// send writes b to the link. b.mu is held.
func (b *Board) send(msg []byte) error {
	if b.l == nil {
		if b.down != nil {
			return b.down
		}
		return ErrNotConnected
	}
	return b.l.write(msg)
}
