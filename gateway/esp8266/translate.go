package esp8266

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/gobanyan/banyan/gateway"
)

// payload is a command for the firmware: keys in order, values ints,
// strings or lists of ints (never a string where the firmware wants a
// number: it drives a pin high on "0").
type payload struct{ kv []any }

func cmd(name string) *payload { return &payload{kv: []any{"command", name}} }

func (p *payload) add(k string, v any) *payload { p.kv = append(p.kv, k, v); return p }

// frame encodes p as compact JSON padded with spaces to n bytes.
func (p *payload) frame(n int) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(n)
	b.WriteByte('{')
	for i := 0; i+1 < len(p.kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p.kv[i])
		v, err := json.Marshal(p.kv[i+1])
		if err != nil {
			return nil, fmt.Errorf("esp8266: %w", err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	if b.Len() > n {
		return nil, fmt.Errorf("%w: %d bytes of JSON, the frame is %d", ErrFrameTooLong, b.Len(), n)
	}
	for b.Len() < n {
		b.WriteByte(' ')
	}
	return b.Bytes(), nil
}

// extraInt reads an integer board option from c.Extra (absent: ok false).
// Bools count as 0 and 1; strings are refused, since the firmware would
// take any non-empty one as true.
func extraInt(c gateway.Command, key string, min, max int) (n int, ok bool, err error) {
	v, present := c.Extra[key]
	if !present || v == nil {
		return 0, false, nil
	}
	switch x := v.(type) {
	case bool:
		if x {
			n = 1
		}
	case int64:
		if x < math.MinInt32 || x > math.MaxInt32 {
			return 0, false, badExtra(c, key, v)
		}
		n = int(x)
	case uint64:
		if x > math.MaxInt32 {
			return 0, false, badExtra(c, key, v)
		}
		n = int(x)
	case int:
		n = x
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > math.MaxInt32 {
			return 0, false, badExtra(c, key, v)
		}
		n = int(x)
	default:
		return 0, false, badExtra(c, key, v)
	}
	if n < min || n > max {
		return 0, false, fmt.Errorf("%w: %s: %q is %d, want %d to %d", gateway.ErrBadCommand, c.Name, key, n, min, max)
	}
	return n, true, nil
}

func badExtra(c gateway.Command, key string, v any) error {
	return fmt.Errorf("%w: %s: %q is %v (%T), want an integer or a bool", gateway.ErrBadCommand, c.Name, key, v, v)
}

// irqs are the set_mode_digital_input "irq" values the firmware knows.
var irqs = []string{"rising", "falling", "both"}

// checkPin refuses a pin outside ValidPins unless any.
func checkPin(anyPin bool, name string, pin int) error {
	if pin < 0 || pin > 16 {
		return fmt.Errorf("%w: %s: pin %d (the ESP8266 has GPIO 0 to 16)", ErrInvalidPin, name, pin)
	}
	if !anyPin && !slices.Contains(validPins, pin) {
		return fmt.Errorf("%w: %s: pin %d, want one of %v (or turn the check off: -x False)", ErrInvalidPin, name, pin, validPins)
	}
	return nil
}

func checkPWM(name string, pin int) error {
	if !slices.Contains(pwmPins, pin) {
		return fmt.Errorf("%w: %s on pin %d, which has no PWM (the firmware crashes)", ErrFirmware, name, pin)
	}
	return nil
}

func refuse(c gateway.Command, why string) error {
	return fmt.Errorf("%w: %s (%s)", ErrFirmware, c.Name, why)
}

func inRange(c gateway.Command, key string, v, min, max int) error {
	if v < min || v > max {
		return fmt.Errorf("%w: %s: %q is %d, want %d to %d", gateway.ErrBadCommand, c.Name, key, v, min, max)
	}
	return nil
}
