package chart_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gobanyan/banyan/bench/peers/internal/chart"
	"github.com/gobanyan/banyan/bench/peers/internal/table"
)

func Example() {
	d, _ := table.Read(strings.NewReader("Bus,Subs,DeliveredMsgPerSec\n" +
		"banyan,1,1100000\nlibzmq,1,850000\nbanyan,10,1800000\nlibzmq,10,1680000\n"))
	m, _ := d.Medians("subs", "DeliveredMsgPerSec")
	dir, _ := os.MkdirTemp("", "chart")
	defer os.RemoveAll(dir)
	err := chart.Save(m, chart.Options{Title: "fan-out", LogX: true}, filepath.Join(dir, "fanout.png"))
	fmt.Println(err)
	// Output: <nil>
}
