package multi

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/curve"
	"github.com/gobanyan/banyan/internal/testbp"
)

// One component on an open backplane and on a CURVE one: the CURVE
// backplane's server key goes to that row only, through
// WithBackplaneOptions; without it the CURVE row is refused and Open
// fails; an option for a backplane not in the spec is an error.
func TestCurveOnOneBackplane(t *testing.T) {
	srvPub, srvSec, err := curve.GenerateKeyPair(nil)
	if err != nil {
		t.Fatal(err)
	}
	myPub, mySec, err := curve.GenerateKeyPair(nil)
	if err != nil {
		t.Fatal(err)
	}
	open := startBackplane(t)
	closed := &testBackplane{testbp.Start(t, backplane.Options{CurveSecretKey: srvSec})}
	peerOpen := open.peer(t, "out")
	peerClosed := closed.Connect(t, banyan.WithSubscriptions("out"), banyan.WithCurve(srvPub, myPub, mySec))

	spec, err := ParseSpec(strings.NewReader(Header+"\n"+open.row("Open", "[in]")+"\n"+closed.row("Closed", "[in]")+"\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Open(context.Background(), spec, WithLogger(quietLog),
		WithBackplaneOptions("Closed", banyan.WithCurve(srvPub, myPub, mySec)))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	r := run(t, m)
	peerClosed.Publish("in", "sealed")
	wantDelivery(t, r.next(t), "Closed", "in")
	peerOpen.Publish("in", "plain")
	wantDelivery(t, r.next(t), "Open", "in")
	if err := m.Publish("Closed", "out", 1); err != nil {
		t.Fatal(err)
	}
	if got := testbp.Next(t, peerClosed); got.Topic != "out" {
		t.Fatalf("the CURVE backplane's peer got %q", got.Topic)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if m2, err := Open(ctx, spec, WithLogger(quietLog), WithConnectTimeout(2*time.Second)); err == nil {
		m2.Close()
		t.Fatal("Open without the server key connected to the CURVE backplane")
	}
	if _, err := Open(ctx, spec, WithLogger(quietLog), WithBackplaneOptions("Nowhere", banyan.WithHWM(5))); !errors.Is(err, ErrUnknownBackplane) {
		t.Fatalf("option for an unknown backplane: %v, want ErrUnknownBackplane", err)
	}
}
