package nats

import (
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/testbp"
)

// collect counts a component's "data" messages by their "i", in order.
type collected struct{ seq []int }

func drain(t *testing.T, c *banyan.Component, into *collected, want int) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for len(into.seq) < want {
		select {
		case m := <-c.Messages():
			v, err := m.Map()
			if err != nil {
				t.Fatal(err)
			}
			i, _ := v["i"].(int64)
			into.seq = append(into.seq, int(i))
		case <-deadline:
			t.Fatalf("received %d of %d messages", len(into.seq), want)
		}
	}
}

// With JetStream nothing is lost: exports made while the server is down
// are kept and sent after it is back (its store survives the restart), and
// a site whose bridge was away catches up through its durable consumer.
// Each message arrives once, in order.
func TestJetStreamRestart(t *testing.T) {
	ns := startNATS(t, true)
	bp1, bp2 := startBackplane(t), startBackplane(t)
	site1 := startBridge(t, bp1, ns, Options{BridgeID: "site1", JetStream: "BANYAN", Topics: []string{"data"}})
	o2 := Options{BridgeID: "site2", JetStream: "BANYAN", Topics: []string{}}
	site2 := startBridge(t, bp2, ns, o2)
	pub := bp1.Connect(t, banyan.WithHWM(0))
	sub := bp2.Connect(t, banyan.WithSubscriptions("data"))
	var got collected
	send := func(from, to int) {
		for i := from; i < to; i++ {
			pub.Publish("data", map[string]any{"i": i})
		}
	}

	send(0, 10)
	drain(t, sub, &got, 10)

	// The server goes away; site 1 keeps publishing.
	ns.stop()
	testbp.WaitFor(t, "the bridges to see the server gone", func() bool {
		return !site1.Stats().Connected && !site2.Stats().Connected
	})
	send(10, 60)
	testbp.WaitFor(t, "site 1 to hold the 50 exports", func() bool { return site1.Stats().Pending == 50 })
	ns.start()
	drain(t, sub, &got, 60)

	// Site 2's bridge goes away; what is published meanwhile waits in the
	// stream for its durable consumer.
	site2.Close()
	send(60, 80)
	testbp.WaitFor(t, "the stream to acknowledge site 1's exports", func() bool { return site1.Stats().Exported == 80 })
	startBridge(t, bp2, ns, o2)
	drain(t, sub, &got, 80)

	for i, v := range got.seq {
		if v != i {
			t.Fatalf("message %d is %d: %v", i, v, got.seq)
		}
	}
	select {
	case m := <-sub.Messages():
		t.Fatalf("one more message: %s", describe(m))
	case <-time.After(200 * time.Millisecond):
	}
	if s := site1.Stats(); s.Dropped != 0 || s.Pending != 0 {
		t.Fatalf("site 1: %+v", s)
	}
}
