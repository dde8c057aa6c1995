package nats

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = testbp.Quiet()

// natsServer is an embedded nats-server on a fixed port, which it keeps
// across restarts (and its JetStream store, when it has one).
type natsServer struct {
	t     *testing.T
	opts  server.Options
	s     *server.Server
	tweak func(*server.Options)
}

// startNATS starts a server on a free port; jetstream gives it a store in
// a temporary directory.
func startNATS(t *testing.T, jetstream bool, tweak ...func(*server.Options)) *natsServer {
	t.Helper()
	ns := &natsServer{t: t, opts: server.Options{
		Host: "127.0.0.1", Port: testbp.FreePort(t), NoLog: true, NoSigs: true,
	}}
	if jetstream {
		ns.opts.JetStream = true
		ns.opts.StoreDir = t.TempDir()
	}
	for _, f := range tweak {
		f(&ns.opts)
	}
	ns.start()
	t.Cleanup(ns.stop)
	return ns
}

func (ns *natsServer) start() {
	ns.t.Helper()
	o := ns.opts // NewServer keeps and changes its options
	s, err := server.NewServer(&o)
	if err != nil {
		ns.t.Fatal(err)
	}
	s.Start()
	if !s.ReadyForConnections(30 * time.Second) {
		ns.t.Fatal("nats-server not ready after 30 s")
	}
	ns.s = s
}

func (ns *natsServer) stop() {
	if ns.s != nil {
		ns.s.Shutdown()
		ns.s.WaitForShutdown()
		ns.s = nil
	}
}

func (ns *natsServer) url() string { return "nats://127.0.0.1:" + strconv.Itoa(ns.opts.Port) }

// client is a plain nats.go connection to the server, reconnecting.
func (ns *natsServer) client(t *testing.T, opts ...natsgo.Option) *natsgo.Conn {
	t.Helper()
	nc, err := natsgo.Connect(ns.url(), append([]natsgo.Option{natsgo.MaxReconnects(-1), natsgo.ReconnectWait(100 * time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// subscribe collects a subject's messages on a channel.
func subscribe(t *testing.T, nc *natsgo.Conn, subject string) chan *natsgo.Msg {
	t.Helper()
	ch := make(chan *natsgo.Msg, 10000)
	if _, err := nc.ChanSubscribe(subject, ch); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return ch
}

func next(t *testing.T, ch chan *natsgo.Msg) *natsgo.Msg {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("no NATS message within 20 s")
	}
	return nil
}

// startBridge starts a bridge on bp and ns, and Runs it until the test
// ends.
func startBridge(t *testing.T, bp *testbp.BP, ns *natsServer, o Options) *Bridge {
	t.Helper()
	o.Backplane = append(bp.Options(), o.Backplane...)
	if o.Servers == nil {
		o.Servers = []string{ns.url()}
	}
	if o.Logger == nil {
		o.Logger = quiet
	}
	b, err := New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && err != banyan.ErrClosed {
			t.Errorf("Run: %v", err)
		}
	})
	return b
}

func startBackplane(t *testing.T) *testbp.BP { return testbp.Start(t, backplane.Options{}) }

// pack is a msgpack payload.
func pack(t *testing.T, v any) []byte {
	t.Helper()
	b, err := banyan.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func describe(m *banyan.Message) string { return fmt.Sprintf("%q % x", m.Topic, m.Payload) }
