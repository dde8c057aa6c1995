package mqtt

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/loopguard"
	"github.com/gobanyan/banyan/internal/service"
)

// Bridge forwards messages between a Banyan backplane and an MQTT broker.
// Its methods are safe from any goroutine.
type Bridge struct {
	o      Options
	log    *slog.Logger
	comp   *banyan.Component
	client paho.Client
	broker string // URL, for messages

	toMQTTEchoes, fromMQTTEchoes *loopguard.Guard // expected back from MQTT / from Banyan

	subscribed chan error // first subscription result after a connect
	firstSub   sync.Once
	life       service.Lifecycle

	toMQTTLog, fromMQTTLog service.FirstWarn // conversion failures

	toMQTT, fromMQTT, toMQTTErrors, fromMQTTErrors atomic.Uint64
	dropped, echoes, connects                      atomic.Uint64
}

// Stats are a bridge's counters.
type Stats struct {
	ToMQTT         uint64 // Banyan messages published to MQTT
	FromMQTT       uint64 // MQTT messages published to Banyan
	ToMQTTErrors   uint64 // Banyan messages skipped: payload or topic could not be converted
	FromMQTTErrors uint64 // MQTT messages skipped: payload or topic could not be converted
	Dropped        uint64 // Banyan messages not published: broker connection down, or publish failed
	Echoes         uint64 // the bridge's own messages come back, not forwarded again (loop guard)
	Connects       uint64 // successful broker connections (the first one and every reconnection)
	Connected      bool   // the broker connection is open now
	Backplane      banyan.Stats
}

// New connects to the backplane and to the MQTT broker, and returns
// when both are ready: the bridge's Banyan subscriptions are in place and
// the broker has acknowledged its MQTT subscriptions. From then on messages
// from MQTT are forwarded to Banyan; Run forwards messages from Banyan to
// MQTT.
//
// New retries the broker for Options.ConnectTimeout (ctx bounds the
// wait too), then fails with an error wrapping ErrBroker. A backplane that
// does not answer gives banyan.ErrBackplaneNotRunning. After Connect, a
// lost broker connection is re-established automatically (1 s back-off,
// doubling up to MaxReconnectInterval) and the subscriptions are made
// again; Banyan messages that arrive meanwhile are dropped and counted.
func New(ctx context.Context, opts Options) (*Bridge, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	b := &Bridge{
		o:              o,
		log:            o.Logger.With("component", "mqtt-bridge"),
		toMQTTEchoes:   loopguard.New(0, 0, nil),
		fromMQTTEchoes: loopguard.New(0, 0, nil),
		subscribed:     make(chan error, 1),
	}
	bopts := append([]banyan.Option{banyan.WithName("MQTT Gateway"), banyan.WithLogger(o.Logger)}, o.Backplane...)
	bopts = append(bopts, banyan.WithSubscriptions(o.BanyanSubTopics...))
	if b.comp, err = banyan.Connect(ctx, bopts...); err != nil {
		return nil, err
	}

	b.broker = brokerURL(o)
	refused := make(chan error, 1) // a connection refusal that retrying cannot cure
	if o.ClientID == "" {
		id := make([]byte, 6)
		rand.Read(id)
		o.ClientID = "banyan-mqtt-" + hex.EncodeToString(id)
		b.o.ClientID = o.ClientID
	}
	po := paho.NewClientOptions().
		AddBroker(b.broker).
		SetClientID(o.ClientID).
		SetCleanSession(!o.PersistentSession).
		SetKeepAlive(o.KeepAlive).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).
		SetConnectTimeout(min(o.ConnectTimeout, 30*time.Second)).
		SetMaxReconnectInterval(o.MaxReconnectInterval).
		SetOrderMatters(true).
		SetOnConnectHandler(b.onConnect).
		// A persistent session can deliver before onConnect has subscribed again.
		SetDefaultPublishHandler(b.handleMQTT).
		SetConnectionLostHandler(b.onLost).
		SetReconnectingHandler(func(paho.Client, *paho.ClientOptions) {
			b.log.Debug("reconnecting to the MQTT broker", "broker", b.broker)
		}).
		SetConnectionNotificationHandler(func(_ paho.Client, n paho.ConnectionNotification) {
			if f, ok := n.(paho.ConnectionNotificationFailed); ok {
				b.log.Debug("MQTT connection attempt failed", "broker", b.broker, "err", f.Reason)
				if permanent(f.Reason) {
					select {
					case refused <- f.Reason:
					default:
					}
				}
			}
		})
	if o.Username != "" {
		po.SetUsername(o.Username).SetPassword(o.Password)
	}
	if o.TLS != nil {
		po.SetTLSConfig(o.TLS)
	}
	b.client = paho.NewClient(po)

	tok := b.client.Connect()
	timer := time.NewTimer(o.ConnectTimeout)
	defer timer.Stop()
	fail := func(err error) (*Bridge, error) {
		b.client.Disconnect(0)
		// paho's connect goroutine ends after its current attempt and
		// retry pause (it completes the token then); wait, so that
		// nothing is left running.
		select {
		case <-tok.Done():
		case <-time.After(o.ConnectTimeout + 2*time.Second):
		}
		b.comp.Close()
		return nil, err
	}
	select {
	case err := <-b.subscribed:
		if err != nil {
			return fail(err)
		}
	case <-tok.Done():
		if err := tok.Error(); err != nil {
			return fail(fmt.Errorf("%w %s: %w", ErrBroker, b.broker, err))
		}
		// Connected: wait for the subscriptions made by onConnect.
		select {
		case err := <-b.subscribed:
			if err != nil {
				return fail(err)
			}
		case <-timer.C:
			return fail(fmt.Errorf("%w %s: no subscription acknowledgement within %v", ErrBroker, b.broker, o.ConnectTimeout))
		case <-ctx.Done():
			return fail(ctx.Err())
		}
	case err := <-refused:
		return fail(fmt.Errorf("%w %s: %w", ErrBroker, b.broker, err))
	case <-timer.C:
		return fail(fmt.Errorf("%w %s: not connected within %v", ErrBroker, b.broker, o.ConnectTimeout))
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	return b, nil
}

// permanent reports whether a connection failure will recur on every
// attempt: the broker refused our credentials or client id, or its TLS
// certificate does not verify.
func permanent(err error) bool {
	return errors.Is(err, packets.ErrorRefusedBadUsernameOrPassword) || errors.Is(err, packets.ErrorRefusedNotAuthorised) ||
		errors.Is(err, packets.ErrorRefusedIDRejected) || errors.Is(err, packets.ErrorRefusedBadProtocolVersion) ||
		service.BadCertificate(err)
}

// brokerURL turns Broker and Port into a URL for paho.
func brokerURL(o Options) string {
	if strings.Contains(o.Broker, "://") {
		return o.Broker
	}
	scheme := "tcp://"
	if o.TLS != nil {
		scheme = "ssl://"
	}
	return scheme + net.JoinHostPort(o.Broker, strconv.Itoa(o.Port))
}

// onConnect runs (in its own goroutine) after every successful connection:
// with a clean session the broker has forgotten our subscriptions, so they
// are made again.
func (b *Bridge) onConnect(c paho.Client) {
	n := b.connects.Add(1)
	b.log.Info("connected to the MQTT broker", "broker", b.broker, "connects", n)
	filters := make(map[string]byte, len(b.o.MQTTSubTopics))
	for _, f := range b.o.MQTTSubTopics {
		filters[f] = b.o.QoS
	}
	var err error
	if len(filters) == 0 {
		b.firstSub.Do(func() { b.subscribed <- nil })
		return
	}
	tok := c.SubscribeMultiple(filters, b.handleMQTT)
	if !tok.WaitTimeout(b.o.ConnectTimeout) {
		err = fmt.Errorf("%w %s: no subscription acknowledgement within %v", ErrBroker, b.broker, b.o.ConnectTimeout)
	} else if e := tok.Error(); e != nil {
		err = fmt.Errorf("%w %s: subscribe: %w", ErrBroker, b.broker, e)
	} else if st, ok := tok.(*paho.SubscribeToken); ok {
		for f, code := range st.Result() {
			if code == 0x80 {
				err = fmt.Errorf("%w %s: subscription to %q refused", ErrBroker, b.broker, f)
			}
		}
	}
	if err != nil {
		b.log.Error("MQTT subscribe failed", "err", err)
	} else {
		b.log.Debug("subscribed on MQTT", "filters", b.o.MQTTSubTopics)
	}
	b.firstSub.Do(func() { b.subscribed <- err })
}

func (b *Bridge) onLost(_ paho.Client, err error) {
	// Echoes of what we published on the lost connection will not come.
	b.toMQTTEchoes.Reset()
	b.log.Warn("lost the MQTT broker connection; reconnecting", "broker", b.broker, "err", err)
}

// Run forwards messages from Banyan to MQTT until ctx ends; then it
// disconnects from the broker and the backplane and returns nil. Close
// also ends it, and then it returns banyan.ErrClosed. Run may be called
// once (ErrRunning).
func (b *Bridge) Run(ctx context.Context) error {
	if err := b.life.Start(); err != nil {
		return err
	}
	return b.life.End(b.Close, b.comp.Run(ctx, b.handleBanyan))
}

// handleBanyan handles one Banyan message: convert, map, publish to MQTT.
func (b *Bridge) handleBanyan(m *banyan.Message) {
	if !b.o.noEchoGuard && b.fromMQTTEchoes.IsEcho(m.Topic, m.Payload) {
		b.echoes.Add(1)
		return
	}
	topic, err := b.mqttTopic(m.Topic)
	if err != nil {
		b.convFailed(&b.toMQTTErrors, "to MQTT", m.Topic, err)
		return
	}
	payload, err := b.toMQTTPayload(m.Payload)
	if err != nil {
		b.convFailed(&b.toMQTTErrors, "to MQTT", m.Topic, err)
		return
	}
	if !b.client.IsConnectionOpen() {
		b.drop(m.Topic, "broker connection down")
		return
	}
	echo := !b.o.noEchoGuard && b.echoesFromMQTT(topic)
	if echo {
		b.toMQTTEchoes.Expect(topic, payload)
	}
	tok := b.client.Publish(topic, b.o.QoS, b.o.Retain, payload)
	select {
	case <-tok.Done():
		if err := tok.Error(); err != nil {
			if echo {
				b.toMQTTEchoes.IsEcho(topic, payload) // it will not come back
			}
			b.drop(m.Topic, err.Error())
			return
		}
	default: // still in flight: QoS 0 is written, QoS 1/2 acknowledged, later
	}
	b.toMQTT.Add(1)
}

// handleMQTT handles one MQTT message: convert, map, publish to Banyan. It
// runs on paho's goroutine and never blocks (PublishRaw does not).
func (b *Bridge) handleMQTT(_ paho.Client, m paho.Message) {
	// paho's goroutine has no recover of its own: one bad message must
	// cost that message, not the process.
	defer func() {
		if r := recover(); r != nil {
			b.convFailed(&b.fromMQTTErrors, "from MQTT", m.Topic(), fmt.Errorf("conversion panicked: %v", r))
		}
	}()
	if !b.o.noEchoGuard && b.toMQTTEchoes.IsEcho(m.Topic(), m.Payload()) {
		b.echoes.Add(1)
		return
	}
	topic, err := b.banyanTopic(m.Topic())
	if err != nil {
		b.convFailed(&b.fromMQTTErrors, "from MQTT", m.Topic(), err)
		return
	}
	payload, err := b.fromMQTTPayload(m.Payload())
	if err != nil {
		b.convFailed(&b.fromMQTTErrors, "from MQTT", m.Topic(), err)
		return
	}
	if !b.o.noEchoGuard && b.echoesFromBanyan(topic) {
		b.fromMQTTEchoes.Expect(topic, payload)
	}
	if err := b.comp.PublishRaw(topic, payload); err != nil {
		b.convFailed(&b.fromMQTTErrors, "from MQTT", m.Topic(), err)
		return
	}
	b.fromMQTT.Add(1)
}

// convFailed counts and logs a message that could not be converted: the
// first of each direction at Warn, the rest at Debug.
func (b *Bridge) convFailed(counter *atomic.Uint64, dir, topic string, err error) {
	n := counter.Add(1)
	log := &b.fromMQTTLog
	if counter == &b.toMQTTErrors {
		log = &b.toMQTTLog
	}
	b.log.Log(context.Background(), log.Level(), "message not forwarded "+dir, "topic", topic, "err", err, "errors_total", n)
}

func (b *Bridge) drop(topic, why string) {
	n := b.dropped.Add(1)
	if n == 1 || n%1000 == 0 {
		b.log.Warn("message to MQTT dropped", "topic", topic, "why", why, "dropped_total", n)
	}
}

// Stats returns the counters.
func (b *Bridge) Stats() Stats {
	return Stats{
		ToMQTT:         b.toMQTT.Load(),
		FromMQTT:       b.fromMQTT.Load(),
		ToMQTTErrors:   b.toMQTTErrors.Load(),
		FromMQTTErrors: b.fromMQTTErrors.Load(),
		Dropped:        b.dropped.Load(),
		Echoes:         b.echoes.Load(),
		Connects:       b.connects.Load(),
		Connected:      b.client.IsConnectionOpen(),
		Backplane:      b.comp.Stats(),
	}
}

// String describes the bridge's routes, for a start-up line.
func (b *Bridge) String() string {
	to, from := b.o.MQTTPubTopic, b.o.BanyanPubTopic
	if b.o.MapToMQTT {
		to = b.o.MQTTPrefix + "<topic>"
	}
	if b.o.MapFromMQTT {
		from = b.o.BanyanPrefix + "<topic>"
	}
	return fmt.Sprintf("Banyan %q -> MQTT %s; MQTT %q -> Banyan %s; broker %s, %s, QoS %d",
		b.o.BanyanSubTopics, to, b.o.MQTTSubTopics, from, b.broker, b.o.Encoding, b.o.QoS)
}

// Options returns the options in effect, defaults filled in.
func (b *Bridge) Options() Options { return b.o }

// Close disconnects from the broker (waiting up to 250 ms for in-flight
// work) and from the backplane, which also ends Run. A bridge that never
// ran must be closed; after Run it is not needed. It is safe to call more
// than once, from any goroutine.
func (b *Bridge) Close() error {
	b.life.Close(func() error {
		b.client.Disconnect(250)
		return b.comp.Close()
	})
	return nil
}
