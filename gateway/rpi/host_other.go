//go:build !linux

package rpi

import "github.com/gobanyan/banyan/gateway/rpi/gpiocdev"

// Host is the real hardware; on this system OpenHost always fails.
type Host struct{}

// OpenHost returns ErrUnsupportedOS: the gateway needs Linux.
func OpenHost(o HostOptions) (*Host, error) { return nil, ErrUnsupportedOS }

// Chip returns the zero ChipInfo.
func (h *Host) Chip() gpiocdev.ChipInfo { return gpiocdev.ChipInfo{} }

// ModelName returns "".
func (h *Host) ModelName() string { return "" }

// RequestLine returns ErrUnsupportedOS.
func (h *Host) RequestLine(pin int, c gpiocdev.Config) (Line, error) { return nil, ErrUnsupportedOS }

// OpenI2C returns ErrUnsupportedOS.
func (h *Host) OpenI2C() (I2C, error) { return nil, ErrUnsupportedOS }

// OpenPWM returns ErrUnsupportedOS.
func (h *Host) OpenPWM(pin int) (PWM, error) { return nil, ErrUnsupportedOS }

// Close does nothing.
func (h *Host) Close() error { return nil }
