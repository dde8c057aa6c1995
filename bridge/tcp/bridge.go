package tcp

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/service"
)

var (
	// ErrNoAddress is a client-mode bridge without a device address
	// (tgw: "A TCP IP address for the TCP server must be provided.").
	ErrNoAddress = errors.New("tcp: a device address must be provided")
	// ErrNoPublishTopic is a bridge without topic framing and without a
	// Banyan topic for what the device sends (tgw: "A publishing topic must
	// be provided").
	ErrNoPublishTopic = errors.New("tcp: a publishing topic must be provided")
	// ErrLoop is a publishing topic that one of the subscriptions matches
	// (ZeroMQ prefix match): everything a device sends would come straight
	// back to it.
	ErrLoop = errors.New("tcp: the publishing topic is also subscribed")
	// ErrRunning is a second call to Run (the sentinel all bridges share).
	ErrRunning = service.ErrRunning
	// ErrNotAllowed is a publishing topic (without topic framing) that
	// Options.AllowTopics does not allow: nothing the device sends could
	// be published.
	ErrNotAllowed = errors.New("tcp: the publishing topic is not among the allowed topics")
)

// DefaultListen is where a server-mode bridge listens when Options.Address
// is empty: loopback only. Devices on the network need an explicit
// address, such as ":31335" (every interface).
const DefaultListen = "127.0.0.1:31335"

// Mode says which side opens the TCP connection.
type Mode int

const (
	// Client connects to the device, as tgw does, and reconnects with
	// backoff when the connection fails or ends.
	Client Mode = iota
	// Server listens; any number of devices connect to us. Messages from
	// Banyan go to every connected device.
	Server
)

// String returns "client" or "server".
func (m Mode) String() string {
	switch m {
	case Client:
		return "client"
	case Server:
		return "server"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Options configure a bridge. Address and, without topic framing,
// PublishTopic are required.
type Options struct {
	// Mode is Client (default, as tgw) or Server.
	Mode Mode
	// Address is the device's "host:port" in client mode (tgw -a and -n),
	// or the address to listen on in server mode: "" means DefaultListen
	// (127.0.0.1:31335, this host only); ":31335" listens on every
	// interface, so anyone on the network can connect; port 0 picks a free
	// one (see Addr).
	Address string
	// Subscribe lists the Banyan topics (prefixes, as ZeroMQ) whose messages
	// go to the device (tgw -g). None means the device only sends.
	Subscribe []string
	// PublishTopic is the Banyan topic for what the device sends (tgw -e).
	// With topic framing the frame names the topic; this is then only the
	// default AllowTopics.
	PublishTopic string
	// AllowTopics lists the topic prefixes devices may publish on (as
	// ZeroMQ prefixes: "sensors/" allows "sensors/temp"; "" allows
	// everything). A frame on any other topic is not published: it is
	// counted in Stats.Denied and logged (the first of each connection at
	// Warn, the rest at Debug), and the connection goes on. nil means
	// PublishTopic alone (as a prefix), or nothing when that is empty: with
	// topic framing, devices publish only under the -e topic unless told
	// otherwise, and never on, say, killall. Without topic framing the
	// device always publishes on PublishTopic, which must then be allowed
	// (ErrNotAllowed).
	AllowTopics []string
	// Framing is how messages are cut on the stream; the zero value is tgw's.
	Framing Framing
	// Backplane configures the bridge's Banyan component (banyan.WithBackplane,
	// banyan.WithPorts, banyan.WithName, ...). The bridge adds the
	// subscriptions and, unless one is given here, its logger.
	Backplane []banyan.Option
	// MinBackoff and MaxBackoff bound the delay between connection attempts
	// in client mode; it doubles after each failure and starts again from
	// MinBackoff once a connection has carried a frame. Defaults 100 ms, 5 s.
	MinBackoff, MaxBackoff time.Duration
	// DialTimeout bounds one connection attempt (default 5 s).
	DialTimeout time.Duration
	// WriteTimeout bounds one write to a device; a device that does not
	// read for that long is disconnected (default 10 s).
	WriteTimeout time.Duration
	// Queue is how many frames may wait for each device; beyond it messages
	// for that device are dropped and counted (default 256).
	Queue int
	// Logger receives connection events and skipped frames; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Stats are a bridge's counters.
type Stats struct {
	ToDevice    uint64 // frames written to devices
	FromDevice  uint64 // frames read from devices and published to Banyan
	Refused     uint64 // Banyan messages not sent: the frame would exceed Framing.Max (255 bytes in 1-byte mode)
	Dropped     uint64 // frames not sent to a device: none connected, or its queue was full
	Garbage     uint64 // frames from devices skipped: not msgpack, bad topic framing, or a length over Max (which also ends the connection)
	Denied      uint64 // frames from devices not published: their topic is not in Options.AllowTopics
	Connects    uint64 // device connections made (client) or accepted (server)
	Disconnects uint64 // device connections ended
	Devices     int    // device connections open now
	Backplane   banyan.Stats
}

// Bridge joins a Banyan backplane and TCP devices. Create it with New and
// run it with Run.
type Bridge struct {
	o    Options
	log  *slog.Logger
	comp *banyan.Component
	ln   net.Listener

	mu    sync.Mutex
	conns map[*device]struct{}

	toDevice, fromDevice, refused, dropped, garbage, denied, connects, disconnects atomic.Uint64

	life service.Lifecycle
}

// device is one open TCP connection.
type device struct {
	conn    net.Conn
	q       *service.Queue // frames for the device
	carried atomic.Bool    // a frame went either way
}

// New checks the options, connects to the backplane (subscribed and ready
// when it returns) and, in server mode, starts listening. Nothing reaches a
// device until Run.
func New(ctx context.Context, o Options) (*Bridge, error) {
	if err := o.Framing.check(); err != nil {
		return nil, err
	}
	switch o.Mode {
	case Client:
		if o.Address == "" {
			return nil, ErrNoAddress
		}
	case Server:
		if o.Address == "" {
			o.Address = DefaultListen
		}
	default:
		return nil, fmt.Errorf("tcp: unknown mode %d", int(o.Mode))
	}
	if o.AllowTopics == nil && o.PublishTopic != "" {
		o.AllowTopics = []string{o.PublishTopic}
	}
	o.AllowTopics = slices.Clone(o.AllowTopics)
	if !o.Framing.Topic {
		if o.PublishTopic == "" {
			return nil, ErrNoPublishTopic
		}
		for _, s := range o.Subscribe {
			if strings.HasPrefix(o.PublishTopic, s) {
				return nil, fmt.Errorf("%w: %q matches subscription %q", ErrLoop, o.PublishTopic, s)
			}
		}
		if !allowed(o.AllowTopics, o.PublishTopic) {
			return nil, fmt.Errorf("%w: %q, allowed %q", ErrNotAllowed, o.PublishTopic, o.AllowTopics)
		}
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 100 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Second
	}
	o.MaxBackoff = max(o.MaxBackoff, o.MinBackoff)
	if o.DialTimeout <= 0 {
		o.DialTimeout = 5 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.Queue <= 0 {
		o.Queue = 256
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	b := &Bridge{o: o, log: o.Logger.With("bridge", "tcp", "mode", o.Mode.String()), conns: map[*device]struct{}{}}

	if o.Mode == Server {
		ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", o.Address)
		if err != nil {
			return nil, fmt.Errorf("tcp: listen for devices: %w", err)
		}
		b.ln = ln
	}
	opts := append([]banyan.Option{banyan.WithLogger(o.Logger)}, o.Backplane...)
	if len(o.Subscribe) > 0 {
		opts = append(opts, banyan.WithSubscriptions(o.Subscribe...))
	}
	comp, err := banyan.Connect(ctx, opts...)
	if err != nil {
		if b.ln != nil {
			b.ln.Close()
		}
		return nil, err
	}
	b.comp = comp
	return b, nil
}

// Addr is the address devices connect to in server mode (useful with port
// 0), or nil in client mode.
func (b *Bridge) Addr() net.Addr {
	if b.ln == nil {
		return nil
	}
	return b.ln.Addr()
}

// Stats returns the counters.
func (b *Bridge) Stats() Stats {
	b.mu.Lock()
	n, connects, disconnects := len(b.conns), b.connects.Load(), b.disconnects.Load()
	b.mu.Unlock()
	return Stats{
		ToDevice:    b.toDevice.Load(),
		FromDevice:  b.fromDevice.Load(),
		Refused:     b.refused.Load(),
		Dropped:     b.dropped.Load(),
		Garbage:     b.garbage.Load(),
		Denied:      b.denied.Load(),
		Connects:    connects,
		Disconnects: disconnects,
		Devices:     n,
		Backplane:   b.comp.Stats(),
	}
}

// Run forwards in both directions until ctx ends, then closes the devices'
// connections and the backplane component and returns nil. Close also ends
// it, and then it returns banyan.ErrClosed. Run may be called once.
func (b *Bridge) Run(ctx context.Context) error {
	if err := b.life.Start(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var compErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer cancel()
		compErr = b.comp.Run(ctx, b.toDevices)
	}()
	if b.o.Framing.Topic && len(b.o.AllowTopics) == 0 {
		b.log.Warn("no topic is allowed: nothing devices send will be published (set AllowTopics)")
	}
	if b.o.Mode == Server {
		b.log.Info("listening for devices", "addr", b.ln.Addr().String())
		b.serve(ctx, &wg)
	} else {
		b.dialLoop(ctx)
	}
	cancel()
	b.mu.Lock()
	for d := range b.conns {
		d.conn.Close()
	}
	b.mu.Unlock()
	wg.Wait()
	return b.life.End(b.Close, compErr)
}

// Close disconnects from the backplane and stops listening, which also
// ends Run. A bridge that never ran must be closed; after Run it is not
// needed. It is safe to call more than once, from any goroutine.
func (b *Bridge) Close() error {
	b.life.Close(func() error {
		if b.ln != nil {
			b.ln.Close()
		}
		return b.comp.Close()
	})
	return nil
}

// toDevices encodes one Banyan message and queues it for every device.
func (b *Bridge) toDevices(m *banyan.Message) {
	frame, err := b.o.Framing.Encode(m.Topic, m.Payload)
	if err != nil {
		n := b.refused.Add(1)
		b.log.Warn("message for the device refused", "topic", m.Topic, "error", err, "refused_total", n)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.conns) == 0 {
		n := b.dropped.Add(1)
		b.log.Debug("no device connected; message dropped", "topic", m.Topic, "dropped_total", n)
		return
	}
	for d := range b.conns {
		if ok, drops := d.q.Offer(frame); !ok {
			// A slow device drops every message: Warn at its first drop
			// and every 1000th (as bridge/ws), the rest at Debug.
			n := b.dropped.Add(1)
			level := slog.LevelDebug
			if drops == 1 || drops%1000 == 0 {
				level = slog.LevelWarn
			}
			b.log.Log(context.Background(), level, "device queue full; message dropped", "device", d.conn.RemoteAddr().String(), "topic", m.Topic,
				"device_drops", drops, "dropped_total", n)
		}
	}
}

// dialLoop connects to the device, serves the connection, and starts again
// after a delay that grows while attempts fail.
func (b *Bridge) dialLoop(ctx context.Context) {
	delay := b.o.MinBackoff
	d := net.Dialer{Timeout: b.o.DialTimeout}
	for ctx.Err() == nil {
		conn, err := d.DialContext(ctx, "tcp", b.o.Address)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			b.log.Info("waiting to connect to the device", "addr", b.o.Address, "error", err, "retry_in", delay)
		} else {
			dev := b.handle(ctx, conn)
			if dev.carried.Load() {
				delay = b.o.MinBackoff
			}
			if ctx.Err() != nil {
				return
			}
			b.log.Info("reconnecting to the device", "addr", b.o.Address, "retry_in", delay)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		delay = min(2*delay, b.o.MaxBackoff)
	}
}

// serve accepts devices until ctx ends.
func (b *Bridge) serve(ctx context.Context, wg *sync.WaitGroup) {
	stop := context.AfterFunc(ctx, func() { b.ln.Close() })
	defer stop()
	delay := 5 * time.Millisecond
	for {
		conn, err := b.ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait a little.
			b.log.Warn("accept failed", "error", err, "retry_in", delay)
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			delay = min(2*delay, time.Second)
			continue
		}
		delay = 5 * time.Millisecond
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.handle(ctx, conn)
		}()
	}
}

// handle runs one device connection until it ends or ctx does: this
// goroutine reads, another writes.
func (b *Bridge) handle(ctx context.Context, conn net.Conn) *device {
	d := &device{conn: conn, q: service.NewQueue(b.o.Queue)}
	log := b.log.With("device", conn.RemoteAddr().String())
	b.mu.Lock()
	b.conns[d] = struct{}{}
	b.connects.Add(1)
	b.mu.Unlock()
	log.Info("device connected")
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		b.write(d, log)
	}()

	err := b.read(d, log)

	b.mu.Lock()
	delete(b.conns, d)
	b.disconnects.Add(1)
	b.mu.Unlock()
	d.q.Stop()
	conn.Close()
	<-writerDone
	stop()
	switch {
	case ctx.Err() != nil:
		log.Info("device connection closed")
	case errors.Is(err, io.EOF):
		log.Info("device disconnected")
	default:
		log.Warn("device connection lost", "error", err)
	}
	return d
}

// write sends queued frames to the device. A failed or timed-out write
// closes the connection, which ends the reader too.
func (b *Bridge) write(d *device, log *slog.Logger) {
	err := d.q.Run(func(f []byte) error {
		d.conn.SetWriteDeadline(time.Now().Add(b.o.WriteTimeout))
		if _, err := d.conn.Write(f); err != nil {
			return err
		}
		b.toDevice.Add(1)
		d.carried.Store(true)
		return nil
	})
	if err != nil {
		log.Warn("write to device failed; closing", "error", err)
		d.conn.Close()
	}
}

// allowed reports whether topic starts with one of the prefixes.
func allowed(prefixes []string, topic string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(topic, p) {
			return true
		}
	}
	return false
}

// logTopic is a topic as logged: a device may send one of a megabyte.
func logTopic(topic string) string {
	if len(topic) <= 64 {
		return topic
	}
	return strings.ToValidUTF8(topic[:64], "") + "..."
}

// read reads frames from the device and publishes them until the stream
// ends or fails. Bad frames and frames on topics not allowed are counted
// and skipped.
func (b *Bridge) read(d *device, log *slog.Logger) error {
	var garbage, denied service.FirstWarn // per connection
	r := bufio.NewReader(d.conn)
	for {
		body, err := b.o.Framing.ReadFrame(r)
		if err != nil {
			if errors.Is(err, ErrFrameTooLarge) {
				n := b.garbage.Add(1)
				log.Warn("frame from the device too large; closing the connection", "error", err, "garbage_total", n)
			}
			return err
		}
		if len(body) == 0 {
			continue // keep-alive
		}
		d.carried.Store(true)
		topic, payload, err := b.o.Framing.Split(body)
		if err != nil {
			n := b.garbage.Add(1)
			log.Log(context.Background(), garbage.Level(), "frame from the device skipped", "error", err,
				"bytes", len(body), "head", hex.EncodeToString(body[:min(len(body), 16)]), "garbage_total", n)
			continue
		}
		if !b.o.Framing.Topic {
			topic = b.o.PublishTopic
		}
		if !allowed(b.o.AllowTopics, topic) {
			n := b.denied.Add(1)
			log.Log(context.Background(), denied.Level(), "frame from the device not published: topic not allowed", "topic", logTopic(topic),
				"allowed", b.o.AllowTopics, "denied_total", n)
			continue
		}
		if err := b.comp.PublishRaw(topic, payload); err != nil {
			return err
		}
		b.fromDevice.Add(1)
	}
}
