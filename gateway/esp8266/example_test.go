package esp8266_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"

	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/esp8266"
	"github.com/gobanyan/banyan/gateway/esp8266/espsim"
)

// The driver against the simulated firmware, without a backplane: the
// gateway calls HandleCommand and receives reports the same way.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dev := espsim.New(espsim.Options{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); dev.Serve(ctx, l) }()

	host, port, _ := net.SplitHostPort(l.Addr().String())
	var portN int
	fmt.Sscan(port, &portN)
	board, _ := esp8266.New(esp8266.Options{Addr: host, Port: portN, Logger: slog.New(slog.DiscardHandler)})
	up := make(chan struct{})
	var once sync.Once
	board.SetReportFunc(func(r gateway.Report) {
		if m, ok := r.(gateway.SystemMessage); ok {
			fmt.Println("sys_msg:", strings.Fields(m.Text)[0])
			if strings.HasPrefix(m.Text, "connected") { // after the line: the commands print next
				once.Do(func() { close(up) })
			}
		}
	})
	go func() { defer wg.Done(); board.Run(ctx) }()
	<-up

	_, err := board.HandleCommand(gateway.Command{Name: gateway.CmdSetModeDigitalOutput, Pin: new(12)})
	fmt.Println("set_mode_digital_output:", err)
	_, err = board.HandleCommand(gateway.Command{Name: gateway.CmdAnalogWrite, Pin: new(12), Value: 3})
	fmt.Println("analog_write:", err)
	_, err = board.HandleCommand(gateway.Command{Name: gateway.CmdDigitalWrite, Pin: new(2), Value: 1})
	fmt.Println("digital_write:", err)

	cancel()
	wg.Wait()
	fmt.Println("firmware crashed:", dev.Crashed() != "")
	// Output:
	// sys_msg: system_up
	// sys_msg: connected
	// set_mode_digital_output: <nil>
	// analog_write: gateway: not supported by the board: unsupported operation: the esp8266 firmware cannot take it: analog_write (the ESP8266 has no analog output; use pwm_write)
	// digital_write: gateway: bad command: esp8266: invalid pin: digital_write: pin 2, want one of [4 5 12 13 14 15] (or turn the check off: -x False)
	// firmware crashed: false
}
