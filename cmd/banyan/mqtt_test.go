package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/bridge/mqtt"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
)

// mqttOptions parses args as `banyan mqtt` does and returns the options.
func mqttOptions(args ...string) (mqtt.Options, error) {
	f := &mqttFlags{}
	cmd := mqttCommand(f)
	if err := parseNargs(cmd, args, "banyan-topics", "mqtt-topics"); err != nil {
		return mqtt.Options{}, err
	}
	return f.options()
}

func TestMQTTFlagsDefaultsAreMgws(t *testing.T) {
	o, err := mqttOptions()
	if err != nil {
		t.Fatal(err)
	}
	if o.Broker != "localhost" || o.Port != 1883 || !reflect.DeepEqual(o.BanyanSubTopics, []string{"to_mqtt"}) ||
		o.BanyanPubTopic != "from_mqtt" || o.MQTTPubTopic != "from_banyan" || !reflect.DeepEqual(o.MQTTSubTopics, []string{"mqtt_network"}) ||
		o.Encoding != mqtt.JSON || o.QoS != 0 || o.MapToMQTT || o.MapFromMQTT || o.TLS != nil || o.KeepAlive != 60*time.Second {
		t.Errorf("defaults: %+v", o)
	}
}

func TestMQTTHelp(t *testing.T) {
	cmd := newMQTTCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"-g", "a", "b", "-h"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Usage:") || !strings.Contains(out.String(), "--banyan-topics") {
		t.Errorf("help: %s", out.String())
	}
}

func TestMQTTFlagsPythonStyle(t *testing.T) {
	o, err := mqttOptions("-a", "broker.lan", "-d", "1884", "-g", "to_mqtt", "sensors", "-e", "in", "-i", "out",
		"-j", "a/#", "b", "-b", "10.0.0.2", "-p", "5000", "-s", "5001", "-n", "gw", "-t", "0.5")
	if err != nil {
		t.Fatal(err)
	}
	if o.Broker != "broker.lan" || o.Port != 1884 || !reflect.DeepEqual(o.BanyanSubTopics, []string{"to_mqtt", "sensors"}) ||
		o.BanyanPubTopic != "in" || o.MQTTPubTopic != "out" || !reflect.DeepEqual(o.MQTTSubTopics, []string{"a/#", "b"}) {
		t.Errorf("options: %+v", o)
	}
	// Go style too: repeated flags, long names, attached values.
	o, err = mqttOptions("-gx", "y", "--banyan-topics=z", "--mqtt-topics", "m", "--map", "--mqtt-prefix", "banyan/",
		"--encoding", "msgpack", "--qos", "1", "--retain", "--client-id", "me", "--persistent", "--username", "u", "--password", "p")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o.BanyanSubTopics, []string{"x", "y", "z"}) || !reflect.DeepEqual(o.MQTTSubTopics, []string{"m"}) ||
		!o.MapToMQTT || !o.MapFromMQTT || o.MQTTPrefix != "banyan/" || o.Encoding != mqtt.MsgPack || o.QoS != 1 ||
		!o.Retain || o.ClientID != "me" || !o.PersistentSession || o.Username != "u" || o.Password != "p" {
		t.Errorf("options: %+v", o)
	}
	t.Setenv(envMQTTPassword, "from-env")
	if o, _ := mqttOptions("--username", "u"); o.Password != "from-env" {
		t.Errorf("password from the environment: %q", o.Password)
	}
	if o, _ := mqttOptions("--insecure"); o.TLS == nil || !o.TLS.InsecureSkipVerify {
		t.Errorf("--insecure: %+v", o.TLS)
	}
	for _, bad := range [][]string{{"-a", "host", "stray"}, {"--qos", "3"}, {"--cafile", "/nonexistent"}, {"--nope"}} {
		if _, err := mqttOptions(bad...); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestMQTTCommand runs `banyan mqtt` between our backplane and a real
// mosquitto: a message published with mosquitto_pub reaches a Banyan
// component, and the command stops cleanly when its context ends.
func TestMQTTCommand(t *testing.T) {
	mosq := testpeer.Command(t, "mosquitto")
	pub := testpeer.Command(t, "mosquitto_pub")
	port := testbp.FreePort(t)
	conf := filepath.Join(t.TempDir(), "mosquitto.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\n", port)), 0o600); err != nil {
		t.Fatal(err)
	}
	broker := testpeer.Start(t, mosq, "-c", conf)
	t.Cleanup(broker.Kill)

	bp := testbp.Start(t, backplane.Options{})
	c := bp.Connect(t, banyan.WithSubscriptions("sensors/"))

	cmd := newMQTTCmd()
	var out, errOut testbp.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append(bp.Args(),
		"-a", "127.0.0.1", "-d", strconv.Itoa(port), "--map-from-mqtt", "--banyan-prefix", "sensors/", "-j", "home/#", "-n", "gw"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "gw: ") {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no start-up line; stderr: %s", errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if o, err := exec.Command(pub, "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-t", "home/kitchen", "-m", `{"t": 21.5}`).CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_pub: %v: %s", err, o)
	}
	select {
	case m := <-c.Messages():
		v, err := m.Map()
		if m.Topic != "sensors/home/kitchen" || err != nil || v["t"] != 21.5 {
			t.Errorf("got %q %v %v", m.Topic, v, err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no message from MQTT")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("command: %v", err)
	}
	if !strings.Contains(errOut.String(), "1 from MQTT") {
		t.Errorf("final stats: %q", errOut.String())
	}
}
