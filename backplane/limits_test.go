package backplane

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/zmtp"
)

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// goPair connects a lossless Go PUB and a SUB (subscribed to "") to bp.
func goPair(t *testing.T, bp *Backplane) (*zmtp.Pub, *zmtp.Sub) {
	t.Helper()
	o := zmtp.DefaultOptions()
	o.SendHWM = 0
	o.MaxMessageSize = -1
	o.Logger = quiet
	sub := zmtp.NewSub(o)
	t.Cleanup(func() { sub.Close() })
	sub.Subscribe(nil)
	pub := zmtp.NewPub(o)
	t.Cleanup(func() { pub.Close() })
	sub.Connect(fmt.Sprintf("127.0.0.1:%d", bp.SubscriberPort()))
	pub.Connect(fmt.Sprintf("127.0.0.1:%d", bp.PublisherPort()))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := pub.WaitSubscribed(ctx); err != nil {
		t.Fatal(err)
	}
	for { // until the SUB's subscription is in place at the backplane
		pub.SendFrames([]byte("sync"), nil)
		select {
		case <-sub.Messages():
			for len(sub.Messages()) > 0 {
				<-sub.Messages()
			}
			return pub, sub
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			t.Fatal("no delivery through the backplane")
		}
	}
}

func recv(t *testing.T, sub *zmtp.Sub) zmtp.Msg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		m, err := sub.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Topic()) != "sync" {
			return m
		}
	}
}

// Issue 9, defect 5: a 64 MiB payload could not pass, because the limit
// counted the topic and the frame headers. The default is now 256 MiB of
// topic and payload.
func TestSixtyFourMiBPayloadPasses(t *testing.T) {
	bp, _ := start(t, Options{PublisherPort: -1, SubscriberPort: -1})
	pub, sub := goPair(t, bp)
	payload := bytes.Repeat([]byte{0xa5}, 64<<20)
	pub.SendFrames([]byte("camera/frame"), payload)
	m := recv(t, sub)
	if string(m.Topic()) != "camera/frame" || !bytes.Equal(m.Frame(1), payload) {
		t.Fatalf("got topic %q with %d bytes", m.Topic(), len(m.Frame(1)))
	}
	if s := bp.Stats(); s.Refused != 0 || s.BadInput != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// The limit counts topic and payload alike; a message over it is dropped,
// logged with the publisher's address and counted, and the publisher's
// connection stays up.
func TestMaxMessageSizeRefusal(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	const limit = 1 << 20
	bp, _ := start(t, Options{PublisherPort: -1, SubscriberPort: -1, MaxMessageSize: limit, Logger: log})
	pub, sub := goPair(t, bp)
	topic := []byte("big")
	pub.SendFrames(topic, make([]byte, limit-len(topic))) // exactly the limit
	if m := recv(t, sub); len(m.Frame(1)) != limit-len(topic) {
		t.Fatalf("message at the limit: got %d bytes", len(m.Frame(1)))
	}
	pub.SendFrames(topic, make([]byte, limit-len(topic)+1)) // one over
	pub.SendFrames([]byte("after"), []byte("x"))
	if m := recv(t, sub); string(m.Topic()) != "after" {
		t.Fatalf("got %q, want the message after the refused one", m.Topic())
	}
	s := bp.Stats()
	if s.Refused != 1 || s.BadInput != 0 || s.Publishers != 1 {
		t.Fatalf("stats %+v: want 1 refused, publisher still connected", s)
	}
	if ps := pub.Stats(); ps.Connects != 1 {
		t.Fatalf("publisher reconnected (%d connects): its connection was closed", ps.Connects)
	}
	out := logs.String()
	if !strings.Contains(out, "message over the size limit") || !strings.Contains(out, "remote=127.0.0.1:") {
		t.Fatalf("refusal not logged with the peer's address:\n%s", out)
	}
}

// Issue 9, defect 4 at the backplane: one subscriber sending 10,000
// distinct SUBSCRIBEs, then every one of them matches.
func TestTenThousandSubscriptions(t *testing.T) {
	bp, _ := start(t, Options{PublisherPort: -1, SubscriberPort: -1, HWM: -1})
	o := zmtp.DefaultOptions()
	o.SendHWM = 0
	o.Logger = quiet
	sub := zmtp.NewSub(o)
	defer sub.Close()
	const n = 10000
	for i := range n {
		sub.Subscribe([]byte(fmt.Sprintf("sensor/%05d/", i)))
	}
	pub := zmtp.NewPub(o)
	defer pub.Close()
	sub.Connect(fmt.Sprintf("127.0.0.1:%d", bp.SubscriberPort()))
	pub.Connect(fmt.Sprintf("127.0.0.1:%d", bp.PublisherPort()))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pub.WaitSubscribed(ctx)
	last := fmt.Sprintf("sensor/%05d/t", n-1)
	for got := false; !got; { // applied in order: the last one proves all
		pub.SendFrames([]byte(last), nil)
		select {
		case <-sub.Messages():
			got = true
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			t.Fatal("subscriptions never applied")
		}
	}
	for len(sub.Messages()) > 0 {
		<-sub.Messages()
	}
	pub.SendFrames([]byte("other/1"), nil) // matches none
	for i := 0; i < n; i += 97 {
		pub.SendFrames([]byte(fmt.Sprintf("sensor/%05d/t", i)), nil)
	}
	for i := 0; i < n; i += 97 {
		m, err := sub.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("sensor/%05d/t", i); string(m.Topic()) != want {
			t.Fatalf("got %q, want %q", m.Topic(), want)
		}
	}
	if s := bp.Stats(); s.SubscriptionsRefused != 0 {
		t.Fatalf("stats %+v", s)
	}
}
