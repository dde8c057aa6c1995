package gpiocdev

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
	"unsafe"
)

// The sizes and offsets of include/uapi/linux/gpio.h, which are the same
// on 32 and 64-bit systems (GOARCH=386 and arm run these too).
func TestLayout(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"gpiochip_info", unsafe.Sizeof(chipInfo{}), 68},
		{"gpio_v2_line_attribute", unsafe.Sizeof(lineAttribute{}), 16},
		{"gpio_v2_line_config_attribute", unsafe.Sizeof(lineConfigAttribute{}), 24},
		{"gpio_v2_line_config", unsafe.Sizeof(lineConfig{}), 272},
		{"gpio_v2_line_request", unsafe.Sizeof(lineRequest{}), 592},
		{"gpio_v2_line_info", unsafe.Sizeof(lineInfo{}), 256},
		{"gpio_v2_line_values", unsafe.Sizeof(lineValues{}), 16},
		{"line_config.attrs", unsafe.Offsetof(lineConfig{}.attrs), 32},
		{"line_request.consumer", unsafe.Offsetof(lineRequest{}.consumer), 256},
		{"line_request.config", unsafe.Offsetof(lineRequest{}.config), 288},
		{"line_request.num_lines", unsafe.Offsetof(lineRequest{}.numLines), 560},
		{"line_request.event_buffer_size", unsafe.Offsetof(lineRequest{}.eventBufferSize), 564},
		{"line_request.fd", unsafe.Offsetof(lineRequest{}.fd), 588},
		{"line_info.offset", unsafe.Offsetof(lineInfo{}.offset), 64},
		{"line_info.flags", unsafe.Offsetof(lineInfo{}.flags), 72},
		{"line_info.attrs", unsafe.Offsetof(lineInfo{}.attrs), 80},
		{"line_attribute.value", unsafe.Offsetof(lineAttribute{}.value), 8},
		{"line_config_attribute.mask", unsafe.Offsetof(lineConfigAttribute{}.mask), 16},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
		}
	}
}

// The ioctl numbers, as the kernel headers compute them on arm, arm64 and
// x86.
func TestIoctlNumbers(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uint32
	}{
		{"GPIO_GET_CHIPINFO_IOCTL", ioctlChipInfo, 0x8044B401},
		{"GPIO_V2_GET_LINEINFO_IOCTL", ioctlLineInfo, 0xC100B405},
		{"GPIO_V2_GET_LINE_IOCTL", ioctlGetLine, 0xC250B407},
		{"GPIO_V2_LINE_SET_CONFIG_IOCTL", ioctlSetConfig, 0xC110B40D},
		{"GPIO_V2_LINE_GET_VALUES_IOCTL", ioctlGetValues, 0xC010B40E},
		{"GPIO_V2_LINE_SET_VALUES_IOCTL", ioctlSetValues, 0xC010B40F},
	} {
		if c.got != c.want {
			t.Errorf("%s = %#x, want %#x", c.name, c.got, c.want)
		}
	}
}

// raw returns the request's bytes as the kernel reads them.
func raw(r *lineRequest) []byte { return unsafe.Slice((*byte)(unsafe.Pointer(r)), unsafe.Sizeof(*r)) }

func TestRequestInputPullDownBothEdgesDebounce(t *testing.T) {
	r, err := newRequest(17, Config{Consumer: "banyan", Bias: BiasPullDown, Edges: EdgeBoth, Debounce: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	b := raw(&r)
	e := binary.LittleEndian
	if !isLittleEndian() {
		t.Skip("byte offsets below are little-endian")
	}
	if got := e.Uint32(b[0:]); got != 17 {
		t.Errorf("offsets[0] = %d", got)
	}
	if got := cString(b[256:288]); got != "banyan" {
		t.Errorf("consumer %q", got)
	}
	// flags: INPUT (bit 2), EDGE_RISING (4), EDGE_FALLING (5), BIAS_PULL_DOWN (9).
	if got, want := e.Uint64(b[288:]), uint64(1<<2|1<<4|1<<5|1<<9); got != want {
		t.Errorf("flags %#x, want %#x", got, want)
	}
	if got := e.Uint32(b[296:]); got != 1 {
		t.Errorf("num_attrs %d, want 1 (debounce)", got)
	}
	// attrs[0] at 288+32: id DEBOUNCE (3), padding, debounce_period_us, mask.
	a := b[320:]
	if id, us, mask := e.Uint32(a[0:]), e.Uint32(a[8:]), e.Uint64(a[16:]); id != 3 || us != 20000 || mask != 1 {
		t.Errorf("attr id %d debounce %d us mask %#x, want 3, 20000, 1", id, us, mask)
	}
	if got := e.Uint32(b[560:]); got != 1 {
		t.Errorf("num_lines %d", got)
	}
	// Nothing else is set: padding must be zero for the kernel.
	for _, off := range []int{300, 564, 568, 588} {
		if e.Uint32(b[off:]) != 0 {
			t.Errorf("byte %d is not zero", off)
		}
	}
}

func isLittleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

func TestRequestOutput(t *testing.T) {
	r, err := newRequest(4, Config{Output: true, Value: 1, Bias: BiasDisabled})
	if err != nil {
		t.Fatal(err)
	}
	if r.config.flags != flagOutput|flagBiasDisabled {
		t.Errorf("flags %#x", r.config.flags)
	}
	if r.config.numAttrs != 1 || r.config.attrs[0] != (lineConfigAttribute{attr: lineAttribute{id: attrOutputValues, value: 1}, mask: 1}) {
		t.Errorf("attrs %d %+v, want the output value 1 for line 0", r.config.numAttrs, r.config.attrs[0])
	}
	r, _ = newRequest(4, Config{Bias: BiasPullUp, RealtimeClock: true, Consumer: "a consumer name longer than thirty-one bytes"})
	if r.config.flags != flagInput|flagBiasPullUp|flagClockRealtime || r.config.numAttrs != 0 {
		t.Errorf("flags %#x attrs %d", r.config.flags, r.config.numAttrs)
	}
	if r.consumer[maxNameSize-1] != 0 || len(cString(r.consumer[:])) != maxNameSize-1 {
		t.Errorf("consumer %q not cut to 31 bytes and NUL", r.consumer)
	}
}

func TestRequestRefusesWhatTheKernelCannotDo(t *testing.T) {
	for _, c := range []Config{
		{Output: true, Edges: EdgeBoth},
		{Output: true, Debounce: time.Millisecond},
		{Output: true, Value: 2},
		{Bias: Bias(9)},
		{Edges: Edges(7)},
		{Debounce: -time.Second},
		{Debounce: MaxDebounce + time.Microsecond},
	} {
		if _, err := newRequest(1, c); !errors.Is(err, ErrBadConfig) {
			t.Errorf("%+v: %v, want ErrBadConfig", c, err)
		}
	}
	if _, err := newRequest(-1, Config{}); !errors.Is(err, ErrNoLine) {
		t.Errorf("offset -1: %v", err)
	}
}

func TestParseEvent(t *testing.T) {
	b := make([]byte, eventSize)
	e := binary.NativeEndian
	e.PutUint64(b[0:], 1_234_567_890)
	e.PutUint32(b[8:], eventFalling)
	e.PutUint32(b[12:], 24)
	e.PutUint32(b[16:], 7)
	e.PutUint32(b[20:], 3)
	ev, err := parseEvent(b)
	if err != nil {
		t.Fatal(err)
	}
	if ev != (Event{Timestamp: 1_234_567_890, Rising: false, Offset: 24, Seqno: 7, LineSeqno: 3}) {
		t.Errorf("%+v", ev)
	}
	e.PutUint32(b[8:], eventRising)
	if ev, _ := parseEvent(b); !ev.Rising {
		t.Error("rising edge read as falling")
	}
	e.PutUint32(b[8:], 9)
	if _, err := parseEvent(b); err == nil {
		t.Error("event id 9 accepted")
	}
	if _, err := parseEvent(b[:20]); err == nil {
		t.Error("short event accepted")
	}
}

func TestInfo(t *testing.T) {
	var ci chipInfo
	copy(ci.name[:], "gpiochip0")
	copy(ci.label[:], "pinctrl-bcm2711")
	ci.lines = 58
	if got := ci.info(); got != (ChipInfo{Name: "gpiochip0", Label: "pinctrl-bcm2711", Lines: 58}) {
		t.Errorf("%+v", got)
	}
	li := lineInfo{offset: 17, flags: flagUsed | flagOutput}
	copy(li.name[:], "GPIO17")
	copy(li.consumer[:], "banyan")
	if got := li.info(); got != (LineInfo{Offset: 17, Name: "GPIO17", Consumer: "banyan", Used: true, Output: true}) {
		t.Errorf("%+v", got)
	}
}

func TestChips(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"gpiochip10", "gpiochip2", "gpiochip0", "gpiochipx", "ttyS0"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{filepath.Join(dir, "gpiochip0"), filepath.Join(dir, "gpiochip2"), filepath.Join(dir, "gpiochip10")}
	if got := Chips(dir); !slices.Equal(got, want) {
		t.Errorf("Chips = %v, want %v", got, want)
	}
	if got := Chips(filepath.Join(dir, "none")); len(got) != 0 {
		t.Errorf("Chips of a missing dir = %v", got)
	}
}
