package benchmark

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latency is the publish-to-delivery time over every delivered message, in
// microseconds.
type Latency struct {
	P50  float64 `json:"p50_us"`
	P90  float64 `json:"p90_us"`
	P99  float64 `json:"p99_us"`
	P999 float64 `json:"p999_us"`
	Max  float64 `json:"max_us"`
	Mean float64 `json:"mean_us"`
}

// The histogram's range: 1 µs to 60 s, to 3 significant figures. Values are
// recorded in nanoseconds, so the resolution below a microsecond is kept
// where the figures allow it.
const (
	histLowest  = int64(time.Microsecond)
	histHighest = int64(60 * time.Second)
	histDigits  = 3
)

// latencyHist is one subscriber's latency record.
type latencyHist struct{ h *hdrhistogram.Histogram }

func newLatencyHist() latencyHist {
	return latencyHist{hdrhistogram.New(histLowest, histHighest, histDigits)}
}

// record adds one latency in nanoseconds, clamped into the histogram's
// range (a clock step can make it negative; a stalled run, huge). It does
// not allocate.
func (l latencyHist) record(ns int64) {
	l.h.RecordValue(min(max(ns, 0), histHighest))
}

// merge adds every value of o.
func (l latencyHist) merge(o latencyHist) { l.h.Merge(o.h) }

// count is how many latencies were recorded.
func (l latencyHist) count() int64 { return l.h.TotalCount() }

// latency summarises the record in microseconds (all zero when empty).
func (l latencyHist) latency() Latency {
	if l.h.TotalCount() == 0 {
		return Latency{}
	}
	us := func(ns int64) float64 { return float64(ns) / 1e3 }
	return Latency{
		P50:  us(l.h.ValueAtQuantile(50)),
		P90:  us(l.h.ValueAtQuantile(90)),
		P99:  us(l.h.ValueAtQuantile(99)),
		P999: us(l.h.ValueAtQuantile(99.9)),
		Max:  us(l.h.Max()),
		Mean: l.h.Mean() / 1e3,
	}
}
