// Package rpi is the Raspberry Pi board for the OneGPIO gateway (package
// gateway): the GPIO header's BCM pins 2-27 through the kernel's GPIO
// character device (package gpiocdev, the v2 uAPI; never sysfs GPIO),
// I²C through /dev/i2c-N (package i2cdev), and hardware PWM through
// /sys/class/pwm (package sysfspwm). It replaces Python Banyan's
// RpiGateway, which needs the pigpio daemon running as root:
//
//	banyan gateway rpi
//
// serves to_rpi_gateway and publishes on from_rpi_gateway, as Python's.
//
// # What each command does
//
//   - set_mode_digital_input: an input with the pull-down (Python's),
//     edges on both sides, debounced by the kernel for 20 ms (Python's
//     pigpio glitch filter; Options.Debounce). set_mode_digital_input_pullup
//     uses the pull-up. The value is reported at once and on every change.
//   - set_mode_digital_output, digital_write: a GPIO output, starting low.
//   - set_mode_pwm, pwm_write (0-255): the pin's hardware PWM channel at
//     800 Hz when it has one (HostOptions.PWM; by default BCM 18 and 19
//     with dtoverlay=pwm-2chan), else software PWM at 100 Hz
//     (Options.SoftPWMFrequency), which a goroutine toggles.
//   - set_mode_servo, servo_position (0-180): a pulse of position×10+500 µs
//     every 20 ms, as Python's; exact on hardware PWM.
//   - set_mode_tone, play_tone: a square wave for duration ms (0: until the
//     next play_tone; freq 0: silence); up to 20 kHz on hardware PWM, 5 kHz
//     in software.
//
// Software timing: the runtime's timers wake in whole milliseconds, so
// phases that must be exact (a servo's pulse, both halves of a tone, PWM
// phases under 2 ms) sleep until 1.5 ms before their edge and spin through
// the rest, costing up to that much CPU time per edge; other phases use
// the timer and may be a millisecond late. Rises are scheduled from the
// start, so the frequency does not drift. The kernel may still delay the
// goroutine (and a Pi Zero has one core): use BCM 18 or 19 for servos
// where it matters.
//   - set_mode_sonar: an HC-SR04. The trigger gets a 10 µs pulse every
//     100 ms (Options.SonarInterval); the echo pulse is timed by the
//     kernel's edge timestamps, not by when the gateway reads them, so the
//     distance (cm, 2 decimals, 343 m/s) does not suffer from scheduling.
//   - set_mode_stepper (4 pins), stepper_write (speed in rpm, steps;
//     negative: reverse): full steps, two coils at a time; moves run in the
//     background, one after the other (at most 16 waiting).
//   - set_mode_i2c, i2c_read, i2c_write: /dev/i2c-1 (HostOptions.I2CDevice);
//     a register read is one write-then-read transfer with a repeated
//     start.
//   - set_mode_analog_input: channel pin (0-3) of a PCF8591 at 0x48, as
//     Python's. Python reads it once; this board reports it at once and
//     then whenever it changes, polled every 100 ms
//     (Options.AnalogInterval), until disable_analog_reporting.
//   - analog_write is unsupported (the Pi has no DAC; Python raises too).
//
// Changing a pin's mode releases what it had (a sonar's or stepper's other
// pins too). Pins outside BCM 2-27, writes in the wrong mode and values
// out of range are errors, which the gateway reports (code "board_error").
//
// # Which GPIO chip
//
// Without HostOptions.Chip (--chip), OpenHost reads the device tree's model
// (/proc/device-tree/model) and refuses a machine that is not a Raspberry
// Pi (ErrNotRaspberryPi), then takes the chip labelled pinctrl-rp1 (Pi 5),
// pinctrl-bcm2711 (Pi 4) or pinctrl-bcm2835 (earlier), whatever its number
// (ErrNoGPIOChip when there is none). With a chip given, the model is not
// checked.
//
// # Tests
//
// The Board drives a Hardware interface (lines with values, bias and
// timestamped edges; I²C transfers; PWM channels), so package rpitest's
// fake runs every command on any machine.
package rpi
