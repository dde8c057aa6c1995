package firmata

import "errors"

// Errors. Those for a pin or mode the board cannot do wrap
// gateway.ErrUnsupported instead (error code "unsupported").
var (
	// ErrNoBoard is a board that could not be found or did not answer.
	ErrNoBoard = errors.New("firmata: no board")
	// ErrNotConnected is a command while the link to the board is down
	// (the board is unplugged, resetting, or being reconnected).
	ErrNotConnected = errors.New("firmata: the board is not connected")
	// ErrWrongMode is an operation on a pin not in the mode it needs (a
	// digital_write before set_mode_digital_output, an i2c_read before
	// set_mode_i2c).
	ErrWrongMode = errors.New("firmata: pin is not in the mode this needs")
	// ErrOutOfRange is a value the board cannot take (a PWM duty above
	// its resolution, a servo angle above 180).
	ErrOutOfRange = errors.New("firmata: value out of range")
	// ErrTimeout is a request the board did not answer in time (an
	// i2c_read without I2C_REPLY).
	ErrTimeout = errors.New("firmata: no answer from the board")
	// ErrClosed is Run after Close.
	ErrClosed = errors.New("firmata: board closed")
)
