package backplane_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/curve"
	"github.com/gobanyan/banyan/internal/testbp"
)

func keyPair(t *testing.T) (pub, sec [32]byte) {
	t.Helper()
	p, s, err := curve.GenerateKeyPair(nil)
	if err != nil {
		t.Fatal(err)
	}
	return p, s
}

// A CURVE backplane: admitted components talk, a NULL one and one with an
// unlisted key are refused and counted, and Reauthorize closes a component
// whose key was removed.
func TestCurveBackplane(t *testing.T) {
	srvPub, srvSec := keyPair(t)
	alicePub, aliceSec := keyPair(t)
	bobPub, bobSec := keyPair(t)
	evePub, eveSec := keyPair(t)
	var mu sync.Mutex
	allowed := map[[32]byte]bool{alicePub: true, bobPub: true}
	bp := testbp.Start(t, backplane.Options{CurveSecretKey: srvSec, Authorize: func(k [32]byte) error {
		mu.Lock()
		defer mu.Unlock()
		if !allowed[k] {
			return errors.New("not listed")
		}
		return nil
	}})
	if bp.CurvePublicKey() != curve.Key(srvPub).String() {
		t.Fatalf("CurvePublicKey %q", bp.CurvePublicKey())
	}
	alice := bp.Connect(t, banyan.WithCurve(srvPub, alicePub, aliceSec), banyan.WithSubscriptions("secret"))
	bob := bp.Connect(t, banyan.WithCurve(srvPub, bobPub, bobSec))
	bob.Publish("secret", map[string]any{"code": 1234})
	if m := testbp.Next(t, alice); m.Topic != "secret" {
		t.Fatalf("alice got %q", m.Topic)
	}

	short := func(opts ...banyan.Option) error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		c, err := banyan.Connect(ctx, append(bp.Options(opts...), banyan.WithConnectTimeout(2*time.Second))...)
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := short(); err == nil {
		t.Error("a NULL component connected to a CURVE backplane")
	}
	if err := short(banyan.WithCurve(srvPub, evePub, eveSec)); err == nil {
		t.Error("a component with an unlisted key connected")
	}
	if bp.Stats().Unauthorized == 0 {
		t.Error("the unlisted key was not counted")
	}
	if err := short(banyan.WithCurve(evePub, alicePub, aliceSec)); err == nil {
		t.Error("a component with the wrong server key connected")
	}

	mu.Lock()
	delete(allowed, bobPub)
	mu.Unlock()
	if n := bp.Reauthorize(); n != 2 {
		t.Errorf("Reauthorize closed %d connections, want bob's 2", n)
	}
	testbp.WaitFor(t, "bob to be cut off", func() bool { return !bob.Stats().Connected })
	if !alice.Stats().Connected {
		t.Error("alice was cut off too")
	}
}
