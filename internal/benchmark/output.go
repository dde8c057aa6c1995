package benchmark

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// csvColumns are WriteCSV's columns, in order, with how each is read from
// a result. Names are the JSON names, latency ones flattened.
var csvColumns = []struct {
	name string
	get  func(*RunResult) string
}{
	{"bus", func(r *RunResult) string { return r.Bus }},
	{"pubs", func(r *RunResult) string { return strconv.Itoa(r.Pubs) }},
	{"subs", func(r *RunResult) string { return strconv.Itoa(r.Subs) }},
	{"size", func(r *RunResult) string { return strconv.Itoa(r.Size) }},
	{"subscriptions", func(r *RunResult) string { return strconv.Itoa(r.Subscriptions) }},
	{"rate", func(r *RunResult) string { return fmtFloat(r.Rate) }},
	{"published", func(r *RunResult) string { return strconv.FormatUint(r.Published, 10) }},
	{"delivered", func(r *RunResult) string { return strconv.FormatUint(r.Delivered, 10) }},
	{"expected", func(r *RunResult) string { return strconv.FormatUint(r.Expected, 10) }},
	{"lost", func(r *RunResult) string { return strconv.FormatUint(r.Lost, 10) }},
	{"out_of_order", func(r *RunResult) string { return strconv.FormatUint(r.OutOfOrder, 10) }},
	{"foreign", func(r *RunResult) string { return strconv.FormatUint(r.Foreign, 10) }},
	{"seconds", func(r *RunResult) string { return fmtFloat(r.Seconds) }},
	{"publish_msg_per_sec", func(r *RunResult) string { return fmtFloat(r.PublishMsgPerSec) }},
	{"delivered_msg_per_sec", func(r *RunResult) string { return fmtFloat(r.DeliveredMsgPerSec) }},
	{"delivered_bytes_per_sec", func(r *RunResult) string { return fmtFloat(r.DeliveredBytesPerSec) }},
	{"latency_p50_us", func(r *RunResult) string { return fmtFloat(r.Latency.P50) }},
	{"latency_p90_us", func(r *RunResult) string { return fmtFloat(r.Latency.P90) }},
	{"latency_p99_us", func(r *RunResult) string { return fmtFloat(r.Latency.P99) }},
	{"latency_p999_us", func(r *RunResult) string { return fmtFloat(r.Latency.P999) }},
	{"latency_max_us", func(r *RunResult) string { return fmtFloat(r.Latency.Max) }},
	{"latency_mean_us", func(r *RunResult) string { return fmtFloat(r.Latency.Mean) }},
	{"forwarder_cpu_us_per_msg", func(r *RunResult) string { return fmtFloat(r.ForwarderCPUPerMsg) }},
	{"forwarder_peak_rss_mib", func(r *RunResult) string { return fmtFloat(r.ForwarderPeakRSSMiB) }},
	{"client_cpu_us_per_msg", func(r *RunResult) string { return fmtFloat(r.ClientCPUPerMsg) }},
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// CSVHeader is the header line WriteCSV writes, without the newline.
func CSVHeader() string {
	names := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		names[i] = c.name
	}
	return strings.Join(names, ",")
}

// WriteCSV writes one CSV row per result, after the header line
// (CSVHeader) when header is true. Rows of later runs can be appended to a
// file started with the header.
func WriteCSV(w io.Writer, header bool, rs ...RunResult) error {
	cw := csv.NewWriter(w)
	row := make([]string, len(csvColumns))
	if header {
		for i, c := range csvColumns {
			row[i] = c.name
		}
		cw.Write(row)
	}
	for k := range rs {
		for i, c := range csvColumns {
			row[i] = c.get(&rs[k])
		}
		cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("benchmark: writing CSV: %w", err)
	}
	return nil
}

// WriteJSON writes r as one JSON object on one line.
func WriteJSON(w io.Writer, r RunResult) error {
	if err := json.NewEncoder(w).Encode(r); err != nil {
		return fmt.Errorf("benchmark: writing JSON: %w", err)
	}
	return nil
}

// WriteSummary writes r for people: what ran, the rates, the latency
// percentiles, the loss and the CPU.
func WriteSummary(w io.Writer, r RunResult) error {
	var b strings.Builder
	rate := "as fast as possible"
	if r.Rate > 0 {
		rate = fmt.Sprintf("paced at %s msg/s each", humanCount(r.Rate))
	}
	fmt.Fprintf(&b, "%s: %d publisher(s) -> %d subscriber(s), %s payload, %d subscription(s) each, %s\n",
		r.Bus, r.Pubs, r.Subs, humanBytes(float64(r.Size)), r.Subscriptions, rate)
	fmt.Fprintf(&b, "  published %d at %s msg/s\n", r.Published, humanCount(r.PublishMsgPerSec))
	fmt.Fprintf(&b, "  delivered %d of %d in %.3f s: %s msg/s, %s/s\n", r.Delivered, r.Expected, r.Seconds,
		humanCount(r.DeliveredMsgPerSec), humanBytes(r.DeliveredBytesPerSec))
	if r.Subs > 1 {
		fmt.Fprintf(&b, "    per subscriber: %s msg/s\n", humanCount(r.DeliveredMsgPerSec/float64(r.Subs)))
	}
	fmt.Fprintf(&b, "  lost %d (%.3f%%), out of order %d", r.Lost, pct(r.Lost, r.Expected), r.OutOfOrder)
	if r.Foreign > 0 {
		fmt.Fprintf(&b, ", foreign messages ignored %d", r.Foreign)
	}
	b.WriteString("\n")
	l := r.Latency
	fmt.Fprintf(&b, "  latency µs: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (mean %s)\n",
		humanMicros(l.P50), humanMicros(l.P90), humanMicros(l.P99), humanMicros(l.P999), humanMicros(l.Max), humanMicros(l.Mean))
	if r.ForwarderCPUPerMsg > 0 || r.ForwarderPeakRSSMiB > 0 {
		fmt.Fprintf(&b, "  forwarder: %.3f µs CPU per delivered message, peak RSS %.1f MiB\n", r.ForwarderCPUPerMsg, r.ForwarderPeakRSSMiB)
	}
	if r.ClientCPUPerMsg > 0 {
		fmt.Fprintf(&b, "  clients (this process): %.3f µs CPU per delivered message\n", r.ClientCPUPerMsg)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func pct(n, of uint64) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// humanCount is v with a k or M suffix: 1.23M.
func humanCount(v float64) string {
	switch {
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 2, 64) + "M"
	case v >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// humanBytes is v bytes with a binary unit: 12.3 MiB.
func humanBytes(v float64) string {
	for _, u := range []struct {
		name string
		div  float64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if v >= u.div {
			return strconv.FormatFloat(v/u.div, 'f', 1, 64) + " " + u.name
		}
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " B"
}

// humanMicros is a latency in µs with a precision that suits it.
func humanMicros(v float64) string {
	if v >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}
