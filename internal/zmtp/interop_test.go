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
func recvUntilEnd(t *testing.T, sub *Sub) []Msg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []Msg
	for {
		m, err := sub.Recv(ctx)
		if err != nil {
			t.Fatalf("after %d messages: %v", len(got), err)
		}
		switch string(m.Topic()) {
		case "SYNC":
		case "END":
			return got
		default:
			got = append(got, m)
		}
	}
}

// checkPyPubMessages checks what our SUB, subscribed to AB, received from
// peer.py's pub role: the two-frame ABC and ABD five times each, and the odd
// shapes ABL (a 300-byte frame) and ABM (four frames, three empty or
// short), nothing else.
func checkPyPubMessages(t *testing.T, msgs []Msg) {
	t.Helper()
	var topics []string
	for _, m := range msgs {
		switch tp := string(m.Topic()); tp {
		case "ABL":
			if f := m.Frames(); len(f) != 2 || string(f[1]) != strings.Repeat("L", 300) {
				t.Errorf("ABL: %d frames, second of %d bytes", len(f), len(m.Frame(1)))
			}
		case "ABM":
			if f := m.Frames(); fmt.Sprintf("%q", f) != `["ABM" "" "xyz" ""]` {
				t.Errorf("ABM: %q", f)
			}
		default:
			if m.NumFrames() != 2 {
				t.Errorf("%s: %d frames", tp, m.NumFrames())
			}
		}
		topics = append(topics, string(m.Topic()))
	}
	if c := countTopics(topics); c != "ABC=5 ABD=5 ABL=1 ABM=1" {
		t.Fatalf("got %s, want ABC=5 ABD=5 ABL=1 ABM=1", c)
	}
}

// subVersions lists the versions sb's connections speak. Call it after a
// message from each has arrived (which orders the handshakes before it).
func subVersions(sb *Sub) string {
	sb.subMu.Lock()
	defer sb.subMu.Unlock()
	var vs []string
	for c := range sb.conns {
		vs = append(vs, c.version.String())
	}
	sort.Strings(vs)
	return strings.Join(vs, " ")
}

// pubVersions lists the versions p's connected peers speak.
func pubVersions(p *Pub) string {
	var vs []string
	for _, pp := range *p.peers.Load() {
		pp.mu.Lock()
		if pp.conn != nil {
			vs = append(vs, pp.conn.version.String())
		}
		pp.mu.Unlock()
	}
	sort.Strings(vs)
	return strings.Join(vs, " ")
}

// versions are the ZMTP versions our sockets can greet as, newest first.
var versions = []Version{Version31, Version30, Version20, Version10}

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

// withVersion returns o greeting as v.
func withVersion(o Options, v Version) Options {
	o.Version = v
	return o
}

// pyzmq PUB -> our SUB, prefix AB: ABC, ABD, ABL and ABM only, whole. Our
// SUB greets as each version (libzmq 4 speaks that version back), both bind
// directions. Greeting as 1.0 we send no subscriptions: libzmq's PUB sends
// such a peer everything, and our SUB filters.
func TestInteropPyPubToOurSub(t *testing.T) {
	for _, v := range versions {
		for _, pyBinds := range []bool{true, false} {
			t.Run(fmt.Sprintf("zmtp%s/pyBinds=%v", v, pyBinds), func(t *testing.T) {
				port := freePort(t)
				ep := fmt.Sprintf("tcp://127.0.0.1:%d", port)
				sub := NewSub(withVersion(quiet(), v))
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
				checkPyPubMessages(t, recvUntilEnd(t, sub))
				if got := subVersions(sub); got != v.String() {
					t.Errorf("connection speaks ZMTP %s, want %s", got, v)
				}
				filtered := sub.Stats().Filtered
				if v == Version10 && filtered == 0 {
					t.Errorf("greeting as 1.0, our SUB filtered nothing: libzmq did not send it everything")
				}
				if v != Version10 && filtered != 0 {
					t.Errorf("greeting as %s, our SUB filtered %d messages: libzmq should have", v, filtered)
				}
			})
		}
	}
}

// our PUB -> pyzmq SUB subscribed to AB and to everything, our PUB
// greeting as each version. A 1.0 SUB sends no subscriptions we would
// heed: our PUB sends it everything and libzmq's SUB filters.
func TestInteropOurPubToPySub(t *testing.T) {
	long := strings.Repeat("L", 300)
	for _, v := range versions {
		for _, prefix := range []string{"AB", "-"} {
			t.Run(fmt.Sprintf("zmtp%s/prefix=%s", v, prefix), func(t *testing.T) {
				pub := NewPub(withVersion(quiet(), v))
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
				if prefix == "-" || v == Version10 {
					want = map[string]int{"": 1}
				}
				waitFor(t, "pyzmq subscriptions", func() bool {
					ps := *pub.peers.Load()
					if len(ps) != 1 {
						return false
					}
					ps[0].mu.Lock()
					defer ps[0].mu.Unlock()
					if v == Version10 {
						return ps[0].set.Has("") && ps[0].conn != nil
					}
					return fmt.Sprint(ps[0].subs) == fmt.Sprint(want)
				})
				if got := pubVersions(pub); got != v.String() {
					t.Errorf("connection speaks ZMTP %s, want %s", got, v)
				}
				for i := 0; i < 5; i++ {
					for _, tp := range []string{"ABC", "ABD", "XYZ", "A"} {
						pub.SendFrames([]byte(tp), []byte{0x81, 0xa1, 'n', byte(i)})
					}
				}
				pub.SendFrames([]byte("ABL"), []byte(long))
				pub.SendFrames([]byte("ABM"), nil, []byte("xyz"), nil)
				pub.SendFrames([]byte("XYZL"), []byte(long))
				pub.SendFrames([]byte("END"), nil)
				wantCount := "ABC=5 ABD=5 ABL=1 ABM=1"
				if prefix == "-" {
					wantCount = "A=5 ABC=5 ABD=5 ABL=1 ABM=1 XYZ=5 XYZL=1"
				}
				var topics []string
				for {
					l := p.Expect("MSG ")
					f := strings.Fields(l)[1:]
					topic, _ := hex.DecodeString(f[0])
					if string(topic) == "END" {
						break
					}
					topics = append(topics, string(topic))
					switch string(topic) {
					case "ABL", "XYZL":
						if len(f) != 2 || f[1] != hex.EncodeToString([]byte(long)) {
							t.Errorf("pyzmq got %s with %d frames, want a 300-byte second frame", topic, len(f))
						}
					case "ABM":
						if strings.Join(f[1:], " ") != "- "+hex.EncodeToString([]byte("xyz"))+" -" {
							t.Errorf("pyzmq got ABM frames %q", f[1:])
						}
					}
				}
				if c := countTopics(topics); c != wantCount {
					t.Fatalf("pyzmq SUB got %s, want %s", c, wantCount)
				}
			})
		}
	}
}

// Our PUB, greeting as each version, connects to a pyzmq SUB that binds.
func TestInteropOurPubConnects(t *testing.T) {
	for _, v := range versions {
		t.Run("zmtp"+v.String(), func(t *testing.T) {
			ep := fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
			p := startPy(t, "sub", ep, "bind", "-")
			pub := NewPub(withVersion(quiet(), v))
			defer pub.Close()
			pub.Connect(ep)
			waitFor(t, "subscription from pyzmq", func() bool {
				ps := *pub.peers.Load()
				if len(ps) != 1 {
					return false
				}
				ps[0].mu.Lock()
				defer ps[0].mu.Unlock()
				return ps[0].set.Has("") && ps[0].conn != nil
			})
			pub.SendFrames([]byte("hello"), []byte("world"))
			pub.SendFrames([]byte("END"), nil)
			l := p.Expect("MSG ")
			if l != "MSG "+hex.EncodeToString([]byte("hello"))+" "+hex.EncodeToString([]byte("world")) {
				t.Fatalf("pyzmq got %q", l)
			}
		})
	}
}

// Our PUB and SUB through a pyzmq zmq.device(FORWARDER), the Python
// backplane, greeting as each version.
func TestInteropThroughPyForwarder(t *testing.T) {
	for _, v := range versions {
		t.Run("zmtp"+v.String(), func(t *testing.T) {
			in, out := freePort(t), freePort(t)
			startPy(t, "fwd", fmt.Sprint(in), fmt.Sprint(out))
			pub := NewPub(withVersion(quiet(), v))
			defer pub.Close()
			pub.Connect(fmt.Sprintf("127.0.0.1:%d", in))
			sub := NewSub(withVersion(quiet(), v))
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
			var topics []string
			for _, m := range recvUntilEnd(t, sub) {
				topics = append(topics, string(m.Topic()))
			}
			if c := countTopics(topics); c != "ABC=5 ABD=5" {
				t.Fatalf("got %s", c)
			}
		})
	}
}

// libzmq answers our PING, so Sync works against a pyzmq PUB: after it,
// the messages the PUB sends on our prefixes are all delivered (no slow
// joiner), over ZMTP 3.1, where Sync is the PING's answer.
func TestInteropSyncWithPyzmq(t *testing.T) {
	ep := fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	p := startPy(t, "pub", ep, "bind")
	sub := NewSub(quiet())
	defer sub.Close()
	for _, prefix := range []string{"SYNC", "AB", "END"} {
		sub.Subscribe([]byte(prefix))
	}
	sub.Connect(ep)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sub.Sync(ctx); err != nil {
		t.Fatalf("no PONG from libzmq: %v", err)
	}
	if v := subVersions(sub); v != "3.1" {
		t.Fatalf("Sync returned with connections speaking %q, want one 3.1", v)
	}
	p.Send("go")
	checkPyPubMessages(t, recvUntilEnd(t, sub))
}
