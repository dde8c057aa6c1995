package mqtt

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
)

// expectLine waits for the next line of p and checks it.
func expectLine(t *testing.T, p *testpeer.Proc, want string) {
	t.Helper()
	line, ok := p.Next(testTimeout)
	for ok && strings.HasPrefix(line, "test/ready") {
		// A late marker of subReady's (it publishes another every 200 ms
		// until one arrives, and drains those that follow for only 50 ms).
		line, ok = p.Next(testTimeout)
	}
	if !ok {
		t.Fatalf("no line from the MQTT subscriber; want %q", want)
	}
	if line != want {
		t.Fatalf("MQTT subscriber printed %q, want %q", line, want)
	}
}

// TestBanyanToMQTT: Python mgw's defaults, JSON as Python writes it, and
// every subscribed Banyan topic forwarded (Python forwards only "to_mqtt").
func TestBanyanToMQTT(t *testing.T) {
	br := startBroker(t)
	tb := startBackplane(t)
	b := startBridge(t, tb, br, Options{BanyanSubTopics: []string{"to_mqtt", "sensors"}, MQTTSubTopics: []string{}})
	s := br.sub("-v", "-t", "from_banyan", "-t", "test/ready")
	br.subReady(s, "test/ready", "mark")

	c := tb.component(t)
	c.PublishRaw("to_mqtt", ordered(t, "from_banyan", "hello_mqtt_world", "n", 1.0, "l", []any{1, "é"}))
	expectLine(t, s, `from_banyan {"from_banyan": "hello_mqtt_world", "n": 1.0, "l": [1, "\u00e9"]}`)
	c.PublishRaw("sensors/temp", ordered(t, "t", 21.5))
	expectLine(t, s, `from_banyan {"t": 21.5}`)
	c.PublishRaw("elsewhere", ordered(t, "x", 1)) // not subscribed: not forwarded
	c.PublishRaw("to_mqtt2", ordered(t, "prefix", true))
	expectLine(t, s, `from_banyan {"prefix": true}`) // Banyan subscriptions are prefixes
	testbp.WaitFor(t, "3 forwarded", func() bool { return b.Stats().ToMQTT == 3 })
	if st := b.Stats(); st.ToMQTTErrors != 0 || st.Dropped != 0 || !st.Connected || st.Connects != 1 {
		t.Errorf("stats: %+v", st)
	}
}

// TestMQTTToBanyan: mosquitto_pub on mgw's default topic reaches a Banyan
// subscriber on "from_mqtt", as Python's json.loads + msgpack would send it.
func TestMQTTToBanyan(t *testing.T) {
	br := startBroker(t)
	tb := startBackplane(t)
	b := startBridge(t, tb, br, Options{})
	c := tb.component(t, "from_mqtt")

	br.pub("-t", "mqtt_network", "-m", `{"from_mqtt_client": "hello", "list": [1, 2.5, null]}`)
	m := testbp.Next(t, c)
	if want := ordered(t, "from_mqtt_client", "hello", "list", []any{1, 2.5, nil}); m.Topic != "from_mqtt" || !bytes.Equal(m.Payload, want) {
		t.Fatalf("got %q % x, want from_mqtt % x", m.Topic, m.Payload, want)
	}
	br.pub("-t", "other", "-m", `{"n": 1}`) // not subscribed
	br.pub("-t", "mqtt_network", "-m", `{"n": 2}`)
	if m := testbp.Next(t, c); !bytes.Equal(m.Payload, ordered(t, "n", 2)) {
		t.Fatalf("got % x, want the second message", m.Payload)
	}
	// Counted once PublishRaw has returned, which can be after the
	// subscriber has the message: wait for the count, then check it.
	testbp.WaitFor(t, "2 counted from MQTT", func() bool { return b.Stats().FromMQTT >= 2 })
	if st := b.Stats(); st.FromMQTT != 2 || st.FromMQTTErrors != 0 {
		t.Errorf("stats: %+v", st)
	}
}

// TestTopicMappingBothWays: Banyan sensors/temp -> MQTT banyan/sensors/temp
// and MQTT banyan/actuators/led -> Banyan actuators/led.
func TestTopicMappingBothWays(t *testing.T) {
	br := startBroker(t)
	tb := startBackplane(t)
	startBridge(t, tb, br, Options{
		MapToMQTT: true, MapFromMQTT: true, MQTTPrefix: "banyan/",
		BanyanSubTopics: []string{"sensors"}, MQTTSubTopics: []string{"banyan/actuators/#"},
	})
	s := br.sub("-v", "-t", "banyan/#", "-t", "test/ready")
	br.subReady(s, "test/ready", "mark")
	c := tb.component(t, "actuators")

	c.PublishRaw("sensors/temp", ordered(t, "v", 1))
	expectLine(t, s, `banyan/sensors/temp {"v": 1}`)
	br.pub("-t", "banyan/actuators/led", "-m", `{"on": true}`)
	expectLine(t, s, `banyan/actuators/led {"on": true}`) // mosquitto_pub's own message
	if m := testbp.Next(t, c); m.Topic != "actuators/led" || !bytes.Equal(m.Payload, ordered(t, "on", true)) {
		t.Fatalf("got %q % x", m.Topic, m.Payload)
	}
}

// loopOptions maps both directions onto the same topics: everything the
// bridge publishes on one side comes back to it on that side.
func loopOptions() Options {
	return Options{
		MapToMQTT: true, MapFromMQTT: true, MQTTPrefix: "banyan/",
		BanyanSubTopics: []string{"sensors"}, MQTTSubTopics: []string{"banyan/#"},
	}
}

// TestLoopGuard: with both directions mapped onto overlapping topics, each
// message crosses once and the bridge's own echoes are counted, not
// forwarded.
func TestLoopGuard(t *testing.T) {
	br := startBroker(t)
	tb := startBackplane(t)
	b := startBridge(t, tb, br, loopOptions())
	s := br.sub("-v", "-t", "banyan/#", "-t", "test/ready")
	br.subReady(s, "test/ready", "mark")
	obs := tb.component(t, "sensors")
	c := tb.component(t)

	// From Banyan: forwarded to MQTT once; the broker's copy back to the
	// bridge is an echo.
	c.PublishRaw("sensors/temp", ordered(t, "t", 20))
	expectLine(t, s, `banyan/sensors/temp {"t": 20}`)
	if m := testbp.Next(t, obs); m.Topic != "sensors/temp" {
		t.Fatalf("observer got %q", m.Topic)
	}
	testbp.WaitFor(t, "the MQTT echo", func() bool { return b.Stats().Echoes == 1 })

	// From MQTT: forwarded to Banyan once; the backplane's copy back to
	// the bridge is an echo.
	br.pub("-t", "banyan/sensors/hum", "-m", `{"h": 40}`)
	expectLine(t, s, `banyan/sensors/hum {"h": 40}`)
	if m := testbp.Next(t, obs); m.Topic != "sensors/hum" || !bytes.Equal(m.Payload, ordered(t, "h", 40)) {
		t.Fatalf("observer got %q % x", m.Topic, m.Payload)
	}
	testbp.WaitFor(t, "the Banyan echo", func() bool { return b.Stats().Echoes == 2 })

	// The same payload again from Banyan is a new message, not an echo.
	c.PublishRaw("sensors/temp", ordered(t, "t", 20))
	expectLine(t, s, `banyan/sensors/temp {"t": 20}`)
	testbp.WaitFor(t, "the third echo", func() bool { return b.Stats().Echoes == 3 })

	// A sentinel through both paths; nothing else may have arrived before it.
	c.PublishRaw("sensors/end", ordered(t, "end", true))
	expectLine(t, s, `banyan/sensors/end {"end": true}`)
	for _, want := range []string{"sensors/temp", "sensors/end"} {
		if m := testbp.Next(t, obs); m.Topic != want {
			t.Fatalf("observer got %q, want %q (a message came round again)", m.Topic, want)
		}
	}
	testbp.WaitFor(t, "the sentinel's echo", func() bool { return b.Stats().Echoes == 4 })
	testbp.WaitFor(t, "3 counted to MQTT", func() bool { return b.Stats().ToMQTT >= 3 }) // counted after the publish
	if st := b.Stats(); st.ToMQTT != 3 || st.FromMQTT != 1 {
		t.Errorf("forwarded %d to MQTT and %d from MQTT, want 3 and 1: %+v", st.ToMQTT, st.FromMQTT, st)
	}
}

// TestLoopWithoutGuard shows what the guard prevents: the same setup
// without it sends one message round and round.
func TestLoopWithoutGuard(t *testing.T) {
	br := startBroker(t)
	tb := startBackplane(t)
	o := loopOptions()
	o.noEchoGuard = true
	b := startBridge(t, tb, br, o)
	tb.component(t).PublishRaw("sensors/temp", ordered(t, "t", 20))
	testbp.WaitFor(t, "the loop", func() bool { st := b.Stats(); return st.ToMQTT > 20 && st.FromMQTT > 20 })
}

// TestConversionErrors: unconvertible messages are logged and counted, and
// the bridge goes on.
func TestConversionErrors(t *testing.T) {
	br := startBroker(t)
	tb := startBackplane(t)
	b := startBridge(t, tb, br, Options{})
	s := br.sub("-v", "-t", "from_banyan", "-t", "test/ready")
	br.subReady(s, "test/ready", "mark")
	c := tb.component(t, "from_mqtt")

	c.PublishRaw("to_mqtt", mustMarshal(t, map[string]any{"b": []byte{1, 2}})) // bytes: not JSON
	c.PublishRaw("to_mqtt", ordered(t, "ok", 1))
	expectLine(t, s, `from_banyan {"ok": 1}`)
	br.pub("-t", "mqtt_network", "-m", `not json`)
	br.pub("-t", "mqtt_network", "-m", `{"a": 1} trailing`)
	br.pub("-t", "mqtt_network", "-m", `{"ok": 2}`)
	if m := testbp.Next(t, c); !bytes.Equal(m.Payload, ordered(t, "ok", 2)) {
		t.Fatalf("got % x", m.Payload)
	}
	testbp.WaitFor(t, "the forwarded ones counted", func() bool { st := b.Stats(); return st.ToMQTT >= 1 && st.FromMQTT >= 1 }) // after each publish
	if st := b.Stats(); st.ToMQTTErrors != 1 || st.FromMQTTErrors != 2 || st.ToMQTT != 1 || st.FromMQTT != 1 {
		t.Errorf("stats: %+v", st)
	}
}

// TestEncodings: msgpack carries the bytes unchanged both ways; raw carries
// MQTT bytes as one msgpack bin. What cannot be converted is counted.
func TestEncodings(t *testing.T) {
	br := startBroker(t)
	tb := startBackplane(t)
	c := tb.component(t, "from_mqtt")
	s := br.sub("-F", "%t %x", "-t", "from_banyan", "-t", "test/ready")
	br.subReady(s, "test/ready", "")
	dir := t.TempDir()
	pubFile := func(data []byte) {
		f := filepath.Join(dir, "payload")
		if err := os.WriteFile(f, data, 0o600); err != nil {
			t.Fatal(err)
		}
		br.pub("-t", "mqtt_network", "-f", f)
	}

	t.Run("msgpack", func(t *testing.T) {
		b := startBridge(t, tb, br, Options{Encoding: MsgPack})
		p := mustMarshal(t, map[string]any{"msg": 7, "b": []byte{0, 255}})
		c.PublishRaw("to_mqtt", p)
		expectLine(t, s, "from_banyan "+hex.EncodeToString(p))
		pubFile(p)
		if m := testbp.Next(t, c); !bytes.Equal(m.Payload, p) {
			t.Fatalf("got % x, want % x", m.Payload, p)
		}
		pubFile([]byte{0x82, 0xa1}) // truncated msgpack
		pubFile([]byte{0x01})
		if m := testbp.Next(t, c); !bytes.Equal(m.Payload, []byte{0x01}) {
			t.Fatalf("got % x", m.Payload)
		}
		if st := b.Stats(); st.FromMQTTErrors != 1 {
			t.Errorf("stats: %+v", st)
		}
	})
	t.Run("raw", func(t *testing.T) {
		b := startBridge(t, tb, br, Options{Encoding: Raw})
		c.PublishRaw("to_mqtt", mustMarshal(t, map[string]any{"not": "raw"}))
		c.PublishRaw("to_mqtt", mustMarshal(t, []byte{0, 255, 10}))
		expectLine(t, s, "from_banyan 00ff0a")
		c.PublishRaw("to_mqtt", mustMarshal(t, "text"))
		expectLine(t, s, "from_banyan 74657874")
		pubFile([]byte("\x00binary\xff"))
		if m := testbp.Next(t, c); !bytes.Equal(m.Payload, mustMarshal(t, []byte("\x00binary\xff"))) {
			t.Fatalf("got % x", m.Payload)
		}
		testbp.WaitFor(t, "2 counted to MQTT", func() bool { return b.Stats().ToMQTT >= 2 }) // after each publish
		if st := b.Stats(); st.ToMQTTErrors != 1 || st.ToMQTT != 2 {
			t.Errorf("stats: %+v", st)
		}
	})
}

// TestBrokerRestart: the broker dies and comes back on the same port while
// the bridge runs; the bridge reconnects, subscribes again, and messages
// flow both ways. What arrives from Banyan while the broker is away is
// dropped and counted.
func TestBrokerRestart(t *testing.T) {
	br := startBroker(t)
	tb := startBackplane(t)
	b := startBridge(t, tb, br, Options{})
	c := tb.component(t, "from_mqtt")
	br.pub("-t", "mqtt_network", "-m", `{"n": 0}`)
	testbp.Next(t, c)

	br.proc.Kill()
	testbp.WaitFor(t, "the bridge to see the broker gone", func() bool { return !b.Stats().Connected })
	c.PublishRaw("to_mqtt", ordered(t, "lost", true))
	testbp.WaitFor(t, "a dropped message", func() bool { return b.Stats().Dropped == 1 })
	br.start()
	t.Cleanup(func() { b.Close() }) // before the new broker process is stopped
	testbp.WaitFor(t, "the reconnection", func() bool { st := b.Stats(); return st.Connected && st.Connects == 2 })

	// MQTT -> Banyan: the subscription is made again on reconnect. The
	// SUBACK may lag the connection, so publish until one arrives.
	got := make(chan *banyan.Message, 1)
	go func() {
		select {
		case m := <-c.Messages():
			got <- m
		case <-time.After(testTimeout):
			got <- nil
		}
	}()
	var m *banyan.Message
	for i := 1; m == nil && i < 200; i++ {
		br.pub("-t", "mqtt_network", "-m", `{"n": 1}`)
		select {
		case m = <-got:
		case <-time.After(100 * time.Millisecond):
		}
	}
	if m == nil || !bytes.Equal(m.Payload, ordered(t, "n", 1)) {
		t.Fatalf("no message from MQTT after the restart (got %v)", m)
	}

	// Banyan -> MQTT.
	s := br.sub("-v", "-t", "from_banyan", "-t", "test/ready")
	br.subReady(s, "test/ready", "mark")
	c.PublishRaw("to_mqtt", ordered(t, "n", 2))
	expectLine(t, s, `from_banyan {"n": 2}`)
}

// TestConnectErrors: no broker, no backplane.
func TestConnectErrors(t *testing.T) {
	tb := startBackplane(t)
	_, err := New(context.Background(), Options{
		Backplane: tb.Options(), Broker: "127.0.0.1", Port: testbp.FreePort(t), ConnectTimeout: 500 * time.Millisecond, Logger: quietLog,
	})
	if !errors.Is(err, ErrBroker) {
		t.Errorf("no broker: %v", err)
	}
	_, err = New(context.Background(), Options{
		Backplane: []banyan.Option{banyan.WithBackplane("127.0.0.1"), banyan.WithPorts(testbp.FreePort(t), testbp.FreePort(t)), banyan.WithConnectTimeout(300 * time.Millisecond)},
		Logger:    quietLog,
	})
	if !errors.Is(err, banyan.ErrBackplaneNotRunning) {
		t.Errorf("no backplane: %v", err)
	}
	if _, err := New(context.Background(), Options{QoS: 5}); !errors.Is(err, ErrOptions) {
		t.Errorf("bad options: %v", err)
	}
	if !strings.Contains(brokerURL(Options{Broker: "ws://h:9001/mqtt"}), "ws://h:9001/mqtt") {
		t.Error("URL broker not kept")
	}
}

// TestMQTTRunOnce: Run ends when ctx does, a second Run is ErrRunning, and
// Run after Close is banyan.ErrClosed.
func TestMQTTRunOnce(t *testing.T) {
	br := startBroker(t)
	tb := startBackplane(t)
	o := Options{Backplane: tb.Options(), Broker: "127.0.0.1", Port: br.port, Logger: quietLog}
	b, err := New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Run(ctx); err != nil {
		t.Errorf("Run with an ended context: %v", err)
	}
	if err := b.Run(context.Background()); !errors.Is(err, ErrRunning) {
		t.Errorf("second Run: %v, want ErrRunning", err)
	}
	b2, err := New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	b2.Close()
	if err := b2.Run(context.Background()); !errors.Is(err, banyan.ErrClosed) {
		t.Errorf("Run after Close: %v, want banyan.ErrClosed", err)
	}
	if err := b2.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
