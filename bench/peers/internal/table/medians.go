package table

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Ours is the bus the ratio columns compare with the others.
const Ours = "banyan"

// Medians is one value per bus and x: the median over the rows with that
// bus and x.
type Medians struct {
	By, Metric string
	Xs         []float64 // ascending
	Buses      []string  // Ours first, then in order of first appearance
	values     map[string]map[float64]float64
	counts     map[string]map[float64]int
}

// Medians groups d's rows by the "bus" column and the column by, and takes
// the median of metric (see the package comment) in each group. Empty
// cells (a measure a bus does not have) are left out.
func (d *Data) Medians(by, metric string) (*Medians, error) {
	busCol, err := d.Column("bus")
	if err != nil {
		return nil, err
	}
	xCol, err := d.Column(by)
	if err != nil {
		return nil, err
	}
	m, err := d.parseMetric(metric)
	if err != nil {
		return nil, err
	}
	groups := map[string]map[float64][]float64{}
	out := &Medians{By: by, Metric: metric, values: map[string]map[float64]float64{}, counts: map[string]map[float64]int{}}
	for i, row := range d.Rows {
		x, err := strconv.ParseFloat(strings.TrimSpace(row[xCol]), 64)
		if err != nil {
			return nil, fmt.Errorf("table: row %d, %s: %w", i+1, by, err)
		}
		v, err := m.eval(row)
		if err != nil {
			return nil, fmt.Errorf("table: row %d, %s: %w", i+1, metric, err)
		}
		bus := row[busCol]
		if groups[bus] == nil {
			groups[bus] = map[float64][]float64{}
			out.Buses = append(out.Buses, bus)
		}
		if !slices.Contains(out.Xs, x) {
			out.Xs = append(out.Xs, x)
		}
		if !math.IsNaN(v) {
			groups[bus][x] = append(groups[bus][x], v)
		}
	}
	slices.Sort(out.Xs)
	if i := slices.Index(out.Buses, Ours); i > 0 {
		out.Buses = append([]string{Ours}, slices.Delete(out.Buses, i, i+1)...)
	}
	for bus, byX := range groups {
		out.values[bus] = map[float64]float64{}
		out.counts[bus] = map[float64]int{}
		for x, vs := range byX {
			if len(vs) == 0 {
				continue
			}
			out.values[bus][x] = Median(vs)
			out.counts[bus][x] = len(vs)
		}
	}
	return out, nil
}

// Value is the median for bus at x, NaN when there is none.
func (m *Medians) Value(bus string, x float64) float64 {
	if v, ok := m.values[bus][x]; ok {
		return v
	}
	return math.NaN()
}

// Count is how many rows the median for bus at x was taken over.
func (m *Medians) Count(bus string, x float64) int { return m.counts[bus][x] }

// Ratio is Value(Ours, x) / Value(other, x), NaN when either is missing.
func (m *Medians) Ratio(other string, x float64) float64 {
	return m.Value(Ours, x) / m.Value(other, x)
}

// Median is the median of vs (the mean of the middle two for an even
// count), NaN for none. vs is not changed.
func Median(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
