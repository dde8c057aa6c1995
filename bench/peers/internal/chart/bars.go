package chart

import (
	"fmt"
	"math"

	"github.com/gobanyan/banyan/bench/peers/internal/table"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// NewBars draws m as a grouped bar chart: a group per x value (named on
// the x axis), a bar per bus, for measures with few x values (one
// configuration, four buses). A missing value is a missing bar; LogX and
// LogY do not apply.
func NewBars(m *table.Medians, o Options) (*plot.Plot, error) {
	p := newPlot(m, o)
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	n := len(m.Buses)
	width := min(vg.Points(48), vg.Points(560)/vg.Length(len(m.Xs)*(n+1)))
	drawn := 0
	for i, bus := range m.Buses {
		vs := make(plotter.Values, len(m.Xs))
		has := false
		for k, x := range m.Xs {
			v := m.Value(bus, x)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				v = 0
			} else {
				has = true
			}
			vs[k] = v
		}
		if !has {
			continue
		}
		bars, err := plotter.NewBarChart(vs, width)
		if err != nil {
			return nil, fmt.Errorf("chart: %s: %w", bus, err)
		}
		bars.Color = plotutil.Color(i)
		bars.LineStyle.Width = 0
		bars.Offset = vg.Length(float64(i)-float64(n-1)/2) * width
		p.Add(bars)
		p.Legend.Add(bus, bars)
		drawn++
	}
	if drawn == 0 {
		return nil, fmt.Errorf("chart: nothing to draw for %s by %s", m.Metric, m.By)
	}
	names := make([]string, len(m.Xs))
	for k, x := range m.Xs {
		names[k] = table.Number(x)
	}
	p.NominalX(names...)
	p.Y.Min = 0
	headroom(p, false)
	return p, nil
}
