// Package sysfspwm drives hardware PWM channels through Linux's PWM class
// in sysfs (/sys/class/pwm/pwmchipN/pwmM): export, period, duty cycle,
// enable. On a Raspberry Pi the channels appear once the pwm or pwm-2chan
// overlay is loaded (dtoverlay=pwm-2chan in config.txt: BCM 18 is channel
// 0 and BCM 19 channel 1 of pwmchip0 on a Pi 4 or earlier).
//
// It is plain file I/O, so it builds everywhere; Options.Root lets tests
// point it at a directory that looks like sysfs.
package sysfspwm

import "errors"

// DefaultRoot is where the kernel puts the PWM class.
const DefaultRoot = "/sys/class/pwm"

// Errors.
var (
	// ErrNoChannel is a PWM chip or channel that does not exist.
	ErrNoChannel = errors.New("sysfspwm: no such PWM channel")
	// ErrBadSetting is a period or duty cycle the channel cannot take
	// (negative, a duty longer than the period).
	ErrBadSetting = errors.New("sysfspwm: bad period or duty cycle")
)
