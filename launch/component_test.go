package launch

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/codec"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/zmtp"
)

// Options.Component reaches the launcher's component: with
// WithMsgpack(MsgpackLegacy) its launch records are old-spec msgpack
// (what a javabanyan peer reads); without it they use str8.
func TestLauncherComponentOptions(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		tb := startBackplane(t)
		spy := zmtp.NewSub(zmtp.Options{Logger: quietLog})
		defer spy.Close()
		spy.Subscribe([]byte("box"))
		spy.Connect(net.JoinHostPort("127.0.0.1", strconv.Itoa(tb.SubscriberPort())))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := spy.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		var out testbp.Buffer
		o := tb.launcherOptions(&out)
		o.Auth.InsecurePythonCompat = true
		if legacy {
			o.Component = []banyan.Option{banyan.WithMsgpack(banyan.MsgpackLegacy)}
		}
		l, err := New(load(t, `python3 a_gateway_with_a_long_name.py,no,box,no,no,0`), o)
		if err != nil {
			t.Fatal(err)
		}
		lctx, stop := context.WithCancel(context.Background())
		wait := runAsync(func() error { return l.Run(lctx) })
		m, err := spy.Recv(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stop()
		if err := wait(); err != nil {
			t.Fatal(err)
		}
		if got := codec.IsLegacy(m.Frame(1)); got != legacy {
			t.Fatalf("legacy option %v: the launch record is old-spec msgpack: %v (% x)", legacy, got, m.Frame(1))
		}
	}
}
