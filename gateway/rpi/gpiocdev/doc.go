// Package gpiocdev drives GPIO lines through the Linux GPIO character
// device (/dev/gpiochipN) with the kernel's v2 uAPI (Linux 5.10 and
// later): chip and line information, line requests with direction, bias,
// edge detection and debounce, reading and writing values, and edge
// events with the kernel's timestamps. It never uses the deprecated sysfs
// GPIO interface.
//
// The structures are those of include/uapi/linux/gpio.h, laid out as the
// header lays them out (their sizes are checked by the tests), and the
// ioctl numbers are computed with the generic Linux encoding (arm, arm64,
// 386, amd64, riscv64). The package is pure Go (golang.org/x/sys/unix); on
// other systems Open returns ErrUnsupportedOS.
//
// Each Line is one requested line with its own file descriptor. A Line
// with edge detection delivers its events through ReadEvent, which blocks
// until an event arrives or the line is closed; Close may be called from
// any goroutine and ends a blocked ReadEvent with ErrClosed.
package gpiocdev
