package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTableRole(t *testing.T) {
	in := filepath.Join(t.TempDir(), "r.csv")
	csv := "bus,subs,delivered_msg_per_sec\nbanyan,1,100\nlibzmq,1,50\nbanyan,1,300\nlibzmq,1,70\nmqtt,1,10\n"
	if err := os.WriteFile(in, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errs strings.Builder
	if err := run(context.Background(), []string{"table", "-in", in, "-by", "subs", "-metric", "delivered_msg_per_sec"}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if want := "| 1 | 200 | 60 | 10 | 3.33 | 20.00 |\n"; !strings.Contains(out.String(), want) {
		t.Fatalf("table:\n%s\nwant the row %q", out.String(), want)
	}
	png := filepath.Join(t.TempDir(), "p", "r.png")
	out.Reset()
	if err := run(context.Background(), []string{"plot", "-in", in, "-x", "subs", "-y", "delivered_msg_per_sec", "-bars", "-out", png}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(png); err != nil {
		t.Fatal(err)
	}
}

func TestUsageErrors(t *testing.T) {
	var out, errs strings.Builder
	for _, args := range [][]string{
		nil,
		{"nope"},
		{"run", "-bus", "carrier-pigeon"},
		{"run", "-csv", "-json"},
		{"table", "-in", "x.csv"},
		{"plot", "-in", "x.csv"},
		{"idle", "-conns", "0"},
	} {
		if err := run(context.Background(), args, &out, &errs); err == nil {
			t.Errorf("busbench %q: no error", args)
		}
	}
}
