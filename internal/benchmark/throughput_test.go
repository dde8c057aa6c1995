package benchmark

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/gobanyan/banyan/backplane"
)

// benchThroughput runs the component throughput load through an in-process
// backplane (go test -bench Throughput -cpuprofile for profiles).
func benchThroughput(b *testing.B, raw bool) {
	bp, err := backplane.New(backplane.Options{Bind: "127.0.0.1", PublisherPort: -1, SubscriberPort: -1, HWM: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go bp.Run(ctx)
	b.ResetTimer()
	res, err := Throughput(ctx, ThroughputConfig{Host: "127.0.0.1", PublisherPort: bp.PublisherPort(),
		SubscriberPort: bp.SubscriberPort(), Messages: b.N, Raw: raw})
	if err != nil {
		b.Fatal(err)
	}
	if res.Lost > 0 {
		b.Fatalf("lost %d", res.Lost)
	}
	b.ReportMetric(res.MsgPerSec, "msg/s")
}

// BenchmarkThroughput: Publish(struct) and Decode, as users do.
func BenchmarkThroughput(b *testing.B) { benchThroughput(b, false) }

// BenchmarkThroughputRaw: the transport alone (PublishRaw, no decoding).
func BenchmarkThroughputRaw(b *testing.B) { benchThroughput(b, true) }
