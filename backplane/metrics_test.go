package backplane

import (
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/zmtp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetrics(t *testing.T) {
	bp, _ := start(t, Options{Name: "bp1", PublisherPort: FreePort, SubscriberPort: FreePort})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(bp.Collectors()...)

	o := zmtp.DefaultOptions()
	o.Logger = quiet
	sub := zmtp.NewSub(o)
	defer sub.Close()
	sub.Subscribe(nil)
	sub.Connect(bp.subAddr.String())
	pub := zmtp.NewPub(o)
	defer pub.Close()
	pub.Connect(bp.pubAddr.String())
	// Publish until one message has come through: then counters moved.
	for {
		pub.Send(zmtp.NewTopicMsg("m", []byte{0xc0}))
		if len(sub.Messages()) > 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	<-sub.Messages()
	want := `
# HELP banyan_backplane_publishers Components connected to the publisher port.
# TYPE banyan_backplane_publishers gauge
banyan_backplane_publishers{backplane="bp1"} 1
# HELP banyan_backplane_subscribers Components connected to the subscriber port.
# TYPE banyan_backplane_subscribers gauge
banyan_backplane_subscribers{backplane="bp1"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "banyan_backplane_publishers", "banyan_backplane_subscribers"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.ToFloat64(bp.Collectors()[0]); n < 1 {
		t.Fatalf("forwarded_total = %v, want >= 1", n)
	}
}
