package table

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Markdown writes m as a Markdown table: one row per x, one column per
// bus, then ratio columns Ours/libzmq, Ours/nats, Ours/mqtt for those
// present, preceded by a line naming the metric and the number of runs.
func Markdown(w io.Writer, m *Medians) error {
	var ratios []string
	for _, p := range [...]string{"libzmq", "nats", "mqtt"} {
		if slices.Contains(m.Buses, p) && slices.Contains(m.Buses, Ours) {
			ratios = append(ratios, p)
		}
	}
	lo, hi := math.MaxInt, 0
	for _, bus := range m.Buses {
		for _, x := range m.Xs {
			if n := m.Count(bus, x); n > 0 {
				lo, hi = min(lo, n), max(hi, n)
			}
		}
	}
	runs := strconv.Itoa(hi)
	if lo != hi {
		runs = fmt.Sprintf("%d to %d", lo, hi)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s by %s, median of %s runs:\n\n| %s |", m.Metric, m.By, runs, m.By)
	for _, bus := range m.Buses {
		fmt.Fprintf(&b, " %s |", bus)
	}
	for _, p := range ratios {
		fmt.Fprintf(&b, " %s/%s |", Ours, p)
	}
	b.WriteString("\n|")
	for range 1 + len(m.Buses) + len(ratios) {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, x := range m.Xs {
		fmt.Fprintf(&b, "| %s |", Number(x))
		for _, bus := range m.Buses {
			fmt.Fprintf(&b, " %s |", Number(m.Value(bus, x)))
		}
		for _, p := range ratios {
			r := m.Ratio(p, x)
			if math.IsNaN(r) || math.IsInf(r, 0) {
				b.WriteString(" – |")
			} else {
				fmt.Fprintf(&b, " %.2f |", r)
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Number formats v for a table: whole numbers with thousands separators
// from 1,000 on, three significant digits below, "–" for NaN.
func Number(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "–"
	case a >= 1000:
		s := strconv.FormatFloat(math.Round(a), 'f', 0, 64)
		for i := len(s) - 3; i > 0; i -= 3 {
			s = s[:i] + "," + s[i:]
		}
		if v < 0 {
			s = "-" + s
		}
		return s
	case a >= 100 || v == math.Trunc(v):
		return strconv.FormatFloat(v, 'f', 0, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}
