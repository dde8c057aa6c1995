package firmata_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/firmata"
	"github.com/gobanyan/banyan/gateway/firmata/firmatasim"
)

// BenchmarkDigitalWriteLatency times a digital_write from its Publish on
// the backplane to the DIGITAL_MESSAGE parsed by the simulated firmware on
// a pty (client -> backplane -> gateway -> driver -> pty -> firmware), and
// reports the median and 99th percentile.
func BenchmarkDigitalWriteLatency(b *testing.B) {
	arrived := make(chan time.Time, 16)
	r := newRig(b, rigOptions{dev: firmatasim.Options{OnMessage: func(at time.Time, msg []byte) {
		if len(msg) == 3 && msg[0]&0xF0 == 0x90 {
			select {
			case arrived <- at:
			default:
			}
		}
	}}})
	r.send(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(13)})
	r.wait("pin 13 an output", func() bool { return r.dev.Mode(13) == 1 })
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		r.send(gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(13), Value: i & 1})
		select {
		case at := <-arrived:
			lat = append(lat, at.Sub(start))
		case <-time.After(patience):
			b.Fatal("the write never reached the firmware")
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "median-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkAnalogReportRate counts the analog_input reports a client
// receives with the six analog channels reported at a 1 ms sampling
// interval (every sample, Options.AnalogChange -1), on a pty.
func BenchmarkAnalogReportRate(b *testing.B) {
	r := newRig(b, rigOptions{board: firmata.Options{SamplingInterval: time.Millisecond, AnalogChange: -1}})
	for ch := range 6 {
		r.send(gateway.Command{Name: gateway.CmdSetModeAnalogInput, Pin: new(ch)})
	}
	r.wait("six channels reporting", func() bool { return r.dev.AnalogReporting(5) })
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		r.next("analog_input", func(_ string, rep gateway.Report) bool { _, ok := rep.(gateway.AnalogInput); return ok })
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reports/s")
}
