package sysfspwm

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options say where a channel is.
type Options struct {
	// Root is the PWM class directory; "" is DefaultRoot.
	Root string
	// Wait bounds the wait for the channel's directory to appear, and be
	// writable, after export (udev sets its permissions); 0 is 2 s.
	Wait time.Duration
}

// Channel is an exported PWM channel. Its methods are safe for concurrent
// use.
type Channel struct {
	dir      string
	chipDir  string
	channel  int
	exported bool // by us: Close unexports it

	mu     sync.Mutex
	period time.Duration
	duty   time.Duration
	on     bool
}

// Open exports channel of pwmchip chip (unless it is exported already)
// and returns it, disabled.
func Open(chip, channel int, o Options) (*Channel, error) {
	if o.Root == "" {
		o.Root = DefaultRoot
	}
	if o.Wait <= 0 {
		o.Wait = 2 * time.Second
	}
	chipDir := filepath.Join(o.Root, "pwmchip"+strconv.Itoa(chip))
	npwm, err := readInt(filepath.Join(chipDir, "npwm"))
	if err != nil {
		return nil, fmt.Errorf("%w: pwmchip%d: %w", ErrNoChannel, chip, err)
	}
	if channel < 0 || channel >= npwm {
		return nil, fmt.Errorf("%w: pwmchip%d has channels 0-%d, not %d", ErrNoChannel, chip, npwm-1, channel)
	}
	c := &Channel{dir: filepath.Join(chipDir, "pwm"+strconv.Itoa(channel)), chipDir: chipDir, channel: channel}
	if _, err := os.Stat(c.dir); errors.Is(err, fs.ErrNotExist) {
		if err := write(filepath.Join(chipDir, "export"), strconv.Itoa(channel)); err != nil {
			return nil, fmt.Errorf("sysfspwm: export pwmchip%d/%d: %w", chip, channel, err)
		}
		c.exported = true
	}
	if err := c.waitWritable(o.Wait); err != nil {
		c.unexport()
		return nil, err
	}
	if err := write(filepath.Join(c.dir, "enable"), "0"); err != nil {
		c.unexport()
		return nil, fmt.Errorf("sysfspwm: %s: %w", c.dir, err)
	}
	c.period, _ = readDuration(filepath.Join(c.dir, "period"))
	c.duty, _ = readDuration(filepath.Join(c.dir, "duty_cycle"))
	return c, nil
}

// waitWritable waits, bounded, for udev to make the new channel's files
// writable: the kernel creates them owned by root, and the gpio group's
// rule changes that a moment later.
func (c *Channel) waitWritable(wait time.Duration) error {
	deadline := time.Now().Add(wait)
	pause := time.Millisecond
	for {
		f, err := os.OpenFile(filepath.Join(c.dir, "period"), os.O_WRONLY, 0)
		if err == nil {
			f.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sysfspwm: %s: %w", c.dir, err)
		}
		time.Sleep(pause)
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// Set sets the period and the duty cycle (the time high in each period)
// and enables the channel. A zero period disables it.
func (c *Channel) Set(period, duty time.Duration) error {
	if period < 0 || duty < 0 || duty > period {
		return fmt.Errorf("%w: period %v, duty %v", ErrBadSetting, period, duty)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if period == 0 {
		return c.enable(false)
	}
	// The kernel refuses a duty cycle longer than the period at every
	// step, so shrink the duty cycle first when the period shrinks.
	if duty < c.duty || period < c.duty {
		if err := c.writeDuration("duty_cycle", duty); err != nil {
			return err
		}
		c.duty = duty
	}
	if period != c.period {
		if err := c.writeDuration("period", period); err != nil {
			return err
		}
		c.period = period
	}
	if duty != c.duty {
		if err := c.writeDuration("duty_cycle", duty); err != nil {
			return err
		}
		c.duty = duty
	}
	return c.enable(true)
}

func (c *Channel) enable(on bool) error {
	if on == c.on {
		return nil
	}
	v := "0"
	if on {
		v = "1"
	}
	if err := write(filepath.Join(c.dir, "enable"), v); err != nil {
		return fmt.Errorf("sysfspwm: %s: enable: %w", c.dir, err)
	}
	c.on = on
	return nil
}

func (c *Channel) writeDuration(name string, d time.Duration) error {
	if err := write(filepath.Join(c.dir, name), strconv.FormatInt(d.Nanoseconds(), 10)); err != nil {
		return fmt.Errorf("sysfspwm: %s: %s: %w", c.dir, name, err)
	}
	return nil
}

// Close disables the channel and unexports it if Open exported it.
func (c *Channel) Close() error {
	c.mu.Lock()
	err := c.enable(false)
	c.mu.Unlock()
	if e := c.unexport(); err == nil {
		err = e
	}
	return err
}

func (c *Channel) unexport() error {
	if !c.exported {
		return nil
	}
	c.exported = false
	if err := write(filepath.Join(c.chipDir, "unexport"), strconv.Itoa(c.channel)); err != nil {
		return fmt.Errorf("sysfspwm: unexport %s: %w", c.dir, err)
	}
	return nil
}

func write(path, v string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(v)
	if e := f.Close(); err == nil {
		err = e
	}
	return err
}

// readInt reads a small sysfs attribute: at most 32 bytes are read.
func readInt(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var b [32]byte
	n, err := f.Read(b[:])
	if err != nil {
		return 0, err
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(b[:n])))
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%s: not a count: %q", path, b[:n])
	}
	return v, nil
}

func readDuration(path string) (time.Duration, error) {
	v, err := readInt(path)
	return time.Duration(v), err
}
