package forwarder_test

import (
	"context"
	"fmt"
	"strconv"

	"github.com/gobanyan/banyan/bench/peers/internal/forwarder"
)

func Example() {
	ports, err := forwarder.FreePorts(1)
	if err != nil {
		fmt.Println(err)
		return
	}
	port := strconv.Itoa(ports[0])
	// any program that listens will do; here Python's HTTP server
	p, err := forwarder.Start("python3", "-m", "http.server", "--bind", "127.0.0.1", port)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.WaitListening(context.Background(), "127.0.0.1:"+port))
	fmt.Println(p.Stop())
	// Output:
	// <nil>
	// <nil>
}
