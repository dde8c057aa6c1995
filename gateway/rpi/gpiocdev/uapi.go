package gpiocdev

// The layout of include/uapi/linux/gpio.h (v2 uAPI). Every field is
// explicitly padded in the header, so Go lays the structs out as C does
// on 32 and 64-bit systems alike (uapi_test.go checks sizes and offsets).

const (
	maxNameSize = 32 // GPIO_MAX_NAME_SIZE
	maxLines    = 64 // GPIO_V2_LINES_MAX
	maxAttrs    = 10 // GPIO_V2_LINE_NUM_ATTRS_MAX
)

// enum gpio_v2_line_flag.
const (
	flagUsed          uint64 = 1 << 0
	flagActiveLow     uint64 = 1 << 1
	flagInput         uint64 = 1 << 2
	flagOutput        uint64 = 1 << 3
	flagEdgeRising    uint64 = 1 << 4
	flagEdgeFalling   uint64 = 1 << 5
	flagOpenDrain     uint64 = 1 << 6
	flagOpenSource    uint64 = 1 << 7
	flagBiasPullUp    uint64 = 1 << 8
	flagBiasPullDown  uint64 = 1 << 9
	flagBiasDisabled  uint64 = 1 << 10
	flagClockRealtime uint64 = 1 << 11
)

// enum gpio_v2_line_attr_id.
const (
	attrFlags        = 1
	attrOutputValues = 2
	attrDebounce     = 3
)

// enum gpio_v2_line_event_id.
const (
	eventRising  = 1
	eventFalling = 2
)

// struct gpiochip_info (68 bytes).
type chipInfo struct {
	name  [maxNameSize]byte
	label [maxNameSize]byte
	lines uint32
}

// struct gpio_v2_line_attribute (16 bytes). The union (flags, values,
// debounce_period_us) is one uint64; debounce_period_us is its low 32
// bits on a little-endian machine, which every Raspberry Pi is (see
// setDebounce).
type lineAttribute struct {
	id      uint32
	padding uint32
	value   uint64
}

// struct gpio_v2_line_config_attribute (24 bytes).
type lineConfigAttribute struct {
	attr lineAttribute
	mask uint64
}

// struct gpio_v2_line_config (272 bytes).
type lineConfig struct {
	flags    uint64
	numAttrs uint32
	padding  [5]uint32
	attrs    [maxAttrs]lineConfigAttribute
}

// struct gpio_v2_line_request (592 bytes).
type lineRequest struct {
	offsets         [maxLines]uint32
	consumer        [maxNameSize]byte
	config          lineConfig
	numLines        uint32
	eventBufferSize uint32
	padding         [5]uint32
	fd              int32
}

// struct gpio_v2_line_info (256 bytes).
type lineInfo struct {
	name     [maxNameSize]byte
	consumer [maxNameSize]byte
	offset   uint32
	numAttrs uint32
	flags    uint64
	attrs    [maxAttrs]lineAttribute
	padding  [4]uint32
}

// struct gpio_v2_line_values (16 bytes).
type lineValues struct {
	bits uint64
	mask uint64
}

// struct gpio_v2_line_event (48 bytes).
const eventSize = 48

// The ioctl numbers, in the generic Linux encoding dir<<30 | size<<16 |
// type<<8 | nr (GPIO_GET_CHIPINFO_IOCTL = _IOR(0xB4, 0x01, struct
// gpiochip_info), ...).
const (
	iocWrite = 1
	iocRead  = 2

	ioctlChipInfo  = iocRead<<30 | 68<<16 | 0xB4<<8 | 0x01
	ioctlLineInfo  = (iocRead|iocWrite)<<30 | 256<<16 | 0xB4<<8 | 0x05
	ioctlGetLine   = (iocRead|iocWrite)<<30 | 592<<16 | 0xB4<<8 | 0x07
	ioctlSetConfig = (iocRead|iocWrite)<<30 | 272<<16 | 0xB4<<8 | 0x0D
	ioctlGetValues = (iocRead|iocWrite)<<30 | 16<<16 | 0xB4<<8 | 0x0E
	ioctlSetValues = (iocRead|iocWrite)<<30 | 16<<16 | 0xB4<<8 | 0x0F
)

// cString returns the NUL-terminated string in b.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
