package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gobanyan/banyan/bench/peers/internal/chart"
	"github.com/gobanyan/banyan/bench/peers/internal/table"
)

// metrics is a repeatable flag; each value may also be a comma-separated
// list.
type metrics []string

func (m *metrics) String() string { return strings.Join(*m, ",") }

func (m *metrics) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*m = append(*m, s)
		}
	}
	return nil
}

func readCSV(path string) (*table.Data, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return table.Read(f)
}

// tableRole is `busbench table`: Markdown tables of medians and ratios.
func tableRole(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("table", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "results CSV")
	by := fs.String("by", "subs", "the x column: subs, size, subscriptions, conns, ...")
	var ms metrics
	fs.Var(&ms, "metric", "column or expression to tabulate (repeatable, or comma-separated)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || len(ms) == 0 {
		return errors.New("table: -in and -metric are needed")
	}
	d, err := readCSV(*in)
	if err != nil {
		return fmt.Errorf("table: %w", err)
	}
	for i, metric := range ms {
		m, err := d.Medians(*by, metric)
		if err != nil {
			return err
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := table.Markdown(stdout, m); err != nil {
			return err
		}
	}
	return nil
}

// plotRole is `busbench plot`: a PNG line chart of medians.
func plotRole(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "results CSV")
	x := fs.String("x", "subs", "the x column")
	y := fs.String("y", "", "column or expression to draw")
	var o chart.Options
	fs.BoolVar(&o.LogX, "logx", false, "logarithmic x axis")
	fs.BoolVar(&o.LogY, "logy", false, "logarithmic y axis")
	fs.BoolVar(&o.Bars, "bars", false, "a grouped bar chart (a group per x value) instead of lines")
	fs.StringVar(&o.Title, "title", "", "the chart's title")
	fs.StringVar(&o.XLabel, "xlabel", "", "x axis label (default: from the column, with units)")
	fs.StringVar(&o.YLabel, "ylabel", "", "y axis label (default: from the column, with units)")
	out := fs.String("out", "", "PNG file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *y == "" || *out == "" {
		return errors.New("plot: -in, -y and -out are needed")
	}
	d, err := readCSV(*in)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	m, err := d.Medians(*x, *y)
	if err != nil {
		return err
	}
	if err := chart.Save(m, o, *out); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "wrote", *out)
	return nil
}
