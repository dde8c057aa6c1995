package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/benchmark"
	"github.com/gobanyan/banyan/internal/testbp"
)

// runBench runs "banyan bench args..." in process; stdout and stderr apart.
func runBench(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRoot()
	root.SetArgs(append([]string{"bench"}, args...))
	root.SetOut(&out)
	root.SetErr(&errOut)
	ctx, cancel := context.WithTimeout(context.Background(), testbp.Patience)
	defer cancel()
	err = root.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

func TestBenchCSV(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{HWM: backplane.Unlimited})
	out, errOut, err := runBench(t, append(bp.Args(), "--pubs", "2", "--subs", "2", "--msgs", "1000", "--size", "1K", "--csv")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("want a header and one row, got %d rows (%v):\n%s", len(rows), err, out)
	}
	if strings.Join(rows[0], ",") != benchmark.CSVHeader() {
		t.Fatalf("header %q", rows[0])
	}
	col := map[string]string{}
	for i, name := range rows[0] {
		col[name] = rows[1][i]
	}
	for name, want := range map[string]string{"bus": "banyan", "pubs": "2", "subs": "2", "size": "1024", "published": "1000",
		"expected": "2000", "delivered": "2000", "lost": "0"} {
		if col[name] != want {
			t.Errorf("%s = %q, want %q", name, col[name], want)
		}
	}
	if p50, err := strconv.ParseFloat(col["latency_p50_us"], 64); err != nil || p50 <= 0 {
		t.Errorf("latency_p50_us = %q", col["latency_p50_us"])
	}
	if errOut != "" {
		t.Errorf("stderr is not a terminal, yet: %q", errOut)
	}

	out, _, err = runBench(t, append(bp.Args(), "--msgs", "100", "--csv", "--no-header")...)
	if rows, _ := csv.NewReader(strings.NewReader(out)).ReadAll(); err != nil || len(rows) != 1 || rows[0][0] != "banyan" {
		t.Fatalf("--no-header: %v\n%s", err, out)
	}
}

func TestBenchJSONAndSummary(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{HWM: backplane.Unlimited})
	out, errOut, err := runBench(t, append(bp.Args(), "--subs", "3", "--msgs", "900", "--subscriptions", "50", "--window", "100", "--json")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var res benchmark.RunResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if res.Delivered != 2700 || res.Expected != 2700 || res.Subscriptions != 50 || res.Size != benchmark.DefaultSize || res.Latency.P99 <= 0 {
		t.Fatalf("%+v", res)
	}
	out, _, err = runBench(t, append(bp.Args(), "--msgs", "500", "--rate", "5000", "--size", "64")...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"banyan: 1 publisher(s) -> 1 subscriber(s), 64 B payload", "paced at 5000 msg/s", "delivered 500 of 500", "lost 0", "latency µs: p50 "} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestBenchBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--size", "15"},
		{"--size", "12x"},
		{"--msgs", "10", "--duration", "1s"},
		{"--json", "--csv"},
		{"--no-header"},
		{"--start", "--pid", "1"},
		{"--pubs", "0"},
		{"--subscriptions", "0"},
		{"--rate", "-1"},
		{"--start", "-b", "192.0.2.1"},
		{"extra-arg"},
	} {
		if _, _, err := runBench(t, append([]string{"-b", "127.0.0.1", "-p", "1", "-s", "1", "--connect-timeout", "100ms"}, args...)...); err == nil {
			t.Errorf("%q accepted", args)
		} else if strings.Contains(err.Error(), "Backplane is not running") {
			t.Errorf("%q: refused only when connecting: %v", args, err)
		}
	}
	port := strconv.Itoa(testbp.FreePort(t))
	_, _, err := runBench(t, "-b", "127.0.0.1", "-p", port, "-s", port, "--connect-timeout", "200ms", "--msgs", "10")
	if err == nil || !strings.Contains(err.Error(), "Backplane is not running") {
		t.Fatalf("no backplane: %v", err)
	}
}

// The subcommands still run under bench.
func TestBenchSubcommands(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{HWM: backplane.Unlimited})
	out, _, err := runBench(t, "forward", "-b", "127.0.0.1", "-p", strconv.Itoa(bp.PublisherPort()), "-s", strconv.Itoa(bp.SubscriberPort()),
		"--start=false", "-m", "1000", "--json")
	if err != nil || !strings.Contains(out, `"Delivered":1000`) {
		t.Fatalf("bench forward: %v\n%s", err, out)
	}
}

// --start runs our backplane as a child and measures it.
func TestBenchStart(t *testing.T) {
	exe := binary(t)
	ports := testbp.FreePorts(t, 2)
	out, err := exec.Command(exe, "bench", "--start", "-p", strconv.Itoa(ports[0]), "-s", strconv.Itoa(ports[1]),
		"--subs", "2", "--msgs", "2000", "--json").Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var res benchmark.RunResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if res.Delivered != 4000 || res.Lost != 0 {
		t.Fatalf("%+v", res)
	}
	if runtime.GOOS == "linux" && (res.ForwarderCPUPerMsg <= 0 || res.ForwarderPeakRSSMiB <= 0) {
		t.Fatalf("forwarder not measured: %+v", res)
	}
}
