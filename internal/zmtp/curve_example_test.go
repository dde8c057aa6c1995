package zmtp_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/gobanyan/banyan/internal/curve"
	"github.com/gobanyan/banyan/internal/zmtp"
)

// A CURVE PUB (the server: it binds) admitting one client key, and a CURVE
// SUB (a client: it dials) that knows the server's public key.
func ExampleCurve() {
	srvPub, srvSec, _ := curve.GenerateKeyPair(nil)
	cliPub, cliSec, _ := curve.GenerateKeyPair(nil)
	o := zmtp.DefaultOptions()
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))

	so := o
	so.Curve = &zmtp.Curve{Server: curve.NewServer(srvPub, srvSec, &curve.ServerOptions{
		Authorize: func(k curve.Key) error {
			if k != cliPub {
				return fmt.Errorf("unknown key %s", k)
			}
			return nil
		},
	})}
	pub := zmtp.NewPub(so)
	defer pub.Close()
	addr, err := pub.Bind("tcp://127.0.0.1:0")
	if err != nil {
		panic(err)
	}

	co := o
	co.Curve = &zmtp.Curve{ServerKey: srvPub, Public: cliPub, Secret: cliSec}
	sub := zmtp.NewSub(co)
	defer sub.Close()
	sub.Subscribe([]byte("temp"))
	sub.Connect("tcp://" + addr.String())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := sub.Sync(ctx); err != nil {
		panic(err)
	}
	pub.SendFrames([]byte("temperature"), []byte("21.5"))
	m, _ := sub.Recv(ctx)
	fmt.Printf("%s %s, from a client known by its key: %v\n", m.Frame(0), m.Frame(1), pub.Peers(0)[0].CurveKey == cliPub)
	// Output: temperature 21.5, from a client known by its key: true
}
