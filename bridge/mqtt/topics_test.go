package mqtt

import (
	"errors"
	"testing"
	"time"
)

func TestMatchFilter(t *testing.T) {
	cases := []struct {
		filter, topic string
		want          bool
	}{
		{"a/b", "a/b", true},
		{"a/b", "a/c", false},
		{"a/b", "a/b/c", false},
		{"a/b/c", "a/b", false},
		{"a/+", "a/b", true},
		{"a/+", "a", false},
		{"a/+", "a/b/c", false},
		{"+/+", "/x", true},
		{"a/#", "a", true},
		{"a/#", "a/b/c", true},
		{"a/#", "ab", false},
		{"#", "a/b", true},
		{"#", "$SYS/x", false},
		{"+/x", "$SYS/x", false},
		{"$SYS/#", "$SYS/x", true},
		{"banyan/#", "banyan/sensors/temp", true},
		{"$share/g/a/+", "a/b", true},
		{"a//b", "a//b", true},
		{"a/+/b", "a//b", true},
	}
	for _, c := range cases {
		if got := matchFilter(c.filter, c.topic); got != c.want {
			t.Errorf("matchFilter(%q, %q) = %v", c.filter, c.topic, got)
		}
	}
}

func TestCheckTopics(t *testing.T) {
	for _, f := range []string{"a", "a/+/b", "#", "a/#", "+", "/", "$share/g/x"} {
		if err := checkFilter(f); err != nil {
			t.Errorf("filter %q: %v", f, err)
		}
	}
	for _, f := range []string{"", "a#", "a/#/b", "a+/b", "x\x00"} {
		if err := checkFilter(f); !errors.Is(err, ErrOptions) {
			t.Errorf("filter %q accepted", f)
		}
	}
	for _, p := range []string{"", "a/+", "a/#", "a\x00", "\xff"} {
		if err := checkPubTopic(p); !errors.Is(err, ErrTopic) {
			t.Errorf("topic %q accepted", p)
		}
	}
}

func TestTopicMapping(t *testing.T) {
	o, err := Options{MapToMQTT: true, MapFromMQTT: true, MQTTPrefix: "banyan/", BanyanPrefix: "bus/"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	b := &Bridge{o: o}
	for banyanT, mqttT := range map[string]string{"bus/sensors/temp": "banyan/sensors/temp", "sensors/temp": "banyan/sensors/temp"} {
		if got, err := b.mqttTopic(banyanT); err != nil || got != mqttT {
			t.Errorf("mqttTopic(%q) = %q, %v", banyanT, got, err)
		}
	}
	for mqttT, banyanT := range map[string]string{"banyan/sensors/temp": "bus/sensors/temp", "home/x": "bus/home/x"} {
		if got, err := b.banyanTopic(mqttT); err != nil || got != banyanT {
			t.Errorf("banyanTopic(%q) = %q, %v", mqttT, got, err)
		}
	}
	if _, err := b.mqttTopic("bus/a+b"); !errors.Is(err, ErrTopic) {
		t.Errorf("wildcard in a mapped topic: %v", err)
	}
	b.o.BanyanPrefix = ""
	if _, err := b.banyanTopic("__banyan/probe/x"); !errors.Is(err, ErrTopic) {
		t.Errorf("reserved topic: %v", err)
	}
	b.o.MQTTPrefix = ""
	if _, err := b.mqttTopic(""); !errors.Is(err, ErrTopic) {
		t.Errorf("empty topic: %v", err)
	}

	// Unmapped: Python's fixed topics.
	o, _ = Options{}.withDefaults()
	b = &Bridge{o: o}
	if got, _ := b.mqttTopic("anything"); got != "from_banyan" {
		t.Errorf("unmapped to MQTT: %q", got)
	}
	if got, _ := b.banyanTopic("any/thing"); got != "from_mqtt" {
		t.Errorf("unmapped from MQTT: %q", got)
	}
}

func TestOptionsDefaultsAndErrors(t *testing.T) {
	o, err := Options{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if o.Broker != "localhost" || o.Port != 1883 || o.BanyanSubTopics[0] != "to_mqtt" || o.BanyanPubTopic != "from_mqtt" ||
		o.MQTTPubTopic != "from_banyan" || o.MQTTSubTopics[0] != "mqtt_network" || o.Encoding != JSON || o.KeepAlive != 60*time.Second {
		t.Errorf("defaults differ from mgw's: %+v", o)
	}
	for name, bad := range map[string]Options{
		"encoding":   {Encoding: "xml"},
		"qos":        {QoS: 3},
		"port":       {Port: 70000},
		"persistent": {PersistentSession: true},
		"filter":     {MQTTSubTopics: []string{"a/#/b"}},
		"pub topic":  {MQTTPubTopic: "a/+"},
		"prefix":     {MapToMQTT: true, MQTTPrefix: "a/#/"},
	} {
		if _, err := bad.withDefaults(); !errors.Is(err, ErrOptions) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestRawBytes(t *testing.T) {
	for _, c := range []struct {
		in   []byte
		want string
	}{
		{[]byte{0xa2, 'h', 'i'}, "hi"},
		{[]byte{0xc4, 0x02, 0x00, 0xff}, "\x00\xff"},
		{[]byte{0xd9, 0x01, 'x'}, "x"},
		{append([]byte{0xc5, 0x01, 0x00}, make([]byte, 256)...), string(make([]byte, 256))},
	} {
		if got, err := rawBytes(c.in); err != nil || string(got) != c.want {
			t.Errorf("rawBytes(% x) = %q, %v", c.in, got, err)
		}
	}
	for _, in := range [][]byte{{}, {0x80}, {0xc4}, {0xc4, 0x05, 'x'}, {0xa1, 'x', 'y'}, {0x01}} {
		if _, err := rawBytes(in); !errors.Is(err, ErrConversion) {
			t.Errorf("rawBytes(% x) accepted", in)
		}
	}
}
