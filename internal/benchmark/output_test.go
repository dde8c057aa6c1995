package benchmark

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var sample = RunResult{Bus: "banyan", Pubs: 2, Subs: 3, Size: 1024, Subscriptions: 10, Rate: 50,
	Published: 1000, Delivered: 2990, Expected: 3000, Lost: 10, OutOfOrder: 2, Foreign: 1,
	Seconds: 1.5, PublishMsgPerSec: 666.5, DeliveredMsgPerSec: 1993.3, DeliveredBytesPerSec: 1993.3 * 1024,
	Latency:            Latency{P50: 50.5, P90: 80, P99: 120, P999: 300, Max: 1234.5, Mean: 60.25},
	ForwarderCPUPerMsg: 1.25, ForwarderPeakRSSMiB: 20.5, ClientCPUPerMsg: 3.5}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, true, sample, sample); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	if strings.Join(rows[0], ",") != CSVHeader() || len(rows[1]) != len(rows[0]) {
		t.Fatalf("header %q, row %q", rows[0], rows[1])
	}
	got := map[string]string{}
	for i, n := range rows[0] {
		got[n] = rows[1][i]
	}
	for n, want := range map[string]string{"bus": "banyan", "pubs": "2", "subs": "3", "size": "1024", "subscriptions": "10", "rate": "50",
		"lost": "10", "out_of_order": "2", "foreign": "1", "seconds": "1.5", "latency_p50_us": "50.5", "latency_max_us": "1234.5",
		"latency_mean_us": "60.25", "forwarder_cpu_us_per_msg": "1.25", "forwarder_peak_rss_mib": "20.5", "client_cpu_us_per_msg": "3.5"} {
		if got[n] != want {
			t.Errorf("%s = %q, want %q", n, got[n], want)
		}
	}
	// Every JSON field has its column.
	var m map[string]any
	js, _ := json.Marshal(sample)
	json.Unmarshal(js, &m)
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			for k2 := range sub {
				if _, ok := got["latency_"+k2]; !ok {
					t.Errorf("JSON field %s.%s has no CSV column", k, k2)
				}
			}
		} else if _, ok := got[k]; !ok {
			t.Errorf("JSON field %s has no CSV column", k)
		}
	}
	b.Reset()
	WriteCSV(&b, false, sample)
	if strings.Count(b.String(), "\n") != 1 || strings.HasPrefix(b.String(), "bus,") {
		t.Errorf("without header: %q", b.String())
	}
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sample); err != nil {
		t.Fatal(err)
	}
	var back RunResult
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back != sample {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	if strings.Count(b.String(), "\n") != 1 {
		t.Errorf("not one line: %q", b.String())
	}
}

func TestWriteSummary(t *testing.T) {
	var b bytes.Buffer
	if err := WriteSummary(&b, sample); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"banyan: 2 publisher(s) -> 3 subscriber(s), 1.0 KiB payload, 10 subscription(s) each, paced at 50 msg/s each",
		"delivered 2990 of 3000 in 1.500 s: 1993 msg/s, 1.9 MiB/s", "lost 10 (0.333%), out of order 2, foreign messages ignored 1",
		"p50 50.5  p90 80.0  p99 120  p99.9 300  max 1234", "forwarder: 1.250 µs CPU", "peak RSS 20.5 MiB", "3.500 µs CPU"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
}

func TestBar(t *testing.T) {
	var b bytes.Buffer
	bar := NewBar(&b, 80)
	bar.Update(Progress{Delivered: 500, Expected: 1000, Elapsed: 1200 * time.Millisecond})
	line := strings.TrimPrefix(b.String(), "\r")
	if len(line) != 79 || !strings.HasSuffix(line, "]  50%  delivered 500/1,000  1.2s") || strings.Count(line, "=") != (79-2-len("  50%  delivered 500/1,000  1.2s"))/2 {
		t.Errorf("bar %q (%d columns)", line, len(line))
	}
	b.Reset()
	NewBar(&b, 20).Update(Progress{Delivered: 5, Expected: 10}) // too narrow for the bar: the text, padded
	if b.String() != "\r  50%  delivered 5/10  0.0s" {
		t.Errorf("narrow: %q", b.String())
	}
	b.Reset()
	bar.Update(Progress{Delivered: 10, Expected: 10, Elapsed: 3 * time.Second, Planned: 2 * time.Second}) // past the plan
	if !strings.Contains(b.String(), "100%") || strings.Contains(b.String(), ">") {
		t.Errorf("full bar %q", b.String())
	}
	b.Reset()
	bar.Done()
	bar.Done()
	if b.String() != "\n" {
		t.Errorf("Done wrote %q", b.String())
	}
	if groupDigits(1234567) != "1,234,567" || groupDigits(12) != "12" || groupDigits(0) != "0" {
		t.Errorf("groupDigits: %s %s", groupDigits(1234567), groupDigits(12))
	}
}
