package mqttbus

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan/bench/peers/internal/forwarder"
	"github.com/gobanyan/banyan/internal/benchmark"
	"github.com/gobanyan/banyan/internal/testpeer"
)

func TestTopicAndFilter(t *testing.T) {
	for topic, want := range map[string]string{
		"bench/0": "bench/0", "a+b/#": "a_b/_", "/x": "/x", "": "",
	} {
		if got := Topic(topic); got != want {
			t.Errorf("Topic(%q) = %q, want %q", topic, got, want)
		}
	}
	for prefix, want := range map[string]string{
		"bench/": "bench/#", "": "#", "bench/decoy3": "bench/decoy3", "a/b/": "a/b/#", "s+/": "s_/#",
	} {
		if got := Filter(prefix); got != want {
			t.Errorf("Filter(%q) = %q, want %q", prefix, got, want)
		}
	}
}

func TestConfig(t *testing.T) {
	c := Config(18830)
	for _, line := range []string{"listener 18830 127.0.0.1", "allow_anonymous true", "max_queued_messages 0", "max_inflight_messages 0"} {
		if !strings.Contains(c, line+"\n") {
			t.Errorf("config lacks %q:\n%s", line, c)
		}
	}
}

// mosquitto starts a broker with Config on a free port, stopped at the
// test's end.
func mosquitto(t *testing.T) string {
	t.Helper()
	bin := testpeer.Command(t, "mosquitto")
	ports, err := forwarder.FreePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(t.TempDir(), "mosquitto.conf")
	if err := os.WriteFile(conf, []byte(Config(ports[0])), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := forwarder.Start(bin, "-c", conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Errorf("mosquitto: %v", err)
		}
	})
	addr := "127.0.0.1:" + strconv.Itoa(ports[0])
	if err := p.WaitListening(context.Background(), addr); err != nil {
		t.Fatal(err)
	}
	return "tcp://" + addr
}

func TestRun(t *testing.T) {
	bus := New(mosquitto(t))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := benchmark.Run(ctx, bus, benchmark.RunConfig{Pubs: 2, Subs: 2, Msgs: 200, Subscriptions: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Bus != "mqtt" || res.Published != 200 || res.Delivered != 400 || res.Lost != 0 || res.OutOfOrder != 0 || res.Foreign != 0 {
		t.Fatalf("result %+v: want 200 published, 400 delivered, none lost, out of order or foreign", res)
	}
}
