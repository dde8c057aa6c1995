package firmata_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/firmata"
	"github.com/gobanyan/banyan/gateway/firmata/firmatasim"
)

// A board found by auto-detection among the ports of a directory (here a
// simulated Uno on a pty), driven directly through the gateway.Board
// interface; a gateway.Gateway makes the same calls for OneGPIO commands.
func Example() {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, _ := os.MkdirTemp("", "firmata")
	defer os.RemoveAll(dir)

	uno := firmatasim.New(firmatasim.Options{Logger: quiet})
	p, err := uno.ServePTY(ctx, filepath.Join(dir, "ttyACM0"))
	if err != nil {
		panic(err)
	}
	defer p.Close()

	board, err := firmata.New(ctx, firmata.Options{Patterns: []string{filepath.Join(dir, "ttyACM*")}, Logger: quiet})
	if err != nil {
		panic(err)
	}
	defer board.Close()
	info := board.Info()
	fmt.Println(info.Firmware, "protocol", info.Protocol, "with", len(info.Pins), "pins")

	if err := board.SetMode(13, gateway.ModeDigitalOutput); err != nil {
		panic(err)
	}
	if err := board.DigitalWrite(13, 1); err != nil {
		panic(err)
	}
	uno.Wait(ctx, func() bool { return uno.Digital(13) == 1 })
	fmt.Println("pin 13 is", uno.Digital(13))

	err = board.SetMode(2, gateway.ModePWM)
	fmt.Println(err)
	// Output:
	// StandardFirmata.ino protocol 2.5 with 20 pins
	// pin 13 is 1
	// gateway: not supported by the board: unsupported operation: pin 2 cannot be pwm (Firmata mode PWM); pins that can: 3, 5-6, 9-11
}
