package natsbus_test

import (
	"fmt"

	"github.com/gobanyan/banyan/bench/peers/internal/natsbus"
)

func Example() {
	fmt.Println(natsbus.Subject("bench/0"), natsbus.Filter("bench/"), natsbus.Filter("bench/decoy1"))
	// Output: bench.0 bench.> bench.decoy1
}
