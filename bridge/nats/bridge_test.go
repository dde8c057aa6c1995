package nats

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

var awkward = []string{"sensors/temp", "a.b c", "température", "", "/x/", "*", ">", "100%", "日本/語", "with space/and.dot"}

// Banyan to NATS: subject, headers and payload; NATS to Banyan: the
// header's topic exactly, else the subject mapped back.
func TestBothWays(t *testing.T) {
	ns := startNATS(t, false)
	bp := startBackplane(t)
	b := startBridge(t, bp, ns, Options{})
	nc := ns.client(t)
	got := subscribe(t, nc, "banyan.>")
	comp := bp.Connect(t, banyan.WithSubscriptions(""))

	for _, topic := range awkward {
		payload := pack(t, map[string]any{"topic": topic, "n": 1})
		if err := comp.PublishRaw(topic, payload); err != nil {
			t.Fatal(err)
		}
		m := next(t, got)
		want, _ := Subject(DefaultSubjectPrefix, topic)
		if m.Subject != want || !bytes.Equal(m.Data, payload) {
			t.Fatalf("topic %q: NATS got %q % x, want %q % x", topic, m.Subject, m.Data, want, payload)
		}
		if h, ok := topicFromHeader(m.Header.Get(HeaderTopic)); !ok || h != topic {
			t.Fatalf("topic %q: header %q", topic, m.Header.Get(HeaderTopic))
		}
		if m.Header.Get(HeaderBridge) != b.ID() || m.Header.Get(HeaderEncoding) != "msgpack" {
			t.Fatalf("headers %v", m.Header)
		}
		// The same message from another bridge comes back to Banyan with
		// its topic exact.
		m.Header.Set(HeaderBridge, "elsewhere")
		if err := nc.PublishMsg(&natsgo.Msg{Subject: m.Subject, Header: m.Header, Data: m.Data}); err != nil {
			t.Fatal(err)
		}
		for {
			in := testbp.Next(t, comp)
			if in.Topic == topic && bytes.Equal(in.Payload, payload) {
				break
			}
		}
		next(t, got) // our own import is not exported again, but the copy we published is seen here
	}

	// Without headers (a NATS program that is not a bridge): the subject
	// mapped back.
	if err := nc.Publish("banyan.actuators.servo%201", pack(t, 90)); err != nil {
		t.Fatal(err)
	}
	for {
		if in := testbp.Next(t, comp); in.Topic == "actuators/servo 1" {
			break
		}
	}
	testbp.WaitFor(t, "the counters", func() bool {
		s := b.Stats()
		return s.Imported == uint64(len(awkward))+1 && s.Exported == uint64(len(awkward)) && s.Echoes == s.Imported && s.OwnSkipped == s.Exported
	})
}

// The loop guard, both halves: with every topic exported and
// banyan.> imported, one message goes to NATS once and comes back to
// Banyan not at all; a message from NATS reaches Banyan once and is not
// exported again. Without the guard the same set-up loops for ever.
func TestLoopGuard(t *testing.T) {
	for _, guard := range []bool{true, false} {
		t.Run(fmt.Sprintf("guard=%v", guard), func(t *testing.T) {
			ns := startNATS(t, false)
			bp := startBackplane(t)
			b := startBridge(t, bp, ns, Options{noLoopGuard: !guard})
			nc := ns.client(t)
			got := subscribe(t, nc, "banyan.>")
			comp := bp.Connect(t, banyan.WithSubscriptions("from", "sentinel"))

			comp.Publish("from/banyan", 1)
			if err := nc.Publish("banyan.from.nats", pack(t, 2)); err != nil {
				t.Fatal(err)
			}
			// The sentinel, after both, marks the end of what should come.
			testbp.WaitFor(t, "the first messages", func() bool { return b.Stats().Imported >= 1 && b.Stats().Exported >= 1 })
			comp.Publish("sentinel", 3)
			counts := map[string]int{}
			for counts["banyan.sentinel"] == 0 {
				counts[next(t, got).Subject]++
			}
			if guard {
				if counts["banyan.from.banyan"] != 1 || counts["banyan.from.nats"] != 1 {
					t.Fatalf("NATS saw %v; want each message once", counts)
				}
				seen := map[string]int{}
				for len(seen) < 3 || seen["sentinel"] == 0 {
					seen[testbp.Next(t, comp).Topic]++
					if seen["sentinel"] > 0 {
						break
					}
				}
				if seen["from/banyan"] != 1 || seen["from/nats"] != 1 {
					t.Fatalf("Banyan saw %v; want each message once", seen)
				}
				testbp.WaitFor(t, "the guard to count both halves", func() bool {
					s := b.Stats()
					return s.OwnSkipped > 0 && s.Echoes > 0
				})
				return
			}
			// Without the guard the messages keep coming round.
			for counts["banyan.from.banyan"] < 5 {
				counts[next(t, got).Subject]++
			}
		})
	}
}

// Bad input from NATS is counted and skipped, and the next good message
// passes.
func TestBadInput(t *testing.T) {
	ns := startNATS(t, false)
	bp := startBackplane(t)
	b := startBridge(t, bp, ns, Options{Topics: []string{}})
	nc := ns.client(t)
	comp := bp.Connect(t, banyan.WithSubscriptions(""))
	bad := []*natsgo.Msg{
		{Subject: "banyan.bad", Data: []byte{0xc1}},             // not msgpack
		{Subject: "banyan.bad", Data: []byte{0x92, 0x01}},       // truncated
		{Subject: "banyan.bad", Data: append(pack(t, 1), 0x01)}, // two values
		{Subject: "banyan.bad", Data: nil},                      // empty
		{Subject: "banyan.%FF", Data: pack(t, 1)},               // not a UTF-8 topic
		{Subject: "banyan.__banyan/x", Data: pack(t, 1)},        // reserved
		{Subject: "banyan.x", Data: pack(t, 1), Header: natsgo.Header{ // bad headers
			HeaderTopic: {"%ZZ"}}},
		{Subject: "banyan.x", Data: pack(t, 1), Header: natsgo.Header{HeaderEncoding: {"yaml"}}},
		{Subject: "banyan.x", Data: []byte("{not json"), Header: natsgo.Header{HeaderEncoding: {"json"}}},
	}
	for _, m := range bad {
		if err := nc.PublishMsg(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.PublishMsg(&natsgo.Msg{Subject: "banyan.good", Data: []byte(`{"a": [1, true, null]}`),
		Header: natsgo.Header{HeaderEncoding: {"json"}}}); err != nil {
		t.Fatal(err)
	}
	m := testbp.Next(t, comp)
	if m.Topic != "good" || !bytes.Equal(m.Payload, pack(t, map[string]any{"a": []any{1, true, nil}})) {
		t.Fatalf("got %s", describe(m))
	}
	// The component can have the message before the bridge counts it.
	testbp.WaitFor(t, "the counters", func() bool { return b.Stats().Imported == 1 })
	if s := b.Stats(); s.ImportErrors != uint64(len(bad)) {
		t.Fatalf("import errors %d, want %d", s.ImportErrors, len(bad))
	}
}

// JSON for consumers that are not Banyan: compact text out, JSON in.
func TestJSONEncoding(t *testing.T) {
	ns := startNATS(t, false)
	bp := startBackplane(t)
	startBridge(t, bp, ns, Options{Encoding: JSON, Topics: []string{"out"}, Subjects: []string{"in.>"}})
	nc := ns.client(t)
	got := subscribe(t, nc, "banyan.>")
	comp := bp.Connect(t, banyan.WithSubscriptions("in"))
	comp.Publish("out/x", map[string]any{"servo": 7, "bytes": []byte("hi")})
	m := next(t, got)
	if string(m.Data) != `{"servo":7,"bytes":{"$bin":"aGk="}}` && string(m.Data) != `{"bytes":{"$bin":"aGk="},"servo":7}` {
		t.Fatalf("JSON %s", m.Data)
	}
	if err := nc.Publish("in.cmd", []byte(`{"angle": 90.5}`)); err != nil {
		t.Fatal(err)
	}
	in := testbp.Next(t, comp)
	if v, err := in.Map(); err != nil || in.Topic != "in/cmd" || v["angle"] != 90.5 {
		t.Fatalf("got %s %v", describe(in), err)
	}
}

// A server restart without JetStream: the bridge reconnects by itself,
// and what it could not keep meanwhile (the reconnect buffer is small
// here) is counted as dropped, never silently lost to the count.
func TestReconnectCountsLosses(t *testing.T) {
	ns := startNATS(t, false)
	bp := startBackplane(t)
	b := startBridge(t, bp, ns, Options{Topics: []string{"data"}, Subjects: []string{}, ReconnectBuffer: 2048})
	comp := bp.Connect(t, banyan.WithHWM(0))
	ns.stop()
	testbp.WaitFor(t, "the bridge to see the server gone", func() bool { return !b.Stats().Connected })
	const n = 500
	for i := range n {
		comp.Publish("data", map[string]any{"i": i, "pad": "0123456789012345678901234567890123456789"})
	}
	testbp.WaitFor(t, "every message exported or dropped", func() bool {
		s := b.Stats()
		return s.Exported+s.Dropped == n
	})
	if s := b.Stats(); s.Dropped == 0 || s.Exported == 0 {
		t.Fatalf("exported %d, dropped %d: want some of each with a 2 KiB buffer", s.Exported, s.Dropped)
	}
	ns.start()
	testbp.WaitFor(t, "the reconnection", func() bool { return b.Stats().Connected && b.Stats().Reconnects == 1 })
	got := subscribe(t, ns.client(t), "banyan.data")
	testbp.WaitFor(t, "a message after the restart", func() bool {
		comp.Publish("data", "after")
		select {
		case <-got:
			return true
		case <-time.After(100 * time.Millisecond):
			return false
		}
	})
}

// Credentials: a token, user and password, and an NKey; refused ones fail
// New at once with ErrServer.
func TestAuth(t *testing.T) {
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	seedFile := filepath.Join(t.TempDir(), "user.nk")
	if err := os.WriteFile(seedFile, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	ns := startNATS(t, false, func(o *server.Options) {
		o.Users = []*server.User{{Username: "site1", Password: "s3cret"}}
		o.Nkeys = []*server.NkeyUser{{Nkey: pub}}
	})
	bp := startBackplane(t)
	startBridge(t, bp, ns, Options{User: "site1", Password: "s3cret"})
	startBridge(t, bp, ns, Options{NKeyFile: seedFile})
	_, err = New(t.Context(), Options{Backplane: bp.Options(), Servers: []string{ns.url()}, User: "site1", Password: "wrong", Logger: quiet})
	if !errors.Is(err, ErrServer) {
		t.Fatalf("a wrong password: %v, want ErrServer", err)
	}
	tok := startNATS(t, false, func(o *server.Options) { o.Authorization = "tok3n" })
	startBridge(t, bp, tok, Options{Token: "tok3n"})
	if _, err := New(t.Context(), Options{Backplane: bp.Options(), Servers: []string{tok.url()}, Logger: quiet}); !errors.Is(err, ErrServer) {
		t.Fatalf("no token: %v, want ErrServer", err)
	}
}

func TestOptions(t *testing.T) {
	for _, o := range []Options{
		{Encoding: "xml"},
		{SubjectPrefix: "no-dot"},
		{Subjects: []string{"a..b"}},
		{JetStream: "S"}, // no bridge id
		{JetStream: "S", BridgeID: "x", NoSubjectPrefix: true},
		{BridgeID: "has space"},
		{Servers: []string{" , "}},
	} {
		if _, err := o.withDefaults(); !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: %v, want ErrOptions", o, err)
		}
	}
	o, err := Options{Servers: []string{"nats://a:1,nats://b:2", "nats://c:3"}}.withDefaults()
	if err != nil || len(o.Servers) != 3 || o.Subjects[0] != "banyan.>" || o.Topics[0] != "" {
		t.Fatalf("%+v %v", o, err)
	}
}

// TLS: a server that requires it; the bridge connects with the CA, and
// without it (an unknown authority) New fails at once with ErrServer.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	pool, _, certFile, keyFile := testbp.Certs(t, dir)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ns := startNATS(t, false, func(o *server.Options) {
		o.TLS = true
		o.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	})
	bp := startBackplane(t)
	url := "tls://127.0.0.1:" + strconv.Itoa(ns.opts.Port)
	b := startBridge(t, bp, ns, Options{Servers: []string{url}, TLS: &tls.Config{RootCAs: pool}, Subjects: []string{}})
	nc := ns.client(t, natsgo.Secure(&tls.Config{RootCAs: pool}))
	got := subscribe(t, nc, "banyan.>")
	bp.Connect(t).Publish("over/tls", 1)
	if m := next(t, got); m.Subject != "banyan.over.tls" {
		t.Fatalf("got %q", m.Subject)
	}
	if !b.Stats().Connected {
		t.Fatal("not connected")
	}
	start := time.Now()
	_, err = New(t.Context(), Options{Backplane: bp.Options(), Servers: []string{url}, TLS: &tls.Config{}, Logger: quiet})
	if !errors.Is(err, ErrServer) || time.Since(start) > 5*time.Second {
		t.Fatalf("an unknown CA: %v after %v, want ErrServer at once", err, time.Since(start))
	}
}

// Imports keep NATS's order across subjects: one publisher alternating
// between two imported subjects is received in its order.
func TestImportOrderAcrossSubjects(t *testing.T) {
	ns := startNATS(t, false)
	bp := startBackplane(t)
	startBridge(t, bp, ns, Options{Topics: []string{}, Subjects: []string{"banyan.a.>", "banyan.b.>"}})
	nc := ns.client(t)
	comp := bp.Connect(t, banyan.WithSubscriptions(""))
	// Fewer than the queues between here and comp hold (1000), so that a
	// slow test process loses nothing and a gap can only be disorder.
	const n = 500
	for i := range n {
		subject := "banyan.a.x"
		if i%2 == 1 {
			subject = "banyan.b.y"
		}
		if err := nc.Publish(subject, pack(t, i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		m := testbp.Next(t, comp)
		if v, err := m.Value(); err != nil || v != int64(i) {
			t.Fatalf("message %d is %s", i, describe(m))
		}
	}
}
