package natsbus

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/benchmark"
)

func TestSubjectAndFilter(t *testing.T) {
	for topic, want := range map[string]string{
		"bench/0": "bench.0", "bench": "bench", "a/b/c": "a.b.c", "a//b": "a._.b", "/a": "_.a",
		"v1.2/x": "v1_2.x", "a*/>": "a_._", "with space": "with_space",
	} {
		if got := Subject(topic); got != want {
			t.Errorf("Subject(%q) = %q, want %q", topic, got, want)
		}
	}
	for prefix, want := range map[string]string{
		"bench/": "bench.>", "": ">", "bench/decoy7": "bench.decoy7", "a/b/": "a.b.>", "bench": "bench",
	} {
		if got := Filter(prefix); got != want {
			t.Errorf("Filter(%q) = %q, want %q", prefix, got, want)
		}
	}
	for _, topic := range []string{"bench/0", "a/b/c", "sensor"} {
		if got := Topic(Subject(topic)); got != topic {
			t.Errorf("Topic(Subject(%q)) = %q", topic, got)
		}
	}
}

func TestRun(t *testing.T) {
	s, err := Serve("127.0.0.1", -1) // -1: a random free port
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	bus := New(s.ClientURL())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := benchmark.Run(ctx, bus, benchmark.RunConfig{Pubs: 2, Subs: 2, Msgs: 200, Subscriptions: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Bus != "nats" || res.Published != 200 || res.Delivered != 400 || res.Lost != 0 || res.OutOfOrder != 0 || res.Foreign != 0 {
		t.Fatalf("result %+v: want 200 published, 400 delivered, none lost, out of order or foreign", res)
	}
	if bus.SlowConsumers() != 0 {
		t.Fatalf("%d slow-consumer errors", bus.SlowConsumers())
	}
}

func TestLargeMessage(t *testing.T) {
	s, err := Serve("127.0.0.1", -1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := benchmark.Run(ctx, New(s.ClientURL()), benchmark.RunConfig{Size: 4 << 20, Msgs: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivered != 5 {
		t.Fatalf("%d of 5 messages of 4 MiB delivered", res.Delivered)
	}
}

func TestServeTakenPort(t *testing.T) {
	s, err := Serve("127.0.0.1", -1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	var port int
	fmt.Sscanf(s.Addr().String(), "127.0.0.1:%d", &port)
	if s2, err := Serve("127.0.0.1", port); err == nil {
		s2.Shutdown()
		t.Fatal("a second server on a taken port: no error")
	}
}
