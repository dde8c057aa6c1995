package backplane

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/zmtp"
)

// Topics under "__banyan/" (old Go Banyan's readiness probes) reach only
// the subscriber that subscribed into that space, never a subscriber to
// everything such as a Python monitor.
func TestReservedTopicsStayPrivate(t *testing.T) {
	bp, _ := start(t, Options{PublisherPort: FreePort, SubscriberPort: FreePort})
	zo := zmtp.DefaultOptions()
	zo.Logger = quiet
	sp := net.JoinHostPort("127.0.0.1", strconv.Itoa(bp.SubscriberPort()))
	monitor, prober := zmtp.NewSub(zo), zmtp.NewSub(zo)
	defer monitor.Close()
	defer prober.Close()
	monitor.Subscribe(nil)
	prober.Subscribe([]byte("__banyan/probe/abc/"))
	prober.Subscribe([]byte("end"))
	pub := zmtp.NewPub(zo)
	defer pub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, s := range []*zmtp.Sub{monitor, prober} {
		s.Connect(sp)
		if err := s.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	pub.Connect(net.JoinHostPort("127.0.0.1", strconv.Itoa(bp.PublisherPort())))
	if err := pub.WaitSubscribed(ctx); err != nil {
		t.Fatal(err)
	}
	for _, topic := range []string{"__banyan/probe/abc/ready", "user", "end"} {
		pub.Send(zmtp.NewTopicMsg(topic, []byte{0x80}))
	}
	for _, c := range []struct {
		s    *zmtp.Sub
		want []string
	}{{monitor, []string{"user", "end"}}, {prober, []string{"__banyan/probe/abc/ready", "end"}}} {
		for _, want := range c.want {
			m, err := c.s.Recv(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(m.Topic()); got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		}
	}
}
