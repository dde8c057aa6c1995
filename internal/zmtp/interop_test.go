package zmtp

import (
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/testpeer"
)

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func startPy(t *testing.T, args ...string) *testpeer.Proc {
	py := testpeer.Python(t, "zmq", "msgpack")
	p := testpeer.Start(t, py, append([]string{"testdata/peer.py"}, args...)...)
	p.Expect("READY")
	return p
}

// collectTopics reads a pyzmq SUB's output until END and returns the topics.
func collectTopics(t *testing.T, p *testpeer.Proc) []string {
	t.Helper()
	var got []string
	for {
		l := p.Expect("MSG ")
		topic, _ := hex.DecodeString(strings.Fields(l)[1])
		if string(topic) == "END" {
			return got
		}
		got = append(got, string(topic))
	}
}

func countTopics(topics []string) string {
	n := map[string]int{}
	for _, tp := range topics {
		n[tp]++
	}
	var keys []string
	for k := range n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%d ", k, n[k])
	}
	return strings.TrimSpace(b.String())
}

// recvUntilEnd reads our SUB until topic END, skipping SYNC.
func recvUntilEnd(t *testing.T, sub *Sub) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []string
	for {
		m, err := sub.Recv(ctx)
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		switch tp := string(m.Topic()); tp {
		case "SYNC":
		case "END":
			return got
		default:
			if m.NumFrames() != 2 {
				t.Fatalf("%d frames", m.NumFrames())
			}
			got = append(got, tp)
		}
	}
}

// waitSync waits until our SUB sees the pyzmq PUB's SYNC messages, which
// proves the subscription reached libzmq, then lets it send.
func waitSync(t *testing.T, sub *Sub, p *testpeer.Proc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		m, err := sub.Recv(ctx)
		if err != nil {
			t.Fatalf("no SYNC from pyzmq PUB: %v", err)
		}
		if string(m.Topic()) == "SYNC" {
			p.Send("go")
			return
		}
	}
}

func newSub30(o Options, v30 bool) *Sub {
	s := NewSub(o)
	if v30 {
		s.s.minor = 0
	}
	return s
}

func newPub30(o Options, v30 bool) *Pub {
	p := NewPub(o)
	if v30 {
		p.s.minor = 0
	}
	return p
}

// pyzmq PUB -> our SUB, prefix AB: ABC and ABD only. Both greetings, both
// bind directions.
func TestInteropPyPubToOurSub(t *testing.T) {
	for _, v30 := range []bool{false, true} {
		for _, pyBinds := range []bool{true, false} {
			t.Run(fmt.Sprintf("zmtp3.0=%v/pyBinds=%v", v30, pyBinds), func(t *testing.T) {
				port := freePort(t)
				ep := fmt.Sprintf("tcp://127.0.0.1:%d", port)
				sub := newSub30(quiet(), v30)
				defer sub.Close()
				sub.Subscribe([]byte("AB"))
				sub.Subscribe([]byte("SYNC"))
				sub.Subscribe([]byte("END"))
				var p *testpeer.Proc
				if pyBinds {
					p = startPy(t, "pub", ep, "bind")
					sub.Connect(ep)
				} else {
					if _, err := sub.Bind(ep); err != nil {
						t.Fatal(err)
					}
					p = startPy(t, "pub", ep, "connect")
				}
				waitSync(t, sub, p)
				got := recvUntilEnd(t, sub)
				if c := countTopics(got); c != "ABC=5 ABD=5" {
					t.Fatalf("got %s, want ABC=5 ABD=5", c)
				}
			})
		}
	}
}

// our PUB -> pyzmq SUB subscribed to AB and to everything.
func TestInteropOurPubToPySub(t *testing.T) {
	for _, v30 := range []bool{false, true} {
		for _, prefix := range []string{"AB", "-"} {
			t.Run(fmt.Sprintf("zmtp3.0=%v/prefix=%s", v30, prefix), func(t *testing.T) {
				pub := newPub30(quiet(), v30)
				defer pub.Close()
				addr, err := pub.Bind("tcp://127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				args := []string{"sub", "tcp://" + addr.String(), "connect", prefix}
				if prefix != "-" {
					args = append(args, "END")
				}
				p := startPy(t, args...)
				want := map[string]int{"AB": 1, "END": 1}
				if prefix == "-" {
					want = map[string]int{"": 1}
				}
				waitFor(t, "pyzmq subscriptions", func() bool {
					ps := *pub.peers.Load()
					if len(ps) != 1 {
						return false
					}
					ps[0].mu.Lock()
					defer ps[0].mu.Unlock()
					return fmt.Sprint(ps[0].subs) == fmt.Sprint(want)
				})
				for i := 0; i < 5; i++ {
					for _, tp := range []string{"ABC", "ABD", "XYZ", "A"} {
						pub.SendFrames([]byte(tp), []byte{0x81, 0xa1, 'n', byte(i)})
					}
				}
				pub.SendFrames([]byte("END"), nil)
				wantCount := "ABC=5 ABD=5"
				if prefix == "-" {
					wantCount = "A=5 ABC=5 ABD=5 XYZ=5"
				}
				if c := countTopics(collectTopics(t, p)); c != wantCount {
					t.Fatalf("pyzmq SUB got %s, want %s", c, wantCount)
				}
			})
		}
	}
}

// Our PUB connects to a pyzmq SUB that binds.
func TestInteropOurPubConnects(t *testing.T) {
	ep := fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	p := startPy(t, "sub", ep, "bind", "-")
	pub := NewPub(quiet())
	defer pub.Close()
	pub.Connect(ep)
	waitFor(t, "subscription from pyzmq", func() bool {
		ps := *pub.peers.Load()
		return len(ps) == 1 && ps[0].set.Has("")
	})
	pub.SendFrames([]byte("hello"), []byte("world"))
	pub.SendFrames([]byte("END"), nil)
	l := p.Expect("MSG ")
	if l != "MSG "+hex.EncodeToString([]byte("hello"))+" "+hex.EncodeToString([]byte("world")) {
		t.Fatalf("pyzmq got %q", l)
	}
}

// Our PUB and SUB through a pyzmq zmq.device(FORWARDER), the Python
// backplane, for both greetings.
func TestInteropThroughPyForwarder(t *testing.T) {
	for _, v30 := range []bool{false, true} {
		t.Run(fmt.Sprintf("zmtp3.0=%v", v30), func(t *testing.T) {
			in, out := freePort(t), freePort(t)
			startPy(t, "fwd", fmt.Sprint(in), fmt.Sprint(out))
			pub := newPub30(quiet(), v30)
			defer pub.Close()
			pub.Connect(fmt.Sprintf("127.0.0.1:%d", in))
			sub := newSub30(quiet(), v30)
			defer sub.Close()
			sub.Subscribe([]byte("AB"))
			sub.Subscribe([]byte("SYNC"))
			sub.Subscribe([]byte("END"))
			sub.Connect(fmt.Sprintf("127.0.0.1:%d", out))
			// Sync: publish SYNC until it comes back through the forwarder.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			for synced := false; !synced; {
				pub.SendFrames([]byte("SYNC"), nil)
				c2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
				m, err := sub.Recv(c2)
				cancel2()
				synced = err == nil && string(m.Topic()) == "SYNC"
				if ctx.Err() != nil {
					t.Fatal("forwarder never delivered SYNC")
				}
			}
			for i := 0; i < 5; i++ {
				for _, tp := range []string{"ABC", "ABD", "XYZ", "A"} {
					pub.SendFrames([]byte(tp), []byte("x"))
				}
			}
			pub.SendFrames([]byte("END"), nil)
			if c := countTopics(recvUntilEnd(t, sub)); c != "ABC=5 ABD=5" {
				t.Fatalf("got %s", c)
			}
		})
	}
}

// libzmq answers our PING, so Sync works against a pyzmq PUB: after it, a
// message the PUB sends on the new prefix is delivered (no slow joiner).
func TestInteropSyncWithPyzmq(t *testing.T) {
	ep := fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	p := startPy(t, "pub", ep, "bind")
	sub := NewSub(quiet())
	defer sub.Close()
	sub.Subscribe([]byte("SYNC"))
	sub.Connect(ep)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sub.Sync(ctx); err != nil {
		t.Fatalf("no PONG from libzmq: %v", err)
	}
	p.Send("go")
}
