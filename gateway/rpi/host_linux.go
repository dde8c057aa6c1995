//go:build linux

package rpi

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gobanyan/banyan/gateway/rpi/gpiocdev"
	"github.com/gobanyan/banyan/gateway/rpi/i2cdev"
	"github.com/gobanyan/banyan/gateway/rpi/sysfspwm"
)

// Host is the real hardware: a GPIO chip through the character device,
// /dev/i2c-N, and hardware PWM through /sys/class/pwm.
type Host struct {
	chip  *gpiocdev.Chip
	model string
	o     HostOptions
	pwm   map[int]PWMChannel
}

// OpenHost finds and opens the GPIO chip (see HostOptions.Chip). Its
// errors wrap ErrNotRaspberryPi or ErrNoGPIOChip.
func OpenHost(o HostOptions) (*Host, error) {
	root := o.Root
	if root == "" {
		root = "/"
	}
	if o.I2CDevice == "" {
		o.I2CDevice = filepath.Join(root, "dev/i2c-1")
	}
	h := &Host{o: o}
	if o.Chip != "" {
		path := o.Chip
		if !strings.ContainsRune(path, '/') {
			path = filepath.Join(root, "dev", path)
		}
		chip, err := gpiocdev.Open(path)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNoGPIOChip, err)
		}
		h.chip = chip
	} else {
		model, err := Model(root)
		if err != nil {
			return nil, err
		}
		h.model = model
		chip, err := findChip(filepath.Join(root, "dev"))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", model, err)
		}
		h.chip = chip
	}
	if h.chip.Info().Lines <= MaxPin {
		h.chip.Close()
		return nil, fmt.Errorf("%w: %s (%s) has %d lines, fewer than BCM 0-%d", ErrNoGPIOChip, h.chip.Info().Name, h.chip.Info().Label, h.chip.Info().Lines, MaxPin)
	}
	h.pwm = o.PWM
	if h.pwm == nil {
		h.pwm = DefaultPWM(h.chip.Info().Label, rp1PWMChip(filepath.Join(root, "sys/class/pwm")))
	}
	return h, nil
}

// findChip opens the Pi's GPIO chip under dev: by label, in the order
// LabelRP1, LabelBCM2711, LabelBCM2835.
func findChip(dev string) (*gpiocdev.Chip, error) {
	paths := gpiocdev.Chips(dev)
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w: no %s/gpiochip* (a kernel without the GPIO character device, or a container without it)", ErrNoGPIOChip, dev)
	}
	var (
		best     *gpiocdev.Chip
		rank     = 99
		seen     []string
		firstErr error
	)
	for _, p := range paths {
		c, err := gpiocdev.Open(p)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		label := c.Info().Label
		seen = append(seen, c.Info().Name+" ("+label+")")
		if r, ok := chipRank(label); ok && r < rank {
			if best != nil {
				best.Close()
			}
			best, rank = c, r
			continue
		}
		c.Close()
	}
	if best == nil {
		if len(seen) == 0 {
			return nil, fmt.Errorf("%w: %w", ErrNoGPIOChip, firstErr)
		}
		return nil, fmt.Errorf("%w: no chip labelled %s, %s or %s among %s (give --chip)", ErrNoGPIOChip, LabelRP1, LabelBCM2711, LabelBCM2835, strings.Join(seen, ", "))
	}
	return best, nil
}

// chipRank is the preference for a chip label: the Pis' own, newest
// first.
func chipRank(label string) (int, bool) {
	switch label {
	case LabelRP1:
		return 0, true
	case LabelBCM2711:
		return 1, true
	case LabelBCM2835:
		return 2, true
	}
	return 0, false
}

// rp1PWMChip finds the pwmchip of the Pi 5's RP1 PWM0 (its device is
// 1f00098000.pwm), or -1.
func rp1PWMChip(dir string) int {
	paths, _ := filepath.Glob(filepath.Join(dir, "pwmchip*"))
	for _, p := range paths {
		dev, err := os.Readlink(filepath.Join(p, "device"))
		if err != nil || !strings.Contains(dev, "1f00098000.pwm") {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(p), "pwmchip")); err == nil {
			return n
		}
	}
	return -1
}

// Chip returns the GPIO chip's information.
func (h *Host) Chip() gpiocdev.ChipInfo { return h.chip.Info() }

// ModelName returns the device tree's model ("" when HostOptions.Chip
// was given).
func (h *Host) ModelName() string { return h.model }

// RequestLine implements Hardware.
func (h *Host) RequestLine(pin int, c gpiocdev.Config) (Line, error) {
	l, err := h.chip.RequestLine(pin, c)
	if err != nil {
		if info, e := h.chip.LineInfo(pin); e == nil && info.Used {
			return nil, fmt.Errorf("%w (the line is used by %q)", err, info.Consumer)
		}
		return nil, err
	}
	return l, nil
}

// OpenI2C implements Hardware.
func (h *Host) OpenI2C() (I2C, error) {
	b, err := i2cdev.Open(h.o.I2CDevice)
	if err != nil {
		return nil, fmt.Errorf("%w (enable I2C: raspi-config, or dtparam=i2c_arm=on in config.txt)", err)
	}
	return b, nil
}

// OpenPWM implements Hardware.
func (h *Host) OpenPWM(pin int) (PWM, error) {
	ch, ok := h.pwm[pin]
	if !ok || ch.Chip < 0 {
		return nil, fmt.Errorf("%w: BCM %d", ErrNoHardwarePWM, pin)
	}
	c, err := sysfspwm.Open(ch.Chip, ch.Channel, sysfspwm.Options{Root: filepath.Join(h.root(), "sys/class/pwm")})
	if errors.Is(err, sysfspwm.ErrNoChannel) {
		return nil, fmt.Errorf("%w: BCM %d (pwmchip%d/%d: load the pwm-2chan overlay for hardware PWM): %w", ErrNoHardwarePWM, pin, ch.Chip, ch.Channel, err)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (h *Host) root() string {
	if h.o.Root == "" {
		return "/"
	}
	return h.o.Root
}

// Close closes the chip.
func (h *Host) Close() error { return h.chip.Close() }
