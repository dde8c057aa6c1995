package chart

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/gobanyan/banyan/bench/peers/internal/table"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Options describe a chart. Empty labels are made by Label from the
// medians' column and metric names.
type Options struct {
	Title          string
	XLabel, YLabel string
	LogX, LogY     bool
	// Bars draws a grouped bar chart (NewBars) instead of lines.
	Bars bool
}

// newPlot is a plot with o's title and axis labels (made by Label when
// empty).
func newPlot(m *table.Medians, o Options) *plot.Plot {
	p := plot.New()
	p.Title.Text = o.Title
	p.X.Label.Text = o.XLabel
	if p.X.Label.Text == "" {
		p.X.Label.Text = Label(m.By)
	}
	p.Y.Label.Text = o.YLabel
	if p.Y.Label.Text == "" {
		p.Y.Label.Text = Label(m.Metric)
	}
	return p
}

// Width and Height are the size of a saved chart in pixels.
const (
	Width  = 900
	Height = 500
)

// New draws m: one line with points per bus (medians at each x), a
// legend, and axis labels with units. On a log axis, points at or below
// zero are left out.
func New(m *table.Medians, o Options) (*plot.Plot, error) {
	p := newPlot(m, o)
	if o.LogX {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, logTicks{}
	}
	if o.LogY {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, logTicks{}
	}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	drawn := 0
	for i, bus := range m.Buses {
		var xys plotter.XYs
		for _, x := range m.Xs {
			y := m.Value(bus, x)
			if math.IsNaN(y) || math.IsInf(y, 0) || (o.LogX && x <= 0) || (o.LogY && y <= 0) {
				continue
			}
			xys = append(xys, plotter.XY{X: x, Y: y})
		}
		if len(xys) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("chart: %s: %w", bus, err)
		}
		line.Color = plotutil.Color(i)
		line.Width = vg.Points(1.5)
		points.Color = plotutil.Color(i)
		points.Shape = plotutil.Shape(i)
		p.Add(line, points)
		p.Legend.Add(bus, line, points)
		drawn++
	}
	if drawn == 0 {
		return nil, fmt.Errorf("chart: nothing to draw for %s by %s", m.Metric, m.By)
	}
	if !o.LogY && p.Y.Min > 0 {
		p.Y.Min = 0 // a linear axis from zero, so heights compare
	}
	headroom(p, o.LogY)
	return p, nil
}

// Save draws m as New (or NewBars, with o.Bars) does and writes it to path (a .png, Width x Height
// pixels), creating path's directory if needed.
func Save(m *table.Medians, o Options, path string) error {
	draw := New
	if o.Bars {
		draw = NewBars
	}
	p, err := draw(m, o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	const dpi = 96 // gonum's PNG resolution
	if err := p.Save(Width*vg.Inch/dpi, Height*vg.Inch/dpi, path); err != nil {
		return fmt.Errorf("chart: save %s: %w", path, err)
	}
	return nil
}

// headroom raises the y axis's top by a fifth of its range (on a log axis,
// of its decades), room for the legend above the data.
func headroom(p *plot.Plot, logY bool) {
	if logY {
		if p.Y.Min > 0 && p.Y.Max > p.Y.Min {
			p.Y.Max *= math.Pow(p.Y.Max/p.Y.Min, 0.2)
		}
		return
	}
	p.Y.Max += (p.Y.Max - p.Y.Min) / 5
}
