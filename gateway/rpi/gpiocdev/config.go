package gpiocdev

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// Errors.
var (
	// ErrUnsupportedOS is Open on a system other than Linux.
	ErrUnsupportedOS = errors.New("gpiocdev: the GPIO character device is Linux only")
	// ErrClosed is an operation on a closed Line or Chip.
	ErrClosed = errors.New("gpiocdev: closed")
	// ErrNoLine is an offset the chip does not have.
	ErrNoLine = errors.New("gpiocdev: no such line")
	// ErrBadConfig is a Config the kernel interface cannot express.
	ErrBadConfig = errors.New("gpiocdev: bad line configuration")
	// ErrNotEdge is ReadEvent on a line requested without edge detection.
	ErrNotEdge = errors.New("gpiocdev: the line has no edge detection")
)

// Bias is a line's pull resistor.
type Bias int

// The biases. BiasAsIs leaves the line's bias as it is.
const (
	BiasAsIs Bias = iota
	BiasDisabled
	BiasPullUp
	BiasPullDown
)

// String returns the bias's name.
func (b Bias) String() string {
	switch b {
	case BiasAsIs:
		return "as-is"
	case BiasDisabled:
		return "disabled"
	case BiasPullUp:
		return "pull-up"
	case BiasPullDown:
		return "pull-down"
	}
	return fmt.Sprintf("Bias(%d)", int(b))
}

// Edges are the edges an input line reports.
type Edges int

// The edge settings.
const (
	EdgeNone Edges = iota
	EdgeRising
	EdgeFalling
	EdgeBoth
)

// MaxDebounce is the longest debounce period the uAPI carries (a uint32
// of microseconds).
const MaxDebounce = time.Duration(1<<32-1) * time.Microsecond

// Config is a line's configuration.
type Config struct {
	// Consumer names the user of the line, as the kernel shows it
	// (gpioinfo); it is cut to 31 bytes.
	Consumer string
	// Output makes the line an output driven to Value (0 or 1); otherwise
	// it is an input.
	Output bool
	Value  int
	// Bias is the pull resistor.
	Bias Bias
	// Edges are the edges an input reports (ReadEvent).
	Edges Edges
	// Debounce filters an input's glitches shorter than this (the kernel
	// does it, in hardware where the chip can); 0 is none.
	Debounce time.Duration
	// RealtimeClock stamps events with CLOCK_REALTIME instead of
	// CLOCK_MONOTONIC (Linux 5.11 and later).
	RealtimeClock bool
}

// Event is one edge on a line.
type Event struct {
	// Timestamp is the kernel's time of the edge: CLOCK_MONOTONIC, or
	// CLOCK_REALTIME since the epoch with Config.RealtimeClock.
	Timestamp time.Duration
	// Rising is true for a rising edge, false for a falling one.
	Rising bool
	// Offset is the line's offset on its chip.
	Offset int
	// Seqno counts the events of the request; LineSeqno those of the line.
	Seqno, LineSeqno uint32
}

// flags returns the v2 line flags of c.
func (c Config) flags() (uint64, error) {
	var f uint64
	if c.Output {
		f |= flagOutput
		if c.Edges != EdgeNone {
			return 0, fmt.Errorf("%w: edge detection on an output", ErrBadConfig)
		}
		if c.Debounce != 0 {
			return 0, fmt.Errorf("%w: debounce on an output", ErrBadConfig)
		}
	} else {
		f |= flagInput
	}
	switch c.Bias {
	case BiasAsIs:
	case BiasDisabled:
		f |= flagBiasDisabled
	case BiasPullUp:
		f |= flagBiasPullUp
	case BiasPullDown:
		f |= flagBiasPullDown
	default:
		return 0, fmt.Errorf("%w: %v", ErrBadConfig, c.Bias)
	}
	switch c.Edges {
	case EdgeNone:
	case EdgeRising:
		f |= flagEdgeRising
	case EdgeFalling:
		f |= flagEdgeFalling
	case EdgeBoth:
		f |= flagEdgeRising | flagEdgeFalling
	default:
		return 0, fmt.Errorf("%w: edges %d", ErrBadConfig, int(c.Edges))
	}
	if c.RealtimeClock {
		f |= flagClockRealtime
	}
	return f, nil
}

// lineConfig encodes c for one line (mask bit 0 in the request).
func (c Config) lineConfig() (lineConfig, error) {
	var lc lineConfig
	f, err := c.flags()
	if err != nil {
		return lc, err
	}
	if c.Debounce < 0 || c.Debounce > MaxDebounce {
		return lc, fmt.Errorf("%w: debounce %v (0 to %v)", ErrBadConfig, c.Debounce, MaxDebounce)
	}
	if c.Value != 0 && c.Value != 1 {
		return lc, fmt.Errorf("%w: value %d (0 or 1)", ErrBadConfig, c.Value)
	}
	lc.flags = f
	if c.Output {
		lc.attrs[lc.numAttrs] = lineConfigAttribute{attr: lineAttribute{id: attrOutputValues, value: uint64(c.Value)}, mask: 1}
		lc.numAttrs++
	}
	if us := c.Debounce.Microseconds(); us > 0 {
		a := lineConfigAttribute{attr: lineAttribute{id: attrDebounce}, mask: 1}
		setDebounce(&a.attr, uint32(us))
		lc.attrs[lc.numAttrs] = a
		lc.numAttrs++
	}
	return lc, nil
}

// setDebounce stores debounce_period_us in the union's first 4 bytes, where
// C puts a __u32 member, whatever the byte order.
func setDebounce(a *lineAttribute, us uint32) {
	var b [8]byte
	binary.NativeEndian.PutUint32(b[:4], us)
	a.value = binary.NativeEndian.Uint64(b[:])
}

// newRequest encodes a request for the line at offset.
func newRequest(offset int, c Config) (lineRequest, error) {
	var r lineRequest
	if offset < 0 || offset > math.MaxInt32 {
		return r, fmt.Errorf("%w: offset %d", ErrNoLine, offset)
	}
	lc, err := c.lineConfig()
	if err != nil {
		return r, err
	}
	r.offsets[0] = uint32(offset)
	copy(r.consumer[:maxNameSize-1], c.Consumer)
	r.config = lc
	r.numLines = 1
	return r, nil
}

// parseEvent decodes one struct gpio_v2_line_event.
func parseEvent(b []byte) (Event, error) {
	if len(b) < eventSize {
		return Event{}, fmt.Errorf("gpiocdev: short event (%d bytes)", len(b))
	}
	e := binary.NativeEndian
	ts := e.Uint64(b[0:])
	id := e.Uint32(b[8:])
	if id != eventRising && id != eventFalling {
		return Event{}, fmt.Errorf("gpiocdev: unknown event id %d", id)
	}
	if ts > 1<<63-1 {
		ts = 1<<63 - 1
	}
	return Event{Timestamp: time.Duration(ts), Rising: id == eventRising, Offset: int(e.Uint32(b[12:]) & 0x7fffffff),
		Seqno: e.Uint32(b[16:]), LineSeqno: e.Uint32(b[20:])}, nil
}

// LineInfo describes a line of a chip.
type LineInfo struct {
	Offset   int
	Name     string // the line's name, for example "GPIO17" ("" if the chip gives none)
	Consumer string // who uses it ("" if unused or unnamed)
	Used     bool   // requested by the kernel or a process
	Output   bool
}

// ChipInfo describes a chip.
type ChipInfo struct {
	Name  string // "gpiochip0"
	Label string // the driver, for example "pinctrl-bcm2711" or "pinctrl-rp1"
	Lines int
}

func (i *lineInfo) info() LineInfo {
	return LineInfo{Offset: int(i.offset & 0x7fffffff), Name: cString(i.name[:]), Consumer: cString(i.consumer[:]),
		Used: i.flags&flagUsed != 0, Output: i.flags&flagOutput != 0}
}

func (i *chipInfo) info() ChipInfo {
	return ChipInfo{Name: cString(i.name[:]), Label: cString(i.label[:]), Lines: int(i.lines & 0x7fffffff)}
}
