//go:build !linux

package gpiocdev

// Chip is an open /dev/gpiochipN; on this system Open always fails.
type Chip struct{}

// Open returns ErrUnsupportedOS: the GPIO character device is Linux only.
func Open(path string) (*Chip, error) { return nil, ErrUnsupportedOS }

// Info returns the zero ChipInfo.
func (c *Chip) Info() ChipInfo { return ChipInfo{} }

// LineInfo returns ErrUnsupportedOS.
func (c *Chip) LineInfo(offset int) (LineInfo, error) { return LineInfo{}, ErrUnsupportedOS }

// RequestLine returns ErrUnsupportedOS.
func (c *Chip) RequestLine(offset int, cfg Config) (*Line, error) { return nil, ErrUnsupportedOS }

// Close does nothing.
func (c *Chip) Close() error { return nil }

// Line is one requested line; on this system there are none.
type Line struct{}

// Offset returns 0.
func (l *Line) Offset() int { return 0 }

// Value returns ErrUnsupportedOS.
func (l *Line) Value() (int, error) { return 0, ErrUnsupportedOS }

// SetValue returns ErrUnsupportedOS.
func (l *Line) SetValue(v int) error { return ErrUnsupportedOS }

// Reconfigure returns ErrUnsupportedOS.
func (l *Line) Reconfigure(cfg Config) error { return ErrUnsupportedOS }

// ReadEvent returns ErrUnsupportedOS.
func (l *Line) ReadEvent() (Event, error) { return Event{}, ErrUnsupportedOS }

// Close does nothing.
func (l *Line) Close() error { return nil }
