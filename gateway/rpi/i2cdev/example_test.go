package i2cdev_test

import (
	"fmt"

	"github.com/gobanyan/banyan/gateway/rpi/i2cdev"
)

// Channel 0 of a PCF8591 converter at 0x48 on the Pi's header bus: the
// control byte selects the channel, and the second byte read is the fresh
// conversion. Compiled, not run: it needs the device.
func Example() {
	bus, err := i2cdev.Open("/dev/i2c-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close()
	buf := make([]byte, 2)
	if err := bus.Tx(0x48, []byte{0x40}, buf); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("channel 0:", buf[1])
}
