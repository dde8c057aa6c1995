package chart

import (
	"strconv"

	"gonum.org/v1/plot"
)

// logTicks are gonum's log-axis ticks, labelled compactly: 10, 100, 1k,
// 10k, 1M, and 0.1, 0.01 below one.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = compact(ts[i].Value)
		}
	}
	return ts
}

// compact is v with a k, M or G suffix from 1,000 on.
func compact(v float64) string {
	for _, u := range []struct {
		suffix string
		div    float64
	}{{"G", 1e9}, {"M", 1e6}, {"k", 1e3}} {
		if v >= u.div {
			return strconv.FormatFloat(v/u.div, 'g', 3, 64) + u.suffix
		}
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
