package rpi_test

import (
	"fmt"

	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/rpi"
	"github.com/gobanyan/banyan/gateway/rpi/rpitest"
	"log/slog"
)

// The board used directly, as the gateway uses it, on the fake hardware:
// a button on BCM 17, an LED on BCM 27, a sonar on BCM 23 and 24.
func Example() {
	hw := rpitest.New()
	hw.AttachSonar(23, 24, 17.15) // an obstacle 17.15 cm away: a 2 ms echo
	board, err := rpi.New(rpi.Options{Hardware: hw, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer board.Close()
	reports := make(chan gateway.Report, 10)
	board.SetReportFunc(func(r gateway.Report) { reports <- r })

	board.SetMode(17, gateway.ModeDigitalInput)
	fmt.Println("button:", (<-reports).(gateway.DigitalInput).Value)
	hw.Drive(17, 1)
	fmt.Println("button:", (<-reports).(gateway.DigitalInput).Value)

	board.SetMode(27, gateway.ModeDigitalOutput)
	board.DigitalWrite(27, 1)
	fmt.Println("LED:", hw.Level(27))
	fmt.Println(board.DigitalWrite(26, 1))

	board.SetModeSonar(23, 24)
	fmt.Println("sonar:", (<-reports).(gateway.SonarData).Value, "cm")
	// Output:
	// button: 0
	// button: 1
	// LED: 1
	// rpi: pin is not in the mode this needs: BCM 26 is unconfigured, needs digital_output
	// sonar: 17.15 cm
}
