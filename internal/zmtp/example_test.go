package zmtp_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/gobanyan/banyan/internal/zmtp"
)

// A PUB bound on a port and a SUB connected to it. Sync returns once the
// PUB has applied the SUB's subscriptions, so nothing is lost after it.
func Example() {
	o := zmtp.DefaultOptions()
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	pub := zmtp.NewPub(o)
	defer pub.Close()
	addr, err := pub.Bind("tcp://127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	sub := zmtp.NewSub(o)
	defer sub.Close()
	sub.Subscribe([]byte("temp"))
	sub.Connect("tcp://" + addr.String())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := sub.Sync(ctx); err != nil {
		panic(err)
	}
	pub.SendFrames([]byte("humidity"), []byte("40"))
	pub.SendFrames([]byte("temperature"), []byte("21.5"))
	m, _ := sub.Recv(ctx)
	fmt.Printf("%s %s\n", m.Frame(0), m.Frame(1))
	// Output: temperature 21.5
}
