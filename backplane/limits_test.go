package backplane

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"runtime"
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
	o.MaxMessageSize = Unlimited
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
			// A sync sent after this one may still be on its way: a
			// fence behind them all, read through, leaves nothing in
			// flight (one connection each way keeps the order), so the
			// caller's counts start from rest.
			pub.SendFrames([]byte("fence"), nil)
			for {
				select {
				case m := <-sub.Messages():
					if string(m.Topic()) == "fence" {
						return pub, sub
					}
				case <-ctx.Done():
					t.Fatal("the fence never came through the backplane")
				}
			}
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
	bp, _ := start(t, Options{PublisherPort: FreePort, SubscriberPort: FreePort})
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
	bp, _ := start(t, Options{PublisherPort: FreePort, SubscriberPort: FreePort, MaxMessageSize: limit, Logger: log})
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
	bp, _ := start(t, Options{PublisherPort: FreePort, SubscriberPort: FreePort, HWM: Unlimited})
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

// Issue 9, "buffers grow and shrink with use": an idle connection costs a
// few KiB, not two 64 KiB buffers. 200 Go components (a PUB and a SUB
// each, 400 connections to the backplane and 400 ends on the client
// side, all in this process) each send one 3,000-byte message, which
// makes the readers borrow a large buffer, then go quiet. Before, this
// held 583 KiB per component; now about 74 (28 of it the SUB's receive
// channel, the rest mostly goroutine stacks).
func TestIdleConnectionMemory(t *testing.T) {
	bp, _ := start(t, Options{PublisherPort: FreePort, SubscriberPort: FreePort})
	o := zmtp.DefaultOptions()
	o.Logger = quiet
	measure := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse + m.StackInuse
	}
	base := measure()
	const n = 200
	for range n {
		s := zmtp.NewSub(o)
		s.Subscribe([]byte("idle"))
		s.Connect(fmt.Sprintf("127.0.0.1:%d", bp.SubscriberPort()))
		defer s.Close()
		p := zmtp.NewPub(o)
		p.Connect(fmt.Sprintf("127.0.0.1:%d", bp.PublisherPort()))
		defer p.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := p.WaitSubscribed(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		p.SendFrames([]byte("nobody"), make([]byte, 3000))
	}
	deadline := time.Now().Add(time.Minute)
	for s := bp.Stats(); s.Forwarded < n || s.Subscribers < n; s = bp.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	per := (measure() - base) / n / 1024
	t.Logf("heap and stacks per idle component (PUB+SUB, both ends of both connections): %d KiB", per)
	if per > 200 {
		t.Fatalf("%d KiB per idle component, want under 200 (it was 583 with two 64 KiB buffers per connection)", per)
	}
}
