// Package mqtt bridges a Banyan backplane and an MQTT broker, both ways: it
// is the Go counterpart of Python Banyan's MQTT gateway (mgw), and runs as
// `banyan mqtt`.
//
// # Directions and topics
//
// Banyan -> MQTT: the bridge subscribes to Options.BanyanSubTopics (mgw -g,
// default "to_mqtt"; prefixes, as every Banyan subscription) and publishes
// every message it receives to MQTT. Python's mgw subscribes to all -g
// topics but forwards only the literal topic "to_mqtt"; this bridge
// forwards them all. By default they go to one MQTT topic,
// Options.MQTTPubTopic (mgw -i, default "from_banyan"), as in mgw.
//
// MQTT -> Banyan: the bridge subscribes to Options.MQTTSubTopics (mgw -j,
// default "mqtt_network"; MQTT filters with + and #) and publishes what it
// receives on one Banyan topic, Options.BanyanPubTopic (mgw -e, default
// "from_mqtt"). mgw discards the MQTT topic; with mapping it is kept.
//
// Mapping keeps the original topic. With MapToMQTT, Banyan topic
// BanyanPrefix+X goes to MQTT topic MQTTPrefix+X; with MapFromMQTT, MQTT
// topic MQTTPrefix+X goes to Banyan topic BanyanPrefix+X. A topic without
// its side's prefix is taken whole as X. For example, with MQTTPrefix
// "banyan/" and both mappings, Banyan "sensors/temp" and MQTT
// "banyan/sensors/temp" are the same topic. A Banyan topic that makes an
// invalid MQTT topic (empty, or containing + # or NUL, which would make the
// broker drop the connection) is a conversion error, and so is an MQTT
// topic that would land in Banyan's reserved "__banyan/" namespace.
//
// # Payloads
//
// Banyan payloads are msgpack. On MQTT they are carried as Options.Encoding
// says: JSON (default, as mgw: byte for byte what Python's json.dumps
// writes, see MsgpackToJSON and JSONToMsgpack), MsgPack (the bytes
// unchanged, as Python Banyan's MQTT benchmark sends them) or Raw (any MQTT
// bytes, as one msgpack bin value on Banyan). QoS (0, 1, 2) applies to
// publishing and subscribing; Retain sets the retain flag on what the bridge
// publishes.
//
// A message that cannot be converted (bytes in JSON mode, text that is not
// JSON, malformed msgpack, a topic that cannot be mapped) is logged,
// counted in Stats (ToMQTTErrors, FromMQTTErrors) and skipped; the bridge
// goes on. Python's mgw raises on them (in its receive loop, or in paho's
// network thread).
//
// # Loop guard
//
// When both directions cover overlapping topics, every message the bridge
// publishes on one side comes back to it on that same side, because its own
// subscriptions there match: the broker sends subscribers, including the
// publisher, every matching message (MQTT 3.1.1 has no "no local" option),
// and so does the backplane. Forwarded again, it would cross back and forth
// for ever. The guard: before publishing on a side, the bridge checks
// whether its own subscriptions on that side match the topic (MQTT filter
// rules, or Banyan prefix rules); if so, it records the message's topic and
// a 64-bit hash of its exact payload bytes as an expected echo. The first
// arriving message on that side with that topic and payload consumes the
// record and is counted in Stats.Echoes instead of being forwarded. Both
// the broker and the backplane keep one publisher's messages in order, so an
// echo arrives in the order it was sent and consumes its own record.
//
// Records of echoes that never come (the broker dropped them, the
// connection was lost) are forgotten after 10 s, beyond 100,000 pending,
// and, for MQTT, when the connection is lost. Two limits follow, both
// bounded to one message: a message from someone else with exactly the
// same topic and payload as one the bridge published, whose echo was lost,
// arriving within those 10 s, is taken for the echo and not forwarded; and
// an echo delayed beyond 10 s is forwarded once (its own echo is then
// caught). The guard works with any broker; it needs no marker in the
// payload, so JSON stays exactly what Python writes.
//
// # Connection
//
// New returns when the backplane forwards the bridge's Banyan
// subscriptions and the broker has acknowledged its MQTT subscriptions.
// The broker is retried for Options.ConnectTimeout; a refusal that
// retrying cannot cure (bad user name or password, unknown client id, a
// TLS certificate that does not verify) ends New at once with the
// reason. Once connected, a lost connection is re-established
// automatically (paho's auto-reconnect, 1 s back-off doubling up to
// MaxReconnectInterval) and the MQTT subscriptions are made again on every
// connection. While the broker is away, messages from Banyan are dropped
// and counted (Stats.Dropped) rather than queued without bound. Client id,
// user name and password, TLS (any *tls.Config, or an ssl://, wss:// broker
// URL), keepalive and a persistent session are options.
//
// The client library is github.com/eclipse/paho.mqtt.golang (MQTT 3.1.1):
// it is what Python's mgw speaks (paho 1.x, MQTT 3.1.1), every broker
// supports it, and it brings auto-reconnect. paho's MQTT 5 client would
// offer a "no local" subscription option, but only with MQTT 5 brokers;
// the guard above does not need it.
package mqtt
