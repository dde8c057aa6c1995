package espsim_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/gobanyan/banyan/gateway/esp8266/espsim"
)

// A raw client speaks the firmware's protocol to the simulator: the board
// greets, then takes 96-byte frames. A set_mode_digital_output without a
// "value" is one of the commands the real firmware crashes on.
func Example() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	d := espsim.New(espsim.Options{Info: "esp-sim"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Serve(ctx, l); close(done) }()
	defer func() { cancel(); <-done }()

	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	greeting := make([]byte, espsim.FrameLen)
	if _, err := bufio.NewReader(c).Read(greeting); err != nil {
		panic(err)
	}
	fmt.Println(strings.TrimSpace(string(greeting)))

	send := func(json string) { c.Write([]byte(fmt.Sprintf("%-96s", json))) }
	send(`{"command": "set_mode_digital_output", "pin": 12, "value": 0}`)
	send(`{"command": "digital_write", "pin": 12, "value": 1}`)
	waitFor(func() bool { p, _ := d.Pin(12); return p.Value == 1 })
	p, _ := d.Pin(12)
	fmt.Println("pin 12:", p.Value)

	send(`{"command": "set_mode_digital_output", "pin": 13}`)
	waitFor(func() bool { return d.Crashed() != "" })
	fmt.Println("crashed:", d.Crashed() != "")
	// Output:
	// {"report": "connected", "info": "esp-sim"}
	// pin 12: 1
	// crashed: true
}

// waitFor polls cond (the simulator runs commands on its own goroutine).
func waitFor(cond func() bool) {
	for deadline := time.Now().Add(10 * time.Second); !cond() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
}
