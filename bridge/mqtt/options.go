package mqtt

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/service"
)

// Python mgw's defaults.
const (
	DefaultBroker         = "localhost"
	DefaultPort           = 1883
	DefaultBanyanSubTopic = "to_mqtt"
	DefaultBanyanPubTopic = "from_mqtt"
	DefaultMQTTPubTopic   = "from_banyan"
	DefaultMQTTSubTopic   = "mqtt_network"
)

// Errors.
var (
	// ErrOptions wraps every problem with Options found by Connect.
	ErrOptions = errors.New("mqtt bridge: invalid options")
	// ErrBroker is returned by Connect when the MQTT broker cannot be
	// reached, refuses the connection or refuses a subscription.
	ErrBroker = errors.New("mqtt bridge: MQTT broker")
	// ErrRunning is a second call to Run (the sentinel all bridges share).
	ErrRunning = service.ErrRunning
	// ErrConversion wraps every payload that cannot be converted between
	// msgpack and the MQTT encoding.
	ErrConversion = errors.New("mqtt bridge: payload cannot be converted")
	// ErrTopic wraps every topic that cannot be mapped to the other side.
	ErrTopic = errors.New("mqtt bridge: topic cannot be mapped")
)

// Encoding says how payloads are carried on MQTT. Banyan payloads are
// always msgpack.
type Encoding string

const (
	// JSON is Python mgw's encoding: to MQTT the msgpack payload is
	// written as json.dumps writes it (see MsgpackToJSON); from MQTT the
	// text is parsed as json.loads parses it (see JSONToMsgpack). Payloads
	// JSON cannot carry (bytes) and text that is not JSON are conversion
	// errors.
	JSON Encoding = "json"
	// MsgPack carries the msgpack bytes unchanged both ways (as Python
	// Banyan's MQTT benchmark does with umsgpack). From MQTT, payloads
	// that are not one well-formed msgpack value are conversion errors.
	MsgPack Encoding = "msgpack"
	// Raw carries arbitrary MQTT payload bytes as one msgpack bin value (a
	// Python Banyan handler gets bytes). To MQTT, a Banyan payload that is
	// a bin or a str is sent as its bytes; anything else is a conversion
	// error.
	Raw Encoding = "raw"
)

// Options configures a bridge. The zero value (after defaults) behaves as
// Python's mgw with no arguments, except that every subscribed Banyan topic
// is forwarded, not only the literal "to_mqtt".
type Options struct {
	// Backplane configures the bridge's Banyan component
	// (banyan.WithBackplane, banyan.WithPorts, banyan.WithName, ...). The
	// bridge adds its subscriptions and, unless given here, its name ("MQTT
	// Gateway") and logger.
	Backplane []banyan.Option
	// BanyanSubTopics are the Banyan topics (prefixes, as every Banyan
	// subscription) forwarded to MQTT (mgw -g). Default ["to_mqtt"].
	BanyanSubTopics []string
	// BanyanPubTopic is the Banyan topic of messages from MQTT when
	// MapFromMQTT is off (mgw -e). Default "from_mqtt".
	BanyanPubTopic string

	// Broker is the broker's host name or IP address (mgw -a), or a URL
	// with its own port (tcp://, mqtt://, ssl://, mqtts://, ws://, wss://;
	// the scheme decides TLS). Default "localhost".
	Broker string
	// Port is the broker's port when Broker is not a URL (mgw -d).
	// Default 1883.
	Port int
	// MQTTPubTopic is the MQTT topic of messages from Banyan when MapToMQTT
	// is off (mgw -i). Default "from_banyan".
	MQTTPubTopic string
	// MQTTSubTopics are the MQTT topic filters subscribed to and forwarded
	// to Banyan (mgw -j); '+' and '#' wildcards are allowed. Default
	// ["mqtt_network"]; an empty non-nil slice forwards nothing from MQTT
	// (and an empty non-nil BanyanSubTopics nothing from Banyan).
	MQTTSubTopics []string

	// MapToMQTT keeps the Banyan topic: a message on Banyan topic
	// BanyanPrefix+X goes to MQTT topic MQTTPrefix+X (a topic without
	// BanyanPrefix is taken whole as X) instead of MQTTPubTopic.
	MapToMQTT bool
	// MapFromMQTT keeps the MQTT topic: a message on MQTT topic
	// MQTTPrefix+X goes to Banyan topic BanyanPrefix+X (a topic without
	// MQTTPrefix is taken whole as X) instead of BanyanPubTopic.
	MapFromMQTT bool
	// MQTTPrefix and BanyanPrefix relate the topics of the two sides when
	// mapping: for example MQTTPrefix "banyan/" maps Banyan "sensors/temp"
	// to MQTT "banyan/sensors/temp" and back.
	MQTTPrefix, BanyanPrefix string

	// Encoding of payloads on MQTT. Default JSON.
	Encoding Encoding
	// QoS for publishing and subscribing on MQTT: 0, 1 or 2. Default 0.
	QoS byte
	// Retain sets the retain flag on what the bridge publishes to MQTT.
	Retain bool
	// ClientID is the MQTT client identifier. Default "banyan-mqtt-"
	// followed by random hex digits.
	ClientID string
	// Username and Password authenticate to the broker when Username is
	// not empty.
	Username, Password string
	// TLS, when not nil, connects with TLS (a broker given as a host then
	// uses ssl://).
	TLS *tls.Config
	// PersistentSession asks the broker to keep the session (subscriptions
	// and QoS 1/2 messages) while the bridge is away: MQTT clean session
	// off. It needs a fixed ClientID.
	PersistentSession bool
	// KeepAlive is the MQTT keepalive. Default 60 s, as mgw.
	KeepAlive time.Duration
	// ConnectTimeout bounds Connect's wait for the broker (it retries
	// within it). Default 10 s.
	ConnectTimeout time.Duration
	// MaxReconnectInterval caps the back-off between reconnection attempts
	// after the broker connection is lost (1 s, doubling). Default 30 s.
	MaxReconnectInterval time.Duration

	// Logger gets connection events and conversion errors; nil means
	// slog.Default().
	Logger *slog.Logger

	// noEchoGuard disables the loop guard (a test shows what it prevents).
	noEchoGuard bool
}

// withDefaults fills in defaults and checks the options.
func (o Options) withDefaults() (Options, error) {
	if o.BanyanSubTopics == nil {
		o.BanyanSubTopics = []string{DefaultBanyanSubTopic}
	}
	o.BanyanSubTopics = slices.Clone(o.BanyanSubTopics)
	if o.BanyanPubTopic == "" {
		o.BanyanPubTopic = DefaultBanyanPubTopic
	}
	if o.Broker == "" {
		o.Broker = DefaultBroker
	}
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.MQTTPubTopic == "" {
		o.MQTTPubTopic = DefaultMQTTPubTopic
	}
	if o.MQTTSubTopics == nil {
		o.MQTTSubTopics = []string{DefaultMQTTSubTopic}
	}
	o.MQTTSubTopics = slices.Clone(o.MQTTSubTopics)
	if o.Encoding == "" {
		o.Encoding = JSON
	}
	if o.KeepAlive == 0 {
		o.KeepAlive = 60 * time.Second
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = 10 * time.Second
	}
	if o.MaxReconnectInterval == 0 {
		o.MaxReconnectInterval = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}

	switch o.Encoding {
	case JSON, MsgPack, Raw:
	default:
		return o, fmt.Errorf("%w: encoding %q (want json, msgpack or raw)", ErrOptions, o.Encoding)
	}
	if o.QoS > 2 {
		return o, fmt.Errorf("%w: QoS %d (want 0, 1 or 2)", ErrOptions, o.QoS)
	}
	if o.Port < 0 || o.Port > 65535 {
		return o, fmt.Errorf("%w: port %d", ErrOptions, o.Port)
	}
	if o.PersistentSession && o.ClientID == "" {
		return o, fmt.Errorf("%w: a persistent session needs a client id", ErrOptions)
	}
	if len(o.ClientID) > maxTopicLen {
		return o, fmt.Errorf("%w: client id longer than %d bytes", ErrOptions, maxTopicLen)
	}
	for _, f := range o.MQTTSubTopics {
		if err := checkFilter(f); err != nil {
			return o, err
		}
	}
	if !o.MapToMQTT {
		if err := checkPubTopic(o.MQTTPubTopic); err != nil {
			return o, fmt.Errorf("%w: %w", ErrOptions, err)
		}
	}
	if o.MapToMQTT && o.MQTTPrefix != "" {
		// The prefix must itself be a valid start of a topic name.
		if err := checkPubTopic(o.MQTTPrefix); err != nil {
			return o, fmt.Errorf("%w: MQTT prefix: %w", ErrOptions, err)
		}
	}
	return o, nil
}

// TLSConfig builds a TLS configuration from PEM files: caFile (the
// broker's CA; empty means the system roots), certFile and keyFile (a
// client certificate, both or neither) and insecure (skip verifying the
// broker's certificate: for tests only). Errors wrap ErrOptions.
func TLSConfig(caFile, certFile, keyFile string, insecure bool) (*tls.Config, error) {
	c, err := service.ClientTLS(caFile, certFile, keyFile, insecure)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOptions, err)
	}
	return c, nil
}
