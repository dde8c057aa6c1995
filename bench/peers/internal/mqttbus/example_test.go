package mqttbus_test

import (
	"fmt"

	"github.com/gobanyan/banyan/bench/peers/internal/mqttbus"
)

func Example() {
	fmt.Println(mqttbus.Topic("bench/0"), mqttbus.Filter("bench/"), mqttbus.Filter("bench/decoy1"))
	// Output: bench/0 bench/# bench/decoy1
}
