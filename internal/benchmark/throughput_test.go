package benchmark

import (
	"context"
	"testing"

	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
)

// benchThroughput runs the component throughput load through an in-process
// backplane (go test -bench Throughput -cpuprofile for profiles).
func benchThroughput(b *testing.B, raw bool) {
	bp := testbp.Start(b, backplane.Options{HWM: backplane.Unlimited})
	b.ResetTimer()
	res, err := Throughput(context.Background(), ThroughputConfig{Host: "127.0.0.1", PublisherPort: bp.PublisherPort(),
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
