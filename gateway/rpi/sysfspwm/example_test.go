package sysfspwm_test

import (
	"fmt"
	"time"

	"github.com/gobanyan/banyan/gateway/rpi/sysfspwm"
)

// A servo on BCM 18 (pwmchip0 channel 0 with dtoverlay=pwm-2chan), moved
// to its middle position. Compiled, not run: it needs the overlay.
func Example() {
	ch, err := sysfspwm.Open(0, 0, sysfspwm.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ch.Close()
	if err := ch.Set(20*time.Millisecond, 1400*time.Microsecond); err != nil {
		fmt.Println(err)
	}
}
