package table

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// metric is a parsed metric: factors multiplied or divided in order.
type metric []factor

type factor struct {
	divide bool
	col    int     // column index, or -1 for a constant
	value  float64 // the constant
}

// parseMetric parses "A", "A*B", "A*1048576/B" against d's columns.
func (d *Data) parseMetric(expr string) (metric, error) {
	var m metric
	divide := false
	rest := expr
	for {
		i := strings.IndexAny(rest, "*/")
		tok := rest
		if i >= 0 {
			tok = rest[:i]
		}
		tok = strings.TrimSpace(tok)
		if tok == "" {
			return nil, fmt.Errorf("table: metric %q: empty operand", expr)
		}
		f := factor{divide: divide, col: -1}
		if v, err := strconv.ParseFloat(tok, 64); err == nil {
			f.value = v
		} else if f.col, err = d.Column(tok); err != nil {
			return nil, fmt.Errorf("table: metric %q: %w", expr, err)
		}
		m = append(m, f)
		if i < 0 {
			return m, nil
		}
		divide = rest[i] == '/'
		rest = rest[i+1:]
	}
}

// eval is m's value on row, NaN when a cell it needs is empty.
func (m metric) eval(row []string) (float64, error) {
	v := 1.0
	for _, f := range m {
		x := f.value
		if f.col >= 0 {
			if strings.TrimSpace(row[f.col]) == "" {
				return math.NaN(), nil // not measured for this bus
			}
			var err error
			if x, err = strconv.ParseFloat(strings.TrimSpace(row[f.col]), 64); err != nil {
				return 0, fmt.Errorf("table: %w", err)
			}
		}
		if f.divide {
			v /= x
		} else {
			v *= x
		}
	}
	return v, nil
}
