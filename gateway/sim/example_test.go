package sim_test

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/sim"
)

// The board used directly, as a gateway uses it: a button on pin 2, an
// LED on pin 13, an i2c memory at 0x50.
func Example() {
	b := sim.New(sim.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	b.SetReportFunc(func(r gateway.Report) {
		if in, ok := r.(gateway.DigitalInput); ok {
			fmt.Println("report: pin", in.Pin, "reads", in.Value)
		}
	})

	b.SetMode(2, gateway.ModeDigitalInput)
	b.SetDigitalInput(2, 1)

	b.SetMode(13, gateway.ModeDigitalOutput)
	b.DigitalWrite(13, 1)
	fmt.Println("LED:", b.Digital(13).Value)

	if err := b.DigitalWrite(12, 1); err != nil {
		fmt.Println(err)
	}

	b.SetModeI2C()
	data, _ := b.I2CRead(sim.DefaultMemoryAddr, 0x10, 3)
	fmt.Println("i2c:", data)
	// Output:
	// report: pin 2 reads 0
	// report: pin 2 reads 1
	// LED: 1
	// sim: pin is not in the mode this needs: pin 12 is unconfigured, needs digital_output
	// i2c: [16 17 18]
}
