package banyan_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/curve"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
)

// Go CURVE components through libzmq's forwarder with CURVE (pyzmq
// zmq.device FORWARDER, curve_server on both sockets): one publishes, the
// other receives; a NULL component gets no connection.
func TestCurveThroughLibzmqForwarder(t *testing.T) {
	py := testpeer.Python(t, "zmq")
	srvPub, srvSec, err := curve.GenerateKeyPair(nil)
	if err != nil {
		t.Fatal(err)
	}
	ports := testbp.FreePorts(t, 2)
	fwd := testpeer.StartEnv(t, append(os.Environ(), "CURVE_SECRET="+srvSec.String()), py,
		"bench/pycurveforwarder.py", strconv.Itoa(ports[0]), strconv.Itoa(ports[1]))
	defer fwd.Kill() // it does not read stdin
	at := []banyan.Option{banyan.WithBackplane(testbp.Host), banyan.WithPorts(ports[0], ports[1]), banyan.WithLogger(testbp.Quiet())}
	withKeys := func() []banyan.Option {
		pub, sec, err := curve.GenerateKeyPair(nil)
		if err != nil {
			t.Fatal(err)
		}
		return append(append([]banyan.Option(nil), at...), banyan.WithCurve(srvPub, pub, sec))
	}
	ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
	defer cancel()
	sub, err := banyan.Connect(ctx, append(withKeys(), banyan.WithSubscriptions("enc"))...)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	pub, err := banyan.Connect(ctx, withKeys()...)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	var m *banyan.Message
	testbp.WaitFor(t, "a message through the CURVE forwarder", func() bool {
		pub.Publish("enc", map[string]any{"v": 7})
		select {
		case m = <-sub.Messages():
			return true
		case <-time.After(100 * time.Millisecond):
			return false
		}
	})
	if v, err := m.Map(); err != nil || v["v"] != int64(7) {
		t.Fatalf("received %v, %v", v, err)
	}
	nullCtx, nullCancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer nullCancel()
	if c, err := banyan.Connect(nullCtx, append(at, banyan.WithConnectTimeout(2*time.Second))...); err == nil {
		c.Close()
		t.Error("a NULL component connected to a CURVE forwarder")
	}
}
