package rpi

import (
	"errors"
	"time"

	"github.com/gobanyan/banyan/gateway/rpi/gpiocdev"
)

// Hardware is the kernel interface the Board drives: GPIO lines, the I²C
// bus and hardware PWM channels. Host is the real one (the GPIO character
// device, /dev/i2c-N, /sys/class/pwm); package rpitest has a fake, so that
// tests run on any machine.
type Hardware interface {
	// RequestLine requests the GPIO line of BCM pin with configuration c.
	// The board closes a line before it requests the pin again.
	RequestLine(pin int, c gpiocdev.Config) (Line, error)
	// OpenI2C opens the I²C bus (once; the board keeps it until Close).
	OpenI2C() (I2C, error)
	// OpenPWM opens the hardware PWM channel wired to pin, or returns an
	// error wrapping ErrNoHardwarePWM when the pin has none (the board
	// then drives the pin in software).
	OpenPWM(pin int) (PWM, error)
	// Close releases the hardware.
	Close() error
}

// Line is a requested GPIO line (*gpiocdev.Line is one).
type Line interface {
	Value() (int, error)
	SetValue(v int) error
	// ReadEvent waits for the next edge of a line requested with edge
	// detection; it returns an error once the line is closed, also while
	// it waits.
	ReadEvent() (gpiocdev.Event, error)
	Close() error
}

// I2C is an I²C bus (*i2cdev.Bus is one).
type I2C interface {
	// Tx writes w to the 7-bit address addr, then reads len(r) bytes into
	// r (either may be empty), as one transfer.
	Tx(addr int, w, r []byte) error
	Close() error
}

// PWM is a hardware PWM channel (*sysfspwm.Channel is one).
type PWM interface {
	// Set sets the period and the time high in each; a zero period
	// turns the output off.
	Set(period, duty time.Duration) error
	Close() error
}

// Errors.
var (
	// ErrNotRaspberryPi is New on a machine whose device tree does not
	// name a Raspberry Pi (give HostOptions.Chip to use another board's
	// GPIO chip anyway).
	ErrNotRaspberryPi = errors.New("rpi: this machine is not a Raspberry Pi")
	// ErrNoGPIOChip is a machine without the GPIO chip to use.
	ErrNoGPIOChip = errors.New("rpi: no GPIO chip")
	// ErrUnsupportedOS is New with the real hardware on a system other
	// than Linux.
	ErrUnsupportedOS = errors.New("rpi: the Raspberry Pi gateway needs Linux (the GPIO character device)")
	// ErrNoHardwarePWM is a pin without a hardware PWM channel.
	ErrNoHardwarePWM = errors.New("rpi: no hardware PWM on this pin")
	// ErrNoPin is a pin outside BCM 2-27 (or an analog channel outside
	// 0-3).
	ErrNoPin = errors.New("rpi: no such pin")
	// ErrWrongMode is an operation on a pin that is not in the mode it
	// needs (digital_write before set_mode_digital_output, ...).
	ErrWrongMode = errors.New("rpi: pin is not in the mode this needs")
	// ErrOutOfRange is a value outside what the operation accepts.
	ErrOutOfRange = errors.New("rpi: value out of range")
	// ErrNoStepper is a stepper_write before set_mode_stepper.
	ErrNoStepper = errors.New("rpi: no stepper attached (send set_mode_stepper first)")
	// ErrBusy is a stepper_write while MaxStepperQueue moves are waiting.
	ErrBusy = errors.New("rpi: stepper busy")
	// ErrClosed is an operation on a closed Board.
	ErrClosed = errors.New("rpi: board closed")
)
