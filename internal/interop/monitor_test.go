package interop

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
	"github.com/gobanyan/banyan/internal/zmtp"
)

// A seen is one message as a monitor printed it: {"topic", "payload"}, or
// {"topic", "error", "hex"} when it could not decode the payload.
type seen struct {
	Topic   string `json:"topic"`
	Payload any    `json:"payload"`
	Error   string `json:"error,omitempty"`
	Hex     string `json:"hex,omitempty"`
	line    string
}

func (s seen) String() string { return s.line }

// monitor reads a subscribe-all peer's lines.
type monitor struct {
	t *testing.T
	p *testpeer.Proc
}

// next returns the next message the monitor printed, or ok=false when none
// came within d.
func (m monitor) next(d time.Duration) (seen, bool) {
	m.t.Helper()
	l, ok := m.p.Next(d)
	if !ok {
		return seen{}, false
	}
	s := seen{line: l}
	if err := json.Unmarshal([]byte(l), &s); err != nil {
		s.Topic, s.Error = "<not a monitor line>", err.Error()
	}
	return s, true
}

// markerPrefix starts the topics of the test's own markers, sent on a bare
// ZMTP PUB (no component, so nothing of ours but the marker) to learn when
// the monitor is subscribed and when it has caught up.
const markerPrefix = "interop-marker/"

// mark sends the marker topic every 100 ms until the monitor prints it and
// returns what the monitor printed before it.
func (m monitor) mark(raw *zmtp.Pub, topic string) []seen {
	m.t.Helper()
	var before []seen
	deadline := time.Now().Add(testbp.Patience)
	for time.Now().Before(deadline) {
		if err := raw.Send(zmtp.NewTopicMsg(topic, []byte{0x80})); err != nil {
			m.t.Fatal(err)
		}
		for wait := time.Now().Add(100 * time.Millisecond); time.Now().Before(wait); {
			s, ok := m.next(time.Until(wait))
			if !ok {
				break
			}
			if s.Topic == topic {
				return before
			}
			before = append(before, s)
		}
	}
	m.t.Fatalf("the monitor never printed the marker %q (printed before it: %v)", topic, before)
	return nil
}

// userMessage is what a test component publishes.
type userMessage struct {
	topic   string
	payload map[string]any
}

// subscribeAll runs Go components through the backplane at pub/sub while
// the monitor mon, subscribed to everything there, prints what passes: it
// must print exactly the messages the components' users published.
func subscribeAll(t *testing.T, mon *testpeer.Proc, pub, sub int) {
	m := monitor{t: t, p: mon}
	raw := zmtp.NewPub(zmtp.Options{SendHWM: zmtp.DefaultHWM, Logger: testbp.Quiet()})
	defer raw.Close()
	if err := raw.Connect(fmt.Sprintf("tcp://%s:%d", host, pub)); err != nil {
		t.Fatal(err)
	}
	if early := m.mark(raw, markerPrefix+"start"); len(early) > 0 {
		t.Logf("before any component, the monitor printed %v", early)
	}

	ctx := t.Context()
	a := testbp.Connect(t, options(pub, sub, banyan.WithName("a"), banyan.WithSubscriptions("user/to-a"))...)
	b := testbp.Connect(t, options(pub, sub, banyan.WithName("b"))...)
	if err := b.Subscribe("user/to-b"); err != nil {
		t.Fatal(err)
	}
	if err := b.SubscribeSync(ctx, "user/sync"); err != nil {
		t.Fatal(err)
	}
	listener := testbp.Connect(t, options(pub, sub, banyan.WithName("listener"), banyan.WithoutPublisher(),
		banyan.WithSubscriptions("user/"))...)
	talker := testbp.Connect(t, options(pub, sub, banyan.WithName("talker"), banyan.WithoutSubscriber())...)

	sent := []userMessage{
		{"user/to-b", map[string]any{"n": 1, "from": "a"}},
		{"user/to-a", map[string]any{"n": 2, "from": "b"}},
		{"user/sync", map[string]any{"n": 3, "from": "a"}},
		{"user/other", map[string]any{"n": 4, "from": "talker"}},
	}
	from := map[string]*banyan.Component{"a": a, "b": b, "talker": talker}
	for _, u := range sent {
		if err := from[u.payload["from"].(string)].Publish(u.topic, u.payload); err != nil {
			t.Fatal(err)
		}
	}
	// Each component gets what it subscribed to.
	gets := func(c *banyan.Component, name string, topics ...string) {
		t.Helper()
		var got []string
		for range topics {
			got = append(got, testbp.Next(t, c).Topic)
		}
		slices.Sort(got)
		slices.Sort(topics)
		if !slices.Equal(got, topics) {
			t.Errorf("%s received %q, want %q", name, got, topics)
		}
	}
	gets(a, "a", "user/to-a")
	gets(b, "b", "user/to-b", "user/sync")
	gets(listener, "listener", "user/to-b", "user/to-a", "user/sync", "user/other")
	for _, c := range []*banyan.Component{a, b, listener, talker} {
		if err := c.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}
	// One more that connects, subscribes and leaves without a word.
	quiet := testbp.Connect(t, options(pub, sub, banyan.WithName("quiet"), banyan.WithSubscriptions("x"))...)
	if err := quiet.SubscribeSync(ctx, "y", "z"); err != nil {
		t.Fatal(err)
	}
	quiet.Close()

	// Wait for the user messages, then for a marker sent after them.
	var got []seen
	want := len(sent)
	for deadline := time.Now().Add(testbp.Patience); countUser(got) < want && time.Now().Before(deadline); {
		if s, ok := m.next(time.Until(deadline)); ok {
			got = append(got, s)
		}
	}
	got = append(got, m.mark(raw, markerPrefix+"end")...)

	var extra []seen
	missing := slices.Clone(sent)
	for _, s := range got {
		if strings.HasPrefix(s.Topic, markerPrefix) {
			continue // a late copy of the start marker
		}
		i := slices.IndexFunc(missing, func(u userMessage) bool {
			return u.topic == s.Topic && s.Error == "" && reflect.DeepEqual(normalize(u.payload), s.Payload)
		})
		if i < 0 {
			extra = append(extra, s)
			continue
		}
		missing = slices.Delete(missing, i, i+1)
	}
	for _, s := range extra {
		t.Errorf("the monitor saw a message no user published: %s", s)
	}
	for _, u := range missing {
		t.Errorf("the monitor missed %q %v", u.topic, u.payload)
	}
}

func countUser(got []seen) int {
	n := 0
	for _, s := range got {
		if strings.HasPrefix(s.Topic, "user/") {
			n++
		}
	}
	return n
}

// A subscribe-all monitor of each sister, and Python's, on our backplane
// sees exactly what users published.
func TestMonitorOnOurBackplaneSeesOnlyUserMessages(t *testing.T) {
	for _, s := range append(slices.Clone(sisters), pythonSister) {
		t.Run(s.name, func(t *testing.T) {
			bp := testbp.Start(t, backplane.Options{})
			mon := s.start(t, "monitor", bp.PublisherPort(), bp.SubscriberPort())
			subscribeAll(t, mon, bp.PublisherPort(), bp.SubscriberPort())
		})
	}
}

// Each sister's monitor, on its own backplane, sees exactly what the Go
// components' users published.
func TestMonitorOnTheirBackplaneSeesOnlyUserMessages(t *testing.T) {
	for _, s := range sisters {
		t.Run(s.name, func(t *testing.T) {
			pub, sub := s.backplane(t)
			mon := s.start(t, "monitor", pub, sub)
			subscribeAll(t, mon, pub, sub)
		})
	}
}
