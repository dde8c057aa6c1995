package rpi

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// HostOptions configure the real hardware (OpenHost).
type HostOptions struct {
	// Chip is the GPIO chip: a path ("/dev/gpiochip0") or a name
	// ("gpiochip4"). "" picks the Raspberry Pi's own: the chip labelled
	// pinctrl-rp1 (Pi 5), else pinctrl-bcm2711 (Pi 4, 400, CM4), else
	// pinctrl-bcm2835 (earlier Pis and Zeros), after checking that the
	// device tree names a Raspberry Pi. Given a Chip, the model is not
	// checked, so other boards' chips can be used.
	Chip string
	// I2CDevice is the I²C bus i2c_read, i2c_write and the PCF8591 use;
	// "" is /dev/i2c-1, the header's pins 3 and 5 (BCM 2 and 3).
	I2CDevice string
	// PWM maps BCM pins to hardware PWM channels. nil is DefaultPWM for
	// the chip found; an empty map is none (every pin in software).
	PWM map[int]PWMChannel
	// Root is prepended to every path (/dev, /proc, /sys), for tests; ""
	// is the real system.
	Root string
}

// PWMChannel is a hardware PWM channel: /sys/class/pwm/pwmchip<Chip>/pwm<Channel>.
type PWMChannel struct {
	Chip, Channel int
}

// The chip labels of the Raspberry Pis' GPIO controllers, in the order
// OpenHost prefers them.
const (
	LabelRP1     = "pinctrl-rp1"     // Pi 5 (its RP1 south bridge drives the header)
	LabelBCM2711 = "pinctrl-bcm2711" // Pi 4, 400, CM4
	LabelBCM2835 = "pinctrl-bcm2835" // Pi 1, 2, 3, Zero, Zero 2
)

// DefaultPWM returns the hardware PWM channels of the dtoverlay=pwm-2chan
// overlay's default pins, BCM 18 and 19, for a chip label: pwmchip0
// channels 0 and 1 on a Pi 4 or earlier, channels 2 and 3 of the RP1's
// PWM0 on a Pi 5 (rp1Chip is its pwmchip number). Other pins (BCM 12 and
// 13 with other overlay settings) are added with HostOptions.PWM; the
// overlay, not the channel, decides which pin a channel drives.
func DefaultPWM(label string, rp1Chip int) map[int]PWMChannel {
	if label == LabelRP1 {
		return map[int]PWMChannel{18: {rp1Chip, 2}, 19: {rp1Chip, 3}}
	}
	return map[int]PWMChannel{18: {0, 0}, 19: {0, 1}}
}

// ParsePWM reads a --pwm flag value: "18=0:0" (BCM pin = pwmchip:channel).
func ParsePWM(s string) (pin int, ch PWMChannel, err error) {
	p, c, ok := strings.Cut(s, "=")
	chip, channel, ok2 := strings.Cut(c, ":")
	if ok && ok2 {
		pin, err = strconv.Atoi(strings.TrimSpace(p))
		if err == nil {
			ch.Chip, err = strconv.Atoi(strings.TrimSpace(chip))
		}
		if err == nil {
			ch.Channel, err = strconv.Atoi(strings.TrimSpace(channel))
		}
		if err == nil && checkPin(pin) == nil && ch.Chip >= 0 && ch.Channel >= 0 {
			return pin, ch, nil
		}
	}
	return 0, PWMChannel{}, fmt.Errorf("%w: PWM channel %q: want PIN=CHIP:CHANNEL, e.g. 18=0:0 (BCM %d-%d)", ErrOutOfRange, s, MinPin, MaxPin)
}

// modelPaths are where Linux shows the device tree's model string.
var modelPaths = [...]string{"proc/device-tree/model", "sys/firmware/devicetree/base/model"}

// Model returns the machine's model from its device tree under root (""
// is the real system), for example "Raspberry Pi 4 Model B Rev 1.4", or
// an error wrapping ErrNotRaspberryPi when the machine has no device tree
// (a PC) or names another board.
func Model(root string) (string, error) {
	if root == "" {
		root = "/"
	}
	for _, p := range modelPaths {
		f, err := os.Open(filepath.Join(root, p))
		if err != nil {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(f, 256))
		f.Close()
		if err != nil {
			continue
		}
		model := strings.TrimSpace(strings.TrimRight(string(b), "\x00"))
		if !strings.Contains(model, "Raspberry Pi") {
			return model, fmt.Errorf("%w: its device tree names %q (give --chip to use its GPIO chip anyway)", ErrNotRaspberryPi, model)
		}
		return model, nil
	}
	return "", fmt.Errorf("%w: no device tree model (/proc/device-tree/model); a Raspberry Pi running Linux has one (give --chip to use another board's GPIO chip)", ErrNotRaspberryPi)
}
