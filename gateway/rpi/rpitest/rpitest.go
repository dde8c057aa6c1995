// Package rpitest is a fake of the Raspberry Pi gateway's kernel
// interface (rpi.Hardware), for tests on any machine: GPIO lines with
// levels, pull resistors and timestamped edges, I²C devices, hardware PWM
// channels, and an HC-SR04 sonar model that answers trigger pulses with
// echo edges.
//
// Tests drive inputs (Drive), read back what the board did to its outputs
// (Writes, Level, PWM, Config) and put devices on the I²C bus (AddI2C,
// with Memory and PCF8591 models).
package rpitest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gobanyan/banyan/gateway/rpi"
	"github.com/gobanyan/banyan/gateway/rpi/gpiocdev"
)

// Errors the fake returns.
var (
	// ErrBusy is a request of a line that is requested already.
	ErrBusy = errors.New("rpitest: line busy")
	// ErrNoDevice is an I²C transfer to an address without a device (the
	// kernel's ENXIO/EREMOTEIO).
	ErrNoDevice = errors.New("rpitest: no i2c device answers")
)

// eventBuffer is how many edges a line holds unread (the kernel's default
// is 16 per line; more is kinder to a busy test machine).
const eventBuffer = 256

// Hardware is the fake. The zero value is not usable; call New.
type Hardware struct {
	mu      sync.Mutex
	lines   map[int]*Line
	drive   map[int]int // levels driven from outside
	writes  map[int][]int
	configs map[int]gpiocdev.Config
	clock   time.Duration // the kernel's monotonic clock, as the fake keeps it
	i2c     map[int]I2CDevice
	txs     []Transfer
	pwm     map[int]*PWM
	sonars  map[int]*sonar // by trigger pin
	dropped int
	closed  bool
}

type sonar struct {
	echo int
	cm   float64
	high bool // the trigger's level
}

// New returns a fake with no pins driven, no I²C devices, no hardware PWM
// and its clock at 1 s.
func New() *Hardware {
	return &Hardware{lines: map[int]*Line{}, drive: map[int]int{}, writes: map[int][]int{}, configs: map[int]gpiocdev.Config{},
		clock: time.Second, i2c: map[int]I2CDevice{}, pwm: map[int]*PWM{}, sonars: map[int]*sonar{}}
}

// Line is a requested fake line.
type Line struct {
	h      *Hardware
	pin    int
	cfg    gpiocdev.Config
	events chan gpiocdev.Event
	done   chan struct{}
	once   sync.Once
	value  int // an output's level; h.mu
}

// RequestLine implements rpi.Hardware.
func (h *Hardware) RequestLine(pin int, c gpiocdev.Config) (rpi.Line, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, errors.New("rpitest: closed")
	}
	if pin < 0 || pin > 53 {
		return nil, fmt.Errorf("%w: %d", gpiocdev.ErrNoLine, pin)
	}
	if h.lines[pin] != nil {
		return nil, fmt.Errorf("%w: %d", ErrBusy, pin)
	}
	l := &Line{h: h, pin: pin, cfg: c, events: make(chan gpiocdev.Event, eventBuffer), done: make(chan struct{})}
	if c.Output {
		l.value = c.Value
		h.writes[pin] = append(h.writes[pin], c.Value)
	}
	h.lines[pin] = l
	h.configs[pin] = c
	return l, nil
}

// level is what pin reads; h.mu is held.
func (h *Hardware) level(pin int) int {
	l := h.lines[pin]
	if l != nil && l.cfg.Output {
		return l.value
	}
	if v, ok := h.drive[pin]; ok {
		return v
	}
	if l != nil && l.cfg.Bias == gpiocdev.BiasPullUp {
		return 1
	}
	return 0
}

// edge queues an edge on pin's line if it detects it; h.mu is held.
func (h *Hardware) edge(pin int, rising bool, at time.Duration) {
	l := h.lines[pin]
	if l == nil || l.cfg.Output {
		return
	}
	switch l.cfg.Edges {
	case gpiocdev.EdgeNone:
		return
	case gpiocdev.EdgeRising:
		if !rising {
			return
		}
	case gpiocdev.EdgeFalling:
		if rising {
			return
		}
	}
	select {
	case l.events <- gpiocdev.Event{Timestamp: at, Rising: rising, Offset: pin}:
	default:
		h.dropped++
	}
}

// Drive sets the level that pin is driven to from outside (a button, a
// sensor): an input line that detects the edge gets an event stamped a
// millisecond after the fake's last.
func (h *Hardware) Drive(pin, v int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	old := h.level(pin)
	h.drive[pin] = v
	if now := h.level(pin); now != old {
		h.clock += time.Millisecond
		h.edge(pin, now == 1, h.clock)
	}
}

// Release stops driving pin (it reads its pull resistor again).
func (h *Hardware) Release(pin int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	old := h.level(pin)
	delete(h.drive, pin)
	if now := h.level(pin); now != old {
		h.clock += time.Millisecond
		h.edge(pin, now == 1, h.clock)
	}
}

// Value implements rpi.Line.
func (l *Line) Value() (int, error) {
	l.h.mu.Lock()
	defer l.h.mu.Unlock()
	if l.closed() {
		return 0, gpiocdev.ErrClosed
	}
	return l.h.level(l.pin), nil
}

// SetValue implements rpi.Line: it records the write, and a sonar's
// trigger falling after a pulse makes its echo answer.
func (l *Line) SetValue(v int) error {
	h := l.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if l.closed() {
		return gpiocdev.ErrClosed
	}
	if !l.cfg.Output {
		return fmt.Errorf("rpitest: line %d is an input", l.pin)
	}
	if v != 0 && v != 1 {
		return fmt.Errorf("rpitest: value %d", v)
	}
	l.value = v
	h.writes[l.pin] = append(h.writes[l.pin], v)
	if s := h.sonars[l.pin]; s != nil {
		if v == 0 && s.high {
			h.echo(s)
		}
		s.high = v == 1
	}
	return nil
}

// echo answers a trigger pulse: the echo goes high 500 µs later for the
// time sound takes to the obstacle and back (343 m/s); h.mu is held.
func (h *Hardware) echo(s *sonar) {
	pulse := time.Duration(s.cm / 17150 * float64(time.Second))
	h.clock += 500 * time.Microsecond
	h.edge(s.echo, true, h.clock)
	h.clock += pulse
	h.edge(s.echo, false, h.clock)
	h.clock += time.Millisecond
}

// ReadEvent implements rpi.Line.
func (l *Line) ReadEvent() (gpiocdev.Event, error) {
	if l.cfg.Edges == gpiocdev.EdgeNone {
		return gpiocdev.Event{}, gpiocdev.ErrNotEdge
	}
	select {
	case <-l.done:
		return gpiocdev.Event{}, gpiocdev.ErrClosed
	case ev := <-l.events:
		return ev, nil
	}
}

// Close implements rpi.Line.
func (l *Line) Close() error {
	l.once.Do(func() {
		l.h.mu.Lock()
		defer l.h.mu.Unlock()
		close(l.done)
		if l.h.lines[l.pin] == l {
			delete(l.h.lines, l.pin)
		}
	})
	return nil
}

func (l *Line) closed() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// Requested reports whether pin's line is requested, and with which
// configuration.
func (h *Hardware) Requested(pin int) (gpiocdev.Config, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := h.lines[pin]
	if l == nil {
		return gpiocdev.Config{}, false
	}
	return l.cfg, true
}

// Writes returns the levels written to pin, in order (an output's
// initial value first), across every request of the pin.
func (h *Hardware) Writes(pin int) []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.writes[pin])
}

// Level returns what pin reads now.
func (h *Hardware) Level(pin int) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.level(pin)
}

// Lines returns the requested pins, sorted.
func (h *Hardware) Lines() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []int
	for p := range h.lines {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// AttachSonar wires an HC-SR04 model, trigger on trigger and echo on
// echo, with an obstacle at cm centimetres: each trigger pulse (a 1 then
// a 0 written to trigger) makes echo rise, then fall after the time sound
// takes there and back, in the fake's clock.
func (h *Hardware) AttachSonar(trigger, echo int, cm float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sonars[trigger] = &sonar{echo: echo, cm: cm}
}

// SetSonarDistance moves the obstacle of the sonar on trigger.
func (h *Hardware) SetSonarDistance(trigger int, cm float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s := h.sonars[trigger]; s != nil {
		s.cm = cm
	}
}

// Dropped returns how many edges were dropped because a line's buffer was
// full.
func (h *Hardware) Dropped() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dropped
}

// Close implements rpi.Hardware. Lines still requested stay usable until
// closed, as the kernel's do.
func (h *Hardware) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	return nil
}

// Closed reports whether Close was called.
func (h *Hardware) Closed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

var _ rpi.Hardware = (*Hardware)(nil)
