package table

import (
	"math"
	"strings"
	"testing"
)

const sample = `Bus,Subs,Size,ForwarderCPUPerMsg
libzmq,1,16,1.0
banyan,1,16,0.5
nats,1,16,0.8
banyan,1,16,0.7
Bus,Subs,Size,ForwarderCPUPerMsg
banyan,1,16,0.3
libzmq,1,16,2.0
libzmq,1,16,1.2
banyan,10,4096,0.25
libzmq,10,4096,0.5
nats,10,4096,1
banyan,10,4096,0.35
`

func TestMedians(t *testing.T) {
	d, err := Read(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Rows) != 11 {
		t.Fatalf("%d rows, want 11 (the repeated header skipped)", len(d.Rows))
	}
	m, err := d.Medians("subs", "forwarder_cpu_per_msg")
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{1, 10}; len(m.Xs) != 2 || m.Xs[0] != want[0] || m.Xs[1] != want[1] {
		t.Fatalf("xs %v, want %v", m.Xs, want)
	}
	if strings.Join(m.Buses, " ") != "banyan libzmq nats" {
		t.Fatalf("buses %v: ours first, then in order of appearance", m.Buses)
	}
	for _, c := range []struct {
		bus  string
		x    float64
		want float64
	}{
		{"banyan", 1, 0.5},  // 0.5 0.7 0.3
		{"libzmq", 1, 1.2},  // 1.0 2.0 1.2
		{"banyan", 10, 0.3}, // 0.25 0.35: the mean of the middle two
		{"nats", 10, 1},     // one row
		{"libzmq", 10, 0.5}, // one row
	} {
		if got := m.Value(c.bus, c.x); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s at %v: median %v, want %v", c.bus, c.x, got, c.want)
		}
	}
	if got := m.Ratio("libzmq", 1); math.Abs(got-0.5/1.2) > 1e-12 {
		t.Errorf("ratio banyan/libzmq at 1: %v, want %v", got, 0.5/1.2)
	}
	if got := m.Value("mqtt", 1); !math.IsNaN(got) {
		t.Errorf("absent bus: %v, want NaN", got)
	}
	if got := m.Ratio("mqtt", 1); !math.IsNaN(got) {
		t.Errorf("ratio to an absent bus: %v, want NaN", got)
	}
	if m.Count("banyan", 1) != 3 || m.Count("nats", 10) != 1 {
		t.Errorf("counts %d %d, want 3 1", m.Count("banyan", 1), m.Count("nats", 10))
	}
}

func TestDerivedMetric(t *testing.T) {
	d, err := Read(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	m, err := d.Medians("size", "ForwarderCPUPerMsg*1048576/Size")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Value("banyan", 4096), 0.3*256; math.Abs(got-want) > 1e-9 {
		t.Fatalf("CPU per MiB %v, want %v", got, want)
	}
	for _, bad := range []string{"Nope", "Size*", "*Size", "Size//2"} {
		if _, err := d.Medians("size", bad); err == nil {
			t.Errorf("metric %q: no error", bad)
		}
	}
	if _, err := d.Medians("conns", "Size"); err == nil {
		t.Error("a missing by column: no error")
	}
}

func TestMarkdown(t *testing.T) {
	d, err := Read(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	m, err := d.Medians("Subs", "ForwarderCPUPerMsg")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Markdown(&b, m); err != nil {
		t.Fatal(err)
	}
	want := `ForwarderCPUPerMsg by Subs, median of 1 to 3 runs:

| Subs | banyan | libzmq | nats | banyan/libzmq | banyan/nats |
|---|---|---|---|---|---|
| 1 | 0.5 | 1.2 | 0.8 | 0.42 | 0.62 |
| 10 | 0.3 | 0.5 | 1 | 0.60 | 0.30 |
`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestNumber(t *testing.T) {
	for v, want := range map[float64]string{
		1234567.8: "1,234,568", 1000: "1,000", -2500: "-2,500", 123.4: "123", 12.34: "12.3",
		0.0123: "0.0123", 5: "5", 0: "0", math.NaN(): "–",
	} {
		if got := Number(v); got != want {
			t.Errorf("Number(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestEmptyCells(t *testing.T) {
	d, err := Read(strings.NewReader("bus,conns,goroutines_per_conn\nbanyan,1000,1\nlibzmq,1000,\nbanyan,1000,1.5\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := d.Medians("conns", "goroutines_per_conn")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Value("banyan", 1000); got != 1.25 {
		t.Errorf("banyan %v, want 1.25", got)
	}
	if got := m.Value("libzmq", 1000); !math.IsNaN(got) || len(m.Buses) != 2 {
		t.Errorf("libzmq %v (buses %v): want NaN, the bus still listed", got, m.Buses)
	}
}

func TestReadErrors(t *testing.T) {
	if _, err := Read(strings.NewReader("")); err == nil {
		t.Error("empty: no error")
	}
	if _, err := Read(strings.NewReader("a,b\n1\n")); err == nil {
		t.Error("short row: no error")
	}
}
