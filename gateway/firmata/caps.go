package firmata

import (
	"fmt"
	"slices"
	"strings"
)

// maxPins bounds the pins a capability report may describe (Firmata's pin
// numbers are 7-bit).
const maxPins = 128

// Pin is what the capability and analog mapping reports say of one pin.
type Pin struct {
	// Modes maps each Firmata pin mode the pin supports (0 INPUT, 1 OUTPUT,
	// 2 ANALOG, 3 PWM, 4 SERVO, 6 I2C, 11 PULLUP, ...) to its resolution in
	// bits.
	Modes map[int]int
	// Analog is the pin's analog channel (A0 is 0), or -1.
	Analog int
}

// Capabilities are the board's pins, indexed by pin number.
type Capabilities []Pin

// parseCapabilities reads a CAPABILITY_RESPONSE body: for each pin,
// (mode, resolution) pairs ending with 0x7F.
func parseCapabilities(body []byte) (Capabilities, error) {
	var caps Capabilities
	cur := Pin{Modes: map[int]int{}, Analog: -1}
	for i := 0; i < len(body); {
		if body[i] == 0x7F {
			if len(caps) >= maxPins {
				return nil, fmt.Errorf("capability report describes more than %d pins", maxPins)
			}
			caps = append(caps, cur)
			cur = Pin{Modes: map[int]int{}, Analog: -1}
			i++
			continue
		}
		if i+1 >= len(body) {
			return nil, fmt.Errorf("capability report ends inside pin %d", len(caps))
		}
		cur.Modes[int(body[i])] = int(body[i+1])
		i += 2
	}
	if len(cur.Modes) > 0 {
		return nil, fmt.Errorf("capability report ends inside pin %d", len(caps))
	}
	return caps, nil
}

// applyMapping records an ANALOG_MAPPING_RESPONSE body: one byte per pin,
// its channel or 0x7F.
func (c Capabilities) applyMapping(body []byte) {
	for pin, ch := range body {
		if pin < len(c) && ch != 0x7F {
			c[pin].Analog = int(ch)
		}
	}
}

// can reports whether pin exists and supports Firmata mode m.
func (c Capabilities) can(pin int, m byte) bool {
	if pin < 0 || pin >= len(c) {
		return false
	}
	_, ok := c[pin].Modes[int(m)]
	return ok
}

// resolution is pin's resolution in mode m, in bits (0 if unknown).
func (c Capabilities) resolution(pin int, m byte) int {
	if pin < 0 || pin >= len(c) {
		return 0
	}
	return c[pin].Modes[int(m)]
}

// analogPin returns the pin of analog channel ch.
func (c Capabilities) analogPin(ch int) (int, bool) {
	for pin, p := range c {
		if p.Analog == ch && ch >= 0 {
			return pin, true
		}
	}
	return 0, false
}

// channels lists the analog channels, in order.
func (c Capabilities) channels() []int {
	var out []int
	for _, p := range c {
		if p.Analog >= 0 {
			out = append(out, p.Analog)
		}
	}
	slices.Sort(out)
	return out
}

// pinsWith lists the pins that support mode m, compactly ("3, 5-6, 9").
func (c Capabilities) pinsWith(m byte) string {
	var pins []int
	for pin := range c {
		if c.can(pin, m) {
			pins = append(pins, pin)
		}
	}
	return ranges(pins)
}

// ranges prints sorted ints as "0-5, 9".
func ranges(v []int) string {
	if len(v) == 0 {
		return "none"
	}
	var parts []string
	for i := 0; i < len(v); {
		j := i
		for j+1 < len(v) && v[j+1] == v[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, fmt.Sprint(v[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", v[i], v[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
