package main

import (
	"fmt"
	"os"
	"time"

	"github.com/gobanyan/banyan/bridge/mqtt"
	"github.com/spf13/cobra"
)

// envMQTTPassword supplies the broker password without showing it in ps.
const envMQTTPassword = "BANYAN_MQTT_PASSWORD"

type mqttFlags struct {
	comp                         componentFlags
	broker                       string
	port                         int
	banyanSub, mqttSub           []string
	banyanPub, mqttPub           string
	loopTime                     float64
	mapBoth, mapTo, mapFrom      bool
	mqttPrefix, banyanPrefix     string
	encoding                     string
	qos                          int
	retain, persistent           bool
	clientID, username, password string
	tls                          tlsClientFlags
	keepAlive, connectTimeout    time.Duration // connectTimeout: the broker's
}

func newMQTTCmd() *cobra.Command { return mqttCommand(&mqttFlags{}) }

// mqttCommand builds the command around f, which receives the flags.
func mqttCommand(f *mqttFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mqtt",
		Short: "Bridge Banyan and an MQTT broker, both ways (Python's mgw)",
		Long: `Bridge a Banyan backplane and an MQTT broker, both ways, with the flags and
defaults of Python Banyan's MQTT gateway (mgw):

  Banyan topics -g (default to_mqtt)  ->  MQTT topic -i (default from_banyan)
  MQTT filters  -j (default mqtt_network)  ->  Banyan topic -e (default from_mqtt)

Unlike mgw, every -g topic is forwarded (mgw forwards only "to_mqtt"), and
-b, -n and -d are honoured. As in mgw, -g and -j take several values
("-g a b"); repeating the flag ("-g a -g b") works too.

--map keeps topics instead of using -i and -e: Banyan <banyan-prefix>X <->
MQTT <mqtt-prefix>X, for example with --mqtt-prefix banyan/ Banyan
sensors/temp <-> MQTT banyan/sensors/temp. Messages the bridge itself
published that come back to it are recognised and not forwarded again, so
overlapping topics cannot loop.

Payloads are JSON as Python writes it (--encoding json), the msgpack bytes
unchanged (msgpack), or any bytes carried as msgpack bin (raw). Messages
that cannot be converted are logged, counted and skipped. The broker
connection is re-established when lost.`,
		Example: `  banyan mqtt                                   # mgw's defaults, broker on localhost:1883
  banyan mqtt -a broker.lan -g to_mqtt sensors   # forward two Banyan topics
  banyan mqtt --map --mqtt-prefix banyan/ -g sensors -j 'banyan/actuators/#'
  banyan mqtt -a mqtts://broker:8883 --cafile ca.pem --username u   # password from $` + envMQTTPassword,
		// Flags are parsed in RunE, after turning Python's "-g a b" into
		// "-g a -g b" (pflag takes one value per flag).
		DisableFlagParsing: true,
		RunE: withNargs(func(cmd *cobra.Command) error {
			o, err := f.options()
			if err != nil {
				return err
			}
			b, err := mqtt.New(cmd.Context(), o)
			if err != nil {
				return err
			}
			defer b.Close()
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", f.comp.name, b)
			err = b.Run(cmd.Context())
			st := b.Stats()
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: %d to MQTT, %d from MQTT, %d/%d not convertible, %d dropped, %d echoes, %d connections\n",
				f.comp.name, st.ToMQTT, st.FromMQTT, st.ToMQTTErrors, st.FromMQTTErrors, st.Dropped, st.Echoes, st.Connects)
			return err
		}, "banyan-topics", "mqtt-topics"),
	}
	addComponentFlags(cmd, &f.comp, "MQTT Gateway")
	fs := cmd.Flags()
	fs.StringVarP(&f.broker, "broker", "a", mqtt.DefaultBroker, "MQTT broker host or address, or a URL whose scheme decides TLS (tcp://, mqtt://, ssl://, mqtts://, ws://, wss://)")
	fs.IntVarP(&f.port, "mqtt-port", "d", mqtt.DefaultPort, "MQTT broker port")
	fs.StringArrayVarP(&f.banyanSub, "banyan-topics", "g", []string{mqtt.DefaultBanyanSubTopic}, "Banyan topics (prefixes) to forward to MQTT")
	fs.StringVarP(&f.banyanPub, "banyan-pub-topic", "e", mqtt.DefaultBanyanPubTopic, "Banyan topic for messages from MQTT (without --map)")
	fs.StringVarP(&f.mqttPub, "mqtt-pub-topic", "i", mqtt.DefaultMQTTPubTopic, "MQTT topic for messages from Banyan (without --map)")
	fs.StringArrayVarP(&f.mqttSub, "mqtt-topics", "j", []string{mqtt.DefaultMQTTSubTopic}, "MQTT topic filters to forward to Banyan (+ and # allowed)")
	addLoopTimeFlag(cmd, &f.loopTime, 0.1)
	fs.BoolVar(&f.mapBoth, "map", false, "keep topics both ways (--map-to-mqtt and --map-from-mqtt)")
	fs.BoolVar(&f.mapTo, "map-to-mqtt", false, "Banyan topic <banyan-prefix>X goes to MQTT topic <mqtt-prefix>X instead of -i")
	fs.BoolVar(&f.mapFrom, "map-from-mqtt", false, "MQTT topic <mqtt-prefix>X goes to Banyan topic <banyan-prefix>X instead of -e")
	fs.StringVar(&f.mqttPrefix, "mqtt-prefix", "", "MQTT side prefix for mapped topics, e.g. banyan/")
	fs.StringVar(&f.banyanPrefix, "banyan-prefix", "", "Banyan side prefix for mapped topics")
	fs.StringVar(&f.encoding, "encoding", string(mqtt.JSON), "payload encoding on MQTT: json (as mgw: json.dumps text, keys in order, NaN and Infinity as Python writes them, bytes refused), msgpack or raw")
	fs.IntVar(&f.qos, "qos", 0, "MQTT QoS for publishing and subscribing: 0, 1 or 2")
	fs.BoolVar(&f.retain, "retain", false, "set the retain flag on messages published to MQTT")
	fs.StringVar(&f.clientID, "client-id", "", "MQTT client id (default banyan-mqtt-<random>)")
	fs.BoolVar(&f.persistent, "persistent", false, "persistent MQTT session (clean session off; needs --client-id)")
	fs.StringVar(&f.username, "username", "", "MQTT user name")
	fs.StringVar(&f.password, "password", "", "MQTT password (default $"+envMQTTPassword+")")
	f.tls.add(fs, "broker")
	fs.DurationVar(&f.keepAlive, "keepalive", 60*time.Second, "MQTT keepalive")
	fs.DurationVar(&f.connectTimeout, "broker-connect-timeout", 10*time.Second, "how long to retry the broker at start-up (--connect-timeout is the backplane's)")
	return cmd
}

// options turns the flags into bridge options.
func (f *mqttFlags) options() (mqtt.Options, error) {
	if f.qos < 0 || f.qos > 2 {
		return mqtt.Options{}, fmt.Errorf("--qos %d: want 0, 1 or 2", f.qos)
	}
	password := f.password
	if password == "" {
		password = os.Getenv(envMQTTPassword)
	}
	tlsConf, err := f.tls.config()
	if err != nil {
		return mqtt.Options{}, err
	}
	bp, err := f.comp.options()
	if err != nil {
		return mqtt.Options{}, err
	}
	return mqtt.Options{
		Backplane:         bp,
		BanyanSubTopics:   f.banyanSub,
		BanyanPubTopic:    f.banyanPub,
		Broker:            f.broker,
		Port:              f.port,
		MQTTPubTopic:      f.mqttPub,
		MQTTSubTopics:     f.mqttSub,
		MapToMQTT:         f.mapBoth || f.mapTo,
		MapFromMQTT:       f.mapBoth || f.mapFrom,
		MQTTPrefix:        f.mqttPrefix,
		BanyanPrefix:      f.banyanPrefix,
		Encoding:          mqtt.Encoding(f.encoding),
		QoS:               byte(f.qos),
		Retain:            f.retain,
		ClientID:          f.clientID,
		Username:          f.username,
		Password:          password,
		TLS:               tlsConf,
		PersistentSession: f.persistent,
		KeepAlive:         f.keepAlive,
		ConnectTimeout:    f.connectTimeout,
		Logger:            f.comp.logger(),
	}, nil
}
