package backplane

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/zmtp"
)

// recorder is an Observer that keeps what it saw.
type recorder struct {
	mu   sync.Mutex
	seen []string // topic + " " + payload
}

func (r *recorder) Observe(topic, payload []byte) {
	r.mu.Lock()
	r.seen = append(r.seen, string(topic)+" "+string(payload))
	r.mu.Unlock()
}

func (r *recorder) count(topic string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.seen {
		if strings.HasPrefix(s, topic+" ") {
			n++
		}
	}
	return n
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Connections lists each component's connection with its traffic.
func TestConnections(t *testing.T) {
	bp, _ := start(t, Options{PublisherPort: FreePort, SubscriberPort: FreePort})
	pub, sub := goPair(t, bp) // sends "sync" messages until the subscription is in place
	before := bp.Connections()
	if len(before) != 2 || before[0].Role != Publisher || before[1].Role != Subscriber {
		t.Fatalf("connections = %+v", before)
	}
	const n = 40
	m := zmtp.NewTopicMsg("t", []byte{0x92, 1, 2})
	for range n {
		pub.Send(m)
	}
	for range n {
		recv(t, sub)
	}
	var cs []Connection
	waitUntil(t, "the counts", func() bool {
		cs = bp.Connections()
		return len(cs) == 2 && cs[0].Messages == before[0].Messages+n && cs[1].Messages == before[1].Messages+n
	})
	p, s := cs[0], cs[1]
	if p.Bytes != before[0].Bytes+n*uint64(m.Size()) || s.Bytes != before[1].Bytes+n*uint64(m.Size()) {
		t.Errorf("bytes: publisher %d, subscriber %d (before %d, %d; %d messages of %d)", p.Bytes, s.Bytes, before[0].Bytes, before[1].Bytes, n, m.Size())
	}
	if p.PeerType != "PUB" || s.PeerType != "SUB" || p.ZMTP != "3.1" || s.ZMTP != "3.1" {
		t.Errorf("types/versions: %+v %+v", p, s)
	}
	if p.Remote == "" || p.Remote == s.Remote || p.Since.IsZero() || time.Since(s.Since) > time.Minute {
		t.Errorf("remotes/since: %+v %+v", p, s)
	}
	if s.Subscriptions != 1 || len(s.Prefixes) != 1 || s.Prefixes[0] != "" || s.Dropped != 0 {
		t.Errorf("subscriber: %+v", s)
	}
	if Publisher.String() != "publisher" || Subscriber.String() != "subscriber" {
		t.Error("Role.String")
	}
}

// Watch sees every forwarded message, and what Publish sends; Watch(nil)
// stops it.
func TestWatchAndPublish(t *testing.T) {
	bp, _ := start(t, Options{PublisherPort: FreePort, SubscriberPort: FreePort, Name: "w"})
	if bp.Name() != "w" {
		t.Errorf("Name() = %q", bp.Name())
	}
	pub, sub := goPair(t, bp)
	r := &recorder{}
	bp.Watch(r)
	for i := range 10 {
		pub.Send(zmtp.NewTopicMsg("obs", []byte{byte(i)}))
	}
	pub.SendFrames([]byte("one-frame"))
	waitUntil(t, "ten observed", func() bool { return r.count("obs") == 10 && r.count("one-frame") == 1 })
	r.mu.Lock()
	for i, s := range r.seen[len(r.seen)-11 : len(r.seen)-1] {
		if want := "obs " + string([]byte{byte(i)}); s != want {
			t.Errorf("observed %q, want %q", s, want)
		}
	}
	if last := r.seen[len(r.seen)-1]; last != "one-frame " {
		t.Errorf("a one-frame message observed as %q", last)
	}
	r.mu.Unlock()

	if err := bp.Publish("from-bp", []byte{0xa2, 'h', 'i'}); err != nil {
		t.Fatal(err)
	}
	got := recv(t, sub)
	for string(got.Topic()) != "from-bp" {
		got = recv(t, sub)
	}
	if !bytes.Equal(got.Frame(1), []byte{0xa2, 'h', 'i'}) {
		t.Errorf("published payload arrived as %x", got.Frame(1))
	}
	if r.count("from-bp") != 1 {
		t.Error("the observer did not see Publish's message")
	}

	bp.Watch(nil)
	pub.Send(zmtp.NewTopicMsg("after", nil))
	for string(recv(t, sub).Topic()) != "after" {
	}
	if r.count("after") != 0 {
		t.Error("observed after Watch(nil)")
	}
	bp.Close()
	if err := bp.Publish("x", nil); err == nil {
		t.Error("Publish after Close returned nil")
	}
}
