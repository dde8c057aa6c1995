package gpiocdev_test

import (
	"fmt"
	"time"

	"github.com/gobanyan/banyan/gateway/rpi/gpiocdev"
)

// A button on BCM 17 (pulled down, debounced) and an LED on BCM 27 that
// follows it. Compiled, not run: it needs a GPIO chip.
func Example() {
	chip, err := gpiocdev.Open("/dev/gpiochip0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer chip.Close()
	button, err := chip.RequestLine(17, gpiocdev.Config{Consumer: "example", Bias: gpiocdev.BiasPullDown,
		Edges: gpiocdev.EdgeBoth, Debounce: 20 * time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer button.Close()
	led, err := chip.RequestLine(27, gpiocdev.Config{Consumer: "example", Output: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer led.Close()
	for {
		ev, err := button.ReadEvent()
		if err != nil {
			return
		}
		v := 0
		if ev.Rising {
			v = 1
		}
		led.SetValue(v)
		fmt.Println("edge at", ev.Timestamp, "value", v)
	}
}
