package record

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
)

// collect takes n messages from c, or fails after a generous deadline.
func collect(t *testing.T, c *banyan.Component, n int) <-chan []*banyan.Message {
	out := make(chan []*banyan.Message, 1)
	go func() {
		got := make([]*banyan.Message, 0, n)
		deadline := time.After(2 * time.Minute)
		for len(got) < n {
			select {
			case m, ok := <-c.Messages():
				if !ok {
					out <- got
					return
				}
				got = append(got, m)
			case <-deadline:
				out <- got
				return
			}
		}
		out <- got
	}()
	return out
}

// 100,000 messages: published, recorded through the backplane, replayed as
// fast as possible onto other topics, received with identical payloads in
// the same order.
func TestRecordReplay100k(t *testing.T) {
	const n = 100_000
	if testing.Short() {
		t.Skip("100k messages through a backplane twice")
	}
	// A lossless backplane, and components with unbounded queues.
	bp := testbp.Start(t, backplane.Options{HWM: backplane.Unlimited})
	connect := func(t *testing.T, opts ...banyan.Option) *banyan.Component {
		return bp.Connect(t, append([]banyan.Option{banyan.WithHWM(banyan.Unlimited)}, opts...)...)
	}
	topics := []string{"rec/a", "rec/b/c", "rec/d", "rec/a/long/topic/name"}
	want := make([]banyan.Message, n)
	for i := range want {
		payload, err := banyan.Marshal(map[string]any{"i": i, "data": bytes.Repeat([]byte{byte(i)}, i%97)})
		if err != nil {
			t.Fatal(err)
		}
		want[i] = banyan.Message{Topic: topics[(i*7+i/3)%len(topics)], Payload: payload}
	}

	// Record.
	path := filepath.Join(t.TempDir(), "100k.brec")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	recComp := connect(t, banyan.WithName("recorder"), banyan.WithSubscriptions("rec/"))
	rec := NewRecorder(w, RecorderOptions{Limit: n})
	recDone := make(chan error, 1)
	go func() { recDone <- rec.Run(context.Background(), recComp.Messages()) }()
	pub := connect(t, banyan.WithName("publisher"))
	for _, m := range want {
		if err := pub.PublishRaw(m.Topic, m.Payload); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-recDone:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("recorded %d of %d messages", rec.Count(), n)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recComp.Close()

	info, err := ReadInfo(path)
	if err != nil || info.Records != n || info.TornBytes != 0 || len(info.Topics) != len(topics) {
		t.Fatalf("recording: %d records, torn %d, %d topics, err %v", info.Records, info.TornBytes, len(info.Topics), err)
	}

	// Replay onto out/... as fast as possible.
	sub := connect(t, banyan.WithName("subscriber"), banyan.WithSubscriptions("out/"))
	got := collect(t, sub, n)
	player := connect(t, banyan.WithName("replay"))
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var m TopicMap
	m.AddPrefix("rec/=out/")
	res, err := Replay(context.Background(), r, ComponentPublisher{player}, ReplayOptions{Speed: 0, Map: m})
	if err != nil || res.Published != n {
		t.Fatalf("replay published %d, err %v", res.Published, err)
	}
	msgs := <-got
	if len(msgs) != n {
		t.Fatalf("subscriber received %d of %d", len(msgs), n)
	}
	for i, g := range msgs {
		if wantTopic := "out/" + want[i].Topic[len("rec/"):]; g.Topic != wantTopic || !bytes.Equal(g.Payload, want[i].Payload) {
			t.Fatalf("message %d: got %q %x, want %q %x", i, g.Topic, g.Payload, wantTopic, want[i].Payload)
		}
	}
	if s := player.Stats(); s.Dropped != 0 {
		t.Fatalf("replay dropped %d", s.Dropped)
	}
	t.Logf("recording of %d messages: %s", n, fmt.Sprint(info.Size))
}
