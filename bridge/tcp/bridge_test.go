package tcp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/bridge/tcp"
	"github.com/gobanyan/banyan/internal/testbp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quietLog = testbp.Quiet()

const wait = 10 * time.Second

// startBackplane runs one of our backplanes on free loopback ports and
// returns the options that reach it.
func startBackplane(t *testing.T) []banyan.Option {
	t.Helper()
	return testbp.Start(t, backplane.Options{}).Options()
}

// station is a Banyan component on the other side of the bridge.
func station(t *testing.T, bp []banyan.Option, topics ...string) *banyan.Component {
	t.Helper()
	return testbp.Connect(t, append(bp, banyan.WithSubscriptions(topics...))...)
}

// startBridge runs a bridge until the test ends.
func startBridge(t *testing.T, o tcp.Options) *tcp.Bridge {
	t.Helper()
	if o.Logger == nil {
		o.Logger = quietLog
	}
	if o.MinBackoff == 0 {
		o.MinBackoff = 10 * time.Millisecond
		o.MaxBackoff = 50 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	b, err := tcp.New(ctx, o)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return b
}

// device is a simulated microcontroller in client mode: a TCP server the
// bridge connects to. Each accepted connection arrives on conns.
type device struct {
	ln    net.Listener
	conns chan net.Conn
}

func newDevice(t *testing.T) *device {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &device{ln: ln, conns: make(chan net.Conn, 16)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d.conns <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		close(d.conns)
		for c := range d.conns {
			c.Close()
		}
	})
	return d
}

// waitStats waits until the bridge's counters satisfy ok (counters trail
// the bytes a peer sees by a moment).
func waitStats(t *testing.T, b *tcp.Bridge, ok func(s tcp.Stats) bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for s := b.Stats(); !ok(s); s = b.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v", s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (d *device) addr() string { return d.ln.Addr().String() }

// accept waits for the bridge's next connection.
func (d *device) accept(t *testing.T) net.Conn {
	t.Helper()
	select {
	case c := <-d.conns:
		t.Cleanup(func() { c.Close() })
		return c
	case <-time.After(wait):
		t.Fatal("the bridge did not connect within 10 s")
	}
	return nil
}

// readBytes reads exactly n bytes from a device connection.
func readBytes(t *testing.T, c net.Conn, n int) []byte {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(wait))
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatalf("device read: %v", err)
	}
	return b
}

func readFrame(t *testing.T, c net.Conn, f tcp.Framing) []byte {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(wait))
	body, err := f.ReadFrame(c)
	if err != nil {
		t.Fatalf("device read: %v", err)
	}
	return body
}

func write(t *testing.T, c net.Conn, b ...byte) {
	t.Helper()
	if _, err := c.Write(b); err != nil {
		t.Fatalf("device write: %v", err)
	}
}

// {'pico_data': 1} framed as tgw's devices send it.
var picoData1 = []byte{0x0c, 0x81, 0xa9, 'p', 'i', 'c', 'o', '_', 'd', 'a', 't', 'a', 0x01}

func tgwOptions(bp []banyan.Option, addr string) tcp.Options {
	return tcp.Options{Address: addr, Subscribe: []string{"figura", "leds"}, PublishTopic: "from_pico", Backplane: bp}
}

func TestClientBothDirections(t *testing.T) {
	bp := startBackplane(t)
	dev := newDevice(t)
	st := station(t, bp, "from_pico")
	b := startBridge(t, tgwOptions(bp, dev.addr()))
	conn := dev.accept(t)

	// Device -> Banyan: the frame's body, published as it is on -e.
	write(t, conn, picoData1...)
	m := testbp.Next(t, st)
	if m.Topic != "from_pico" || !bytes.Equal(m.Payload, picoData1[1:]) {
		t.Fatalf("got %q % x", m.Topic, m.Payload)
	}

	// Banyan -> device: length byte and payload, no topic, from every
	// subscribed topic.
	st.PublishRaw("figura", led0)
	if got, want := readBytes(t, conn, 9), append([]byte{0x08}, led0...); !bytes.Equal(got, want) {
		t.Fatalf("device got % x, want % x", got, want)
	}
	st.Publish("leds", map[string]any{"Led_1": 1})
	if got := readFrame(t, conn, tcp.Framing{}); !bytes.Equal(got, []byte{0x81, 0xa5, 'L', 'e', 'd', '_', '1', 0x01}) {
		t.Fatalf("device got % x", got)
	}
	// An unsubscribed topic does not reach the device: the next frame it
	// reads is the one after.
	st.PublishRaw("other", []byte{0x07})
	st.PublishRaw("figura", []byte{0x08})
	if got := readFrame(t, conn, tcp.Framing{}); !bytes.Equal(got, []byte{0x08}) {
		t.Fatalf("device got % x, want 08", got)
	}

	waitStats(t, b, func(s tcp.Stats) bool {
		return s.FromDevice == 1 && s.ToDevice == 3 && s.Connects == 1 && s.Devices == 1 && s.Garbage == 0 && s.Refused == 0
	})
}

func TestReconnectAfterEOF(t *testing.T) {
	bp := startBackplane(t)
	dev := newDevice(t)
	st := station(t, bp, "from_pico")
	b := startBridge(t, tgwOptions(bp, dev.addr()))

	// The device closes cleanly; then a new connection dies inside a frame.
	dev.accept(t).Close()
	c2 := dev.accept(t)
	write(t, c2, 0x08, 0x81, 0xa5)
	c2.Close()

	// The bridge comes back, and the first message on from_pico is the one
	// sent on the third connection: no empty or partial message in between
	// (tgw publishes empty payloads in a loop after EOF).
	c3 := dev.accept(t)
	write(t, c3, picoData1...)
	if m := testbp.Next(t, st); !bytes.Equal(m.Payload, picoData1[1:]) {
		t.Fatalf("got % x", m.Payload)
	}
	testbp.WaitFor(t, "two disconnects", func() bool { return b.Stats().Disconnects == 2 })
	waitStats(t, b, func(s tcp.Stats) bool {
		return s.Connects == 3 && s.FromDevice == 1 && s.Garbage == 0 && s.Devices == 1
	})
	// And Banyan -> device works on the new connection.
	st.PublishRaw("figura", led0)
	if got := readFrame(t, c3, tcp.Framing{}); !bytes.Equal(got, led0) {
		t.Fatalf("device got % x", got)
	}
}

func TestRetriesUntilDeviceListens(t *testing.T) {
	bp := startBackplane(t)
	// A free port with nothing listening yet.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	st := station(t, bp, "from_pico")
	b := startBridge(t, tgwOptions(bp, addr))

	// Messages while no device is connected are dropped and counted.
	st.PublishRaw("figura", led0)
	testbp.WaitFor(t, "a dropped message", func() bool { return b.Stats().Dropped == 1 })

	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s was taken meanwhile: %v", addr, err)
	}
	defer ln.Close()
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	write(t, conn, picoData1...)
	if m := testbp.Next(t, st); !bytes.Equal(m.Payload, picoData1[1:]) {
		t.Fatalf("got % x", m.Payload)
	}
}

func TestOversizeRefused(t *testing.T) {
	bp := startBackplane(t)
	dev := newDevice(t)
	st := station(t, bp)
	b := startBridge(t, tgwOptions(bp, dev.addr()))
	conn := dev.accept(t)
	testbp.WaitFor(t, "the device connection", func() bool { return b.Stats().Devices == 1 })

	st.PublishRaw("figura", binPayload(254)) // 256 bytes: too big for one length byte
	testbp.WaitFor(t, "a refused message", func() bool { return b.Stats().Refused == 1 })
	st.PublishRaw("figura", binPayload(253)) // 255 bytes: the largest that fits
	got := readBytes(t, conn, 256)
	if got[0] != 0xff || !bytes.Equal(got[1:], binPayload(253)) {
		t.Fatalf("device got % x...", got[:8])
	}
	waitStats(t, b, func(s tcp.Stats) bool { return s.ToDevice == 1 && s.Refused == 1 && s.Devices == 1 })
}

func TestLongLengthModes(t *testing.T) {
	for _, n := range []int{2, 4} {
		t.Run(fmt.Sprint(n, " bytes"), func(t *testing.T) {
			bp := startBackplane(t)
			dev := newDevice(t)
			st := station(t, bp, "from_pico")
			o := tgwOptions(bp, dev.addr())
			o.Framing = tcp.Framing{LengthBytes: n}
			startBridge(t, o)
			conn := dev.accept(t)

			big := binPayload(1000)
			frame := make([]byte, n)
			frame[n-2], frame[n-1] = byte(len(big)>>8), byte(len(big))
			frame = append(frame, big...)
			write(t, conn, frame...)
			if m := testbp.Next(t, st); !bytes.Equal(m.Payload, big) {
				t.Fatalf("got %d bytes", len(m.Payload))
			}
			st.PublishRaw("figura", big)
			if got := readBytes(t, conn, len(frame)); !bytes.Equal(got, frame) {
				t.Fatalf("device got % x...", got[:8])
			}
		})
	}
}

func TestGarbageSkipped(t *testing.T) {
	bp := startBackplane(t)
	dev := newDevice(t)
	st := station(t, bp, "from_pico")
	b := startBridge(t, tgwOptions(bp, dev.addr()))
	conn := dev.accept(t)

	write(t, conn, 0x01, 0xc1)                    // a byte msgpack never uses
	write(t, conn, 0x05, 'h', 'e', 'l', 'l', 'o') // text
	write(t, conn, 0x02, 0x01, 0x02)              // two values
	write(t, conn, 0x00)                          // keep-alive: ignored, not garbage
	write(t, conn, picoData1...)
	if m := testbp.Next(t, st); !bytes.Equal(m.Payload, picoData1[1:]) {
		t.Fatalf("got % x, want the good frame", m.Payload)
	}
	waitStats(t, b, func(s tcp.Stats) bool {
		return s.Garbage == 3 && s.FromDevice == 1 && s.Connects == 1 && s.Disconnects == 0
	})
	// The connection is still good both ways.
	st.PublishRaw("figura", led0)
	if got := readFrame(t, conn, tcp.Framing{}); !bytes.Equal(got, led0) {
		t.Fatalf("device got % x", got)
	}
}

func TestHugeLengthClosesConnection(t *testing.T) {
	bp := startBackplane(t)
	dev := newDevice(t)
	st := station(t, bp, "from_pico")
	o := tgwOptions(bp, dev.addr())
	o.Framing = tcp.Framing{LengthBytes: 4, MaxFrame: 4096}
	b := startBridge(t, o)

	c1 := dev.accept(t)
	write(t, c1, 0x7f, 0xff, 0xff, 0xff, 0x81) // a length no device means
	// The bridge drops that stream (it cannot find the next frame) and
	// connects again.
	c2 := dev.accept(t)
	write(t, c2, 0, 0, 0, 0x0c)
	write(t, c2, picoData1[1:]...)
	if m := testbp.Next(t, st); !bytes.Equal(m.Payload, picoData1[1:]) {
		t.Fatalf("got % x", m.Payload)
	}
	waitStats(t, b, func(s tcp.Stats) bool { return s.Garbage == 1 && s.Connects == 2 && s.FromDevice == 1 })
}

func TestServerMode(t *testing.T) {
	bp := startBackplane(t)
	st := station(t, bp, "from_pico")
	o := tgwOptions(bp, "127.0.0.1:0")
	o.Mode = tcp.Server
	b := startBridge(t, o)

	dial := func() net.Conn {
		c, err := net.Dial("tcp", b.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	d1, d2 := dial(), dial()
	testbp.WaitFor(t, "two devices", func() bool { return b.Stats().Devices == 2 })

	st.PublishRaw("figura", led0)
	for i, c := range []net.Conn{d1, d2} {
		if got := readFrame(t, c, tcp.Framing{}); !bytes.Equal(got, led0) {
			t.Fatalf("device %d got % x", i, got)
		}
	}
	for i, c := range []net.Conn{d1, d2} {
		write(t, c, 0x01, byte(i))
		if m := testbp.Next(t, st); !bytes.Equal(m.Payload, []byte{byte(i)}) {
			t.Fatalf("from device %d: % x", i, m.Payload)
		}
	}

	// One leaves; the other still gets messages.
	d1.Close()
	testbp.WaitFor(t, "one device", func() bool { return b.Stats().Devices == 1 })
	st.PublishRaw("leds", []byte{0x05})
	if got := readFrame(t, d2, tcp.Framing{}); !bytes.Equal(got, []byte{0x05}) {
		t.Fatalf("device 2 got % x", got)
	}
	// And a new one can join.
	d3 := dial()
	testbp.WaitFor(t, "two devices again", func() bool { return b.Stats().Devices == 2 })
	write(t, d3, 0x01, 0x03)
	if m := testbp.Next(t, st); !bytes.Equal(m.Payload, []byte{0x03}) {
		t.Fatalf("from device 3: % x", m.Payload)
	}
	waitStats(t, b, func(s tcp.Stats) bool { return s.Connects == 3 && s.Disconnects == 1 })
}

func TestTopicFraming(t *testing.T) {
	bp := startBackplane(t)
	dev := newDevice(t)
	st := station(t, bp, "sensors/")
	f := tcp.Framing{Topic: true}
	b := startBridge(t, tcp.Options{Address: dev.addr(), Subscribe: []string{"cmd/"}, Framing: f, AllowTopics: []string{"sensors/"}, Backplane: bp})
	conn := dev.accept(t)

	// Device -> Banyan on the topics the device names: [topic, payload].
	for _, topic := range []string{"sensors/temp", "sensors/light"} {
		frame, _ := f.Encode(topic, []byte{0xcb, 0x40, 0x35, 0x80, 0, 0, 0, 0, 0}) // 21.5
		write(t, conn, frame...)
		m := testbp.Next(t, st)
		if m.Topic != topic {
			t.Fatalf("topic %q, want %q", m.Topic, topic)
		}
		if v, err := m.Value(); err != nil || v != 21.5 {
			t.Fatalf("payload %v %v", v, err)
		}
	}
	// A frame without the [topic, payload] shape, or on a reserved topic,
	// is garbage.
	write(t, conn, append([]byte{0x08}, led0...)...)
	bad, _ := f.Encode("__banyan/probe/x", led0)
	write(t, conn, bad...)
	// Topics outside AllowTopics are not published.
	for _, topic := range []string{"killall", "sensor", "cmd/led"} {
		denied, _ := f.Encode(topic, led0)
		write(t, conn, denied...)
	}
	good, _ := f.Encode("sensors/ok", led0)
	write(t, conn, good...)
	if m := testbp.Next(t, st); m.Topic != "sensors/ok" {
		t.Fatalf("topic %q", m.Topic)
	}
	waitStats(t, b, func(s tcp.Stats) bool { return s.Garbage == 2 && s.Denied == 3 && s.FromDevice == 3 })

	// Banyan -> device keeps the topic.
	st.PublishRaw("cmd/led", led0)
	got := readFrame(t, conn, f)
	want := append([]byte{0x92, 0xa7, 'c', 'm', 'd', '/', 'l', 'e', 'd'}, led0...)
	if !bytes.Equal(got, want) {
		t.Fatalf("device got % x, want % x", got, want)
	}
}

func TestSlowDeviceDropsNotStalls(t *testing.T) {
	bp := startBackplane(t)
	dev := newDevice(t)
	st := station(t, bp)
	o := tgwOptions(bp, dev.addr())
	o.Framing = tcp.Framing{LengthBytes: 4}
	o.Queue = 1
	b := startBridge(t, o)
	conn := dev.accept(t) // and never read
	testbp.WaitFor(t, "the device connection", func() bool { return b.Stats().Devices == 1 })

	big := binPayload(60000)
	for i := 0; b.Stats().Dropped == 0; i++ {
		if i == 5000 {
			t.Fatalf("no drop after %d messages: %+v", i, b.Stats())
		}
		st.PublishRaw("figura", big)
		if i%50 == 49 {
			time.Sleep(10 * time.Millisecond) // let the bridge catch up
		}
	}
	// The bridge still forwards the other way.
	write(t, conn, 0, 0, 0, 1, 0x2a)
	testbp.WaitFor(t, "the device's frame", func() bool { return b.Stats().FromDevice == 1 })
}

func TestNewErrors(t *testing.T) {
	bp := startBackplane(t)
	ctx := context.Background()
	cases := []struct {
		o    tcp.Options
		want error
	}{
		{tcp.Options{Subscribe: []string{"figura"}, PublishTopic: "from_pico"}, tcp.ErrNoAddress},
		{tcp.Options{Address: "127.0.0.1:1", Subscribe: []string{"figura"}}, tcp.ErrNoPublishTopic},
		{tcp.Options{Address: "127.0.0.1:1", Subscribe: []string{"from"}, PublishTopic: "from_pico"}, tcp.ErrLoop},
		{tcp.Options{Address: "127.0.0.1:1", Subscribe: []string{""}, PublishTopic: "from_pico"}, tcp.ErrLoop},
		{tcp.Options{Address: "127.0.0.1:1", PublishTopic: "from_pico", AllowTopics: []string{"sensors/"}}, tcp.ErrNotAllowed},
		{tcp.Options{Address: "127.0.0.1:1", PublishTopic: "from_pico", AllowTopics: []string{}}, tcp.ErrNotAllowed},
		{tcp.Options{Address: "127.0.0.1:1", PublishTopic: "p", Backplane: []banyan.Option{
			banyan.WithBackplane("127.0.0.1"), banyan.WithPorts(testbp.FreePort(t), testbp.FreePort(t)),
			banyan.WithConnectTimeout(200 * time.Millisecond), banyan.WithLogger(quietLog)}}, banyan.ErrBackplaneNotRunning},
	}
	for i, c := range cases {
		b, err := tcp.New(ctx, c.o)
		if !errors.Is(err, c.want) {
			if b != nil {
				b.Close()
			}
			t.Errorf("%d: New = %v, want %v", i, err, c.want)
		}
	}
	if _, err := tcp.New(ctx, tcp.Options{Address: "x:1", PublishTopic: "p", Framing: tcp.Framing{LengthBytes: 3}}); err == nil {
		t.Error("a 3-byte length field was accepted")
	}
	// With topic framing no publishing topic is needed, and no loop check applies.
	b, err := tcp.New(ctx, tcp.Options{Address: "127.0.0.1:1", Subscribe: []string{""}, Framing: tcp.Framing{Topic: true}, Backplane: bp})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	if err := b.Run(ctx); !errors.Is(err, banyan.ErrClosed) {
		t.Fatalf("Run after Close: %v", err)
	}
}

func TestCloseEndsRun(t *testing.T) {
	bp := startBackplane(t)
	o := tgwOptions(bp, "127.0.0.1:0")
	o.Mode = tcp.Server
	o.Logger = quietLog
	b, err := tcp.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Run(context.Background()) }()
	c, err := net.Dial("tcp", b.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	testbp.WaitFor(t, "the device", func() bool { return b.Stats().Devices == 1 })
	if err := b.Run(context.Background()); !errors.Is(err, tcp.ErrRunning) {
		t.Fatalf("second Run: %v", err)
	}
	b.Close()
	select {
	case err := <-done:
		if !errors.Is(err, banyan.ErrClosed) {
			t.Fatalf("Run = %v, want ErrClosed", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not return after Close")
	}
	// The device sees its connection end.
	c.SetReadDeadline(time.Now().Add(wait))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("device read after Close: %v, want EOF", err)
	}
}

// With topic framing and no AllowTopics, devices may publish only under
// the publishing topic: not killall, not a component's command topic. A
// refusal is counted and logged, the first of a connection at Warn, the
// rest at Debug, and the connection goes on.
func TestTopicFramingDefaultAllowsOnlyPublishTopic(t *testing.T) {
	bp := startBackplane(t)
	dev := newDevice(t)
	st := station(t, bp, "")
	f := tcp.Framing{Topic: true}
	var logs testbp.Buffer
	o := tcp.Options{Address: dev.addr(), PublishTopic: "from_pico", Framing: f, Backplane: bp,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	b := startBridge(t, o)
	conn := dev.accept(t)
	for _, topic := range []string{"killall", "motors/left", "from_pic", "from_pico/temp"} {
		frame, _ := f.Encode(topic, []byte{0x01})
		write(t, conn, frame...)
	}
	for m := testbp.Next(t, st); m.Topic != "from_pico/temp"; m = testbp.Next(t, st) {
		if !strings.HasPrefix(m.Topic, "__banyan/") {
			t.Fatalf("published %q", m.Topic)
		}
	}
	waitStats(t, b, func(s tcp.Stats) bool {
		return s.Denied == 3 && s.FromDevice == 1 && s.Garbage == 0 && s.Disconnects == 0
	})
	l := logs.String()
	if strings.Count(l, "level=WARN msg=\"frame from the device not published: topic not allowed\"") != 1 ||
		strings.Count(l, "level=DEBUG msg=\"frame from the device not published: topic not allowed\"") != 2 ||
		!strings.Contains(l, "topic=killall") {
		t.Errorf("logs:\n%s", l)
	}
}

// A server-mode bridge without an address listens on loopback only.
func TestServerDefaultsToLoopback(t *testing.T) {
	bp := startBackplane(t)
	b, err := tcp.New(context.Background(), tcp.Options{Mode: tcp.Server, PublishTopic: "from_pico", Backplane: bp, Logger: quietLog})
	if errors.Is(err, syscall.EADDRINUSE) {
		t.Skipf("port %d is taken on this machine: %v", tcp.DefaultPort, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := b.Addr().String(); got != tcp.DefaultListen || got != "127.0.0.1:"+strconv.Itoa(tcp.DefaultPort) {
		t.Fatalf("listening on %s, want %s", got, tcp.DefaultListen)
	}
}
