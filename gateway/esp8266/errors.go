package esp8266

import (
	"errors"
	"fmt"

	"github.com/gobanyan/banyan/gateway"
)

// Errors. The gateway turns each into an error report on the report
// topic: ErrInvalidPin has code "bad_command", ErrFirmware "unsupported",
// the others "board_error".
var (
	// ErrLinkDown is a command while no board is connected.
	ErrLinkDown = errors.New("esp8266: no link to the board")
	// ErrFrameTooLong is a command whose JSON does not fit in one frame
	// (Options.FrameLen).
	ErrFrameTooLong = errors.New("esp8266: command does not fit in a frame")
	// ErrInvalidPin is a pin outside ValidPins (unless Options.AnyPin).
	ErrInvalidPin = fmt.Errorf("%w: esp8266: invalid pin", gateway.ErrBadCommand)
	// ErrFirmware is a command the firmware cannot take: it would crash
	// to the REPL and the link would go dead. It wraps
	// gateway.ErrUnsupported.
	ErrFirmware = fmt.Errorf("%w: the esp8266 firmware cannot take it", gateway.ErrUnsupported)
	// ErrNoStepper is a stepper_write before set_mode_stepper (which
	// crashes the firmware).
	ErrNoStepper = errors.New("esp8266: no stepper set up (send set_mode_stepper first; the firmware crashes otherwise)")
	// ErrNoI2CDevice is an i2c_read of an address not in
	// Options.I2CAddrs (the firmware crashes on a missing device).
	ErrNoI2CDevice = errors.New("esp8266: no i2c device known at this address (list it in Options.I2CAddrs / --i2c-addr; the firmware crashes reading a missing device)")
	// ErrRunning is a second call to Run.
	ErrRunning = errors.New("esp8266: Run called twice")
)
