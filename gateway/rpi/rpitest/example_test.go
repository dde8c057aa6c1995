package rpitest_test

import (
	"fmt"

	"github.com/gobanyan/banyan/gateway/rpi/gpiocdev"
	"github.com/gobanyan/banyan/gateway/rpi/rpitest"
)

// The fake stands in for the kernel: a test drives an input and reads the
// edge the board would see, and reads back what the board wrote.
func Example() {
	h := rpitest.New()
	in, err := h.RequestLine(17, gpiocdev.Config{Bias: gpiocdev.BiasPullDown, Edges: gpiocdev.EdgeBoth})
	if err != nil {
		panic(err)
	}
	defer in.Close()
	h.Drive(17, 1) // a button pressed
	ev, err := in.ReadEvent()
	if err != nil {
		panic(err)
	}
	v, _ := in.Value()
	fmt.Println("pin 17:", v, "rising:", ev.Rising)

	out, err := h.RequestLine(27, gpiocdev.Config{Output: true})
	if err != nil {
		panic(err)
	}
	defer out.Close()
	out.SetValue(1)
	out.SetValue(0)
	fmt.Println("pin 27 written:", h.Writes(27))
	// Output:
	// pin 17: 1 rising: true
	// pin 27 written: [0 1 0]
}
