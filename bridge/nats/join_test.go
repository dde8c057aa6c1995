package nats

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/testpeer"
)

// Two backplanes joined through one NATS, each with a bridge left at its
// defaults (every topic out, banyan.> in) and a Python Banyan-style
// component (pyzmq): each component sees the other's messages exactly once
// and in order, and its own once (from its own backplane), never again
// through NATS.
func TestJoinTwoSitesWithPyzmq(t *testing.T) {
	py := testpeer.Python(t, "zmq", "msgpack")
	ns := startNATS(t, false)
	sites := map[string]*testpeer.Proc{}
	for _, name := range []string{"A", "B"} {
		bp := startBackplane(t)
		startBridge(t, bp, ns, Options{})
		p := testpeer.Start(t, py, "testdata/site.py", name, strconv.Itoa(bp.PublisherPort()), strconv.Itoa(bp.SubscriberPort()))
		t.Cleanup(p.Kill)
		p.Expect("READY")
		sites[name] = p
	}
	const n = 200
	for _, p := range sites {
		p.Send(fmt.Sprintf("SEND %d", n))
	}
	for name, p := range sites {
		next := map[string]int{"A": 0, "B": 0}
		for next["A"] < n || next["B"] < n {
			line := p.Expect("GOT ")
			f := strings.Fields(line)
			from, i := f[1], f[2]
			if i != strconv.Itoa(next[from]) {
				t.Fatalf("site %s: %q after %d messages from %s: lost, repeated or out of order", name, line, next[from], from)
			}
			next[from]++
		}
		// Nothing more: no message comes round a second time.
		if line, ok := p.Next(500 * time.Millisecond); ok {
			t.Fatalf("site %s got more: %q", name, line)
		}
	}
}
