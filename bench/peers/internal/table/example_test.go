package table_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/gobanyan/banyan/bench/peers/internal/table"
)

func Example() {
	d, err := table.Read(strings.NewReader("Bus,Subs,DeliveredMsgPerSec\n" +
		"banyan,1,1100000\nlibzmq,1,850000\nbanyan,1,1000000\nlibzmq,1,900000\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := d.Medians("subs", "DeliveredMsgPerSec")
	if err != nil {
		fmt.Println(err)
		return
	}
	table.Markdown(os.Stdout, m)
	// Output:
	// DeliveredMsgPerSec by subs, median of 2 runs:
	//
	// | subs | banyan | libzmq | banyan/libzmq |
	// |---|---|---|---|
	// | 1 | 1,050,000 | 875,000 | 1.20 |
}
