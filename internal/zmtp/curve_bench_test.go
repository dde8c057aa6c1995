package zmtp

import (
	"context"
	"testing"
	"time"
)

// BenchmarkPubSub100 is Pub→Sub throughput over loopback for 100-byte
// payloads (a 3-byte topic and a 100-byte frame), with CURVE off and on.
func BenchmarkPubSub100(b *testing.B) {
	for _, mode := range []string{"null", "curve"} {
		b.Run(mode, func(b *testing.B) {
			o := quiet()
			o.SendHWM = 0 // unlimited: the benchmark counts what arrives, none is dropped
			var pub *Pub
			var sub *Sub
			if mode == "curve" {
				k := newCurveKeys(b)
				pub, sub = NewPub(k.serverOpts(o, nil)), NewSub(k.clientOpts(o))
			} else {
				pub, sub = NewPub(o), NewSub(o)
			}
			defer pub.Close()
			defer sub.Close()
			addr, err := pub.Bind("tcp://127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			sub.Subscribe(nil)
			sub.Connect(addr.String())
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := sub.Sync(ctx); err != nil {
				b.Fatal(err)
			}
			m := NewMsg([]byte("t/x"), make([]byte, 100))
			b.SetBytes(int64(m.Size()))
			b.ReportAllocs()
			b.ResetTimer()
			go func() {
				for range b.N {
					pub.Send(m)
				}
			}()
			for range b.N {
				if _, err := sub.Recv(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
