package firmatasim_test

import (
	"context"
	"fmt"
	"io"
	"net"

	"github.com/gobanyan/banyan/gateway/firmata/firmatasim"
)

// A host talks to the simulated board over an in-memory pipe: it reads the
// board's start-up announcement, sets pin 13 as an output and turns it on.
func Example() {
	d := firmatasim.New(firmatasim.Options{BootDelay: -1})
	board, host := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Serve(ctx, board) }()

	version := make([]byte, 3) // REPORT_VERSION: 0xF9, major, minor
	if _, err := io.ReadFull(host, version); err != nil {
		panic(err)
	}
	fmt.Printf("protocol %d.%d\n", version[1], version[2])

	go io.Copy(io.Discard, host) // the rest of the announcement
	// SET_PIN_MODE 13 OUTPUT, then SET_DIGITAL_PIN_VALUE 13 1.
	host.Write([]byte{0xF4, 13, 0x01, 0xF5, 13, 1})
	d.Wait(ctx, func() bool { return d.Digital(13) == 1 })
	fmt.Println("mode", d.Mode(13), "level", d.Digital(13))

	cancel()
	fmt.Println("serve:", <-done)
	host.Close()
	// Output:
	// protocol 2.5
	// mode 1 level 1
	// serve: <nil>
}
