package proc_test

import (
	"fmt"
	"os"

	"github.com/gobanyan/banyan/bench/peers/internal/proc"
)

func Example() {
	s, err := proc.ReadStatus(os.Getpid())
	if err != nil {
		fmt.Println(err)
		return
	}
	cpu, err := proc.CPU(os.Getpid())
	fmt.Println(s.RSSKiB > 0, s.Threads > 0, cpu > 0, err)
	// Output: true true true <nil>
}
