//go:build !linux

package i2cdev

// Bus is an open /dev/i2c-N; on this system Open always fails.
type Bus struct{}

// Open returns ErrUnsupportedOS: i2c-dev is Linux only.
func Open(path string) (*Bus, error) { return nil, ErrUnsupportedOS }

// Tx returns ErrUnsupportedOS.
func (b *Bus) Tx(addr int, w, r []byte) error { return ErrUnsupportedOS }

// Close does nothing.
func (b *Bus) Close() error { return nil }
