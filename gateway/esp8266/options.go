package esp8266

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"time"
)

// Defaults, as Python's esp8266_gateway.py has them where it has them.
const (
	// DefaultPort is the firmware's TCP port (Python's -t).
	DefaultPort = 31337
	// DefaultFrameLen is the firmware's frame length (Python's -l).
	DefaultFrameLen = 96
	// DefaultChangeDiff is the change_diff sent with set_mode_analog_input
	// when the client gives none: without one the firmware reports the
	// ADC on every idle loop, about 100 times a second.
	DefaultChangeDiff = 8
	// MaxReport bounds one report from the firmware (the longest measured
	// is 153 bytes); a longer object is dropped and counted.
	MaxReport = 4096
	// MaxI2CRead bounds number_of_bytes in i2c_read, so that the
	// firmware's report stays well under MaxReport.
	MaxI2CRead = 128
	// maxFrameLen bounds Options.FrameLen.
	maxFrameLen = 4096
)

// ValidPins are the ESP8266 GPIOs the gateway accepts unless
// Options.AnyPin (Python's -x False).
var validPins = []int{4, 5, 12, 13, 14, 15}

// pwmPins are the ESP8266 GPIOs with PWM: all but GPIO16. The firmware
// drives digital outputs through PWM, and crashes on another pin.
var pwmPins = []int{0, 2, 4, 5, 12, 13, 14, 15}

// ValidPins returns the pins the gateway accepts by default: 4, 5, 12,
// 13, 14 and 15, as Python's gateway.
func ValidPins() []int { return slices.Clone(validPins) }

// Mode is who opens the TCP connection.
type Mode int

const (
	// Client: the gateway connects to the ESP8266 (the firmware's default
	// and Python's -c client).
	Client Mode = iota
	// Server: the gateway listens and the ESP8266 connects to it (-c
	// server).
	Server
)

// String returns "client" or "server".
func (m Mode) String() string {
	if m == Server {
		return "server"
	}
	return "client"
}

// Options configure a Board. The zero value is a client with no address,
// which New refuses; set Addr.
type Options struct {
	// Mode is Client (default) or Server.
	Mode Mode
	// Addr is the ESP8266's address in client mode (required), and the
	// address to listen on in server mode ("" listens on every
	// interface, as Python binds '').
	Addr string
	// Port is the TCP port (0: DefaultPort).
	Port int
	// Listener, in server mode, is used instead of listening on
	// Addr:Port (tests pass one on a free port). Run closes it.
	Listener net.Listener
	// Dial, in client mode, opens the connection; nil: a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// FrameLen is the length commands are padded to (0:
	// DefaultFrameLen); it must match the firmware's. A command whose
	// JSON is longer is refused with an error report (Python sends it,
	// and the stream desynchronises).
	FrameLen int
	// AnyPin turns the pin check off (Python's -x False). By default
	// only ValidPins are accepted.
	AnyPin bool
	// I2CAddrs are the addresses of the devices on the board's i2c bus.
	// The firmware crashes on an i2c_read of a missing device, so the
	// gateway refuses i2c_read to any address not listed.
	I2CAddrs []int
	// ChangeDiff is the change_diff sent with set_mode_analog_input when
	// the client gives none: 0 means DefaultChangeDiff; a negative value
	// sends none (the firmware then reports on every idle loop, and the
	// gateway drops repeated values).
	ChangeDiff int
	// MinBackoff and MaxBackoff bound the pause between connection
	// attempts in client mode, doubling from MinBackoff after each
	// failure (defaults 250 ms and 10 s).
	MinBackoff, MaxBackoff time.Duration
	// GreetingTimeout is how long a new connection may take to send the
	// firmware's {"report": "connected"} greeting before the gateway
	// gives up on it (0: 5 s; negative: do not wait for a greeting, the
	// link is up once connected).
	GreetingTimeout time.Duration
	// WriteTimeout bounds each write to the board (0: 5 s).
	WriteTimeout time.Duration
	// Logger receives link events; nil means slog.Default().
	Logger *slog.Logger
}

// withDefaults checks o and fills in the defaults.
func (o Options) withDefaults() (Options, error) {
	switch o.Mode {
	case Client:
		if o.Addr == "" || o.Addr == "None" {
			return o, errors.New("esp8266: client mode needs the board's address (Options.Addr, -i)")
		}
	case Server:
	default:
		return o, fmt.Errorf("esp8266: unknown mode %d", o.Mode)
	}
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.Port < 0 || o.Port > 65535 {
		return o, fmt.Errorf("esp8266: port %d out of range", o.Port)
	}
	if o.FrameLen == 0 {
		o.FrameLen = DefaultFrameLen
	}
	if o.FrameLen < 16 || o.FrameLen > maxFrameLen {
		return o, fmt.Errorf("esp8266: frame length %d: want 16 to %d", o.FrameLen, maxFrameLen)
	}
	for _, a := range o.I2CAddrs {
		if a < 0 || a > 127 {
			return o, fmt.Errorf("esp8266: i2c address %d: want 0 to 127", a)
		}
	}
	if o.ChangeDiff == 0 {
		o.ChangeDiff = DefaultChangeDiff
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 250 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.GreetingTimeout == 0 {
		o.GreetingTimeout = 5 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Dial == nil {
		var d net.Dialer
		o.Dial = d.DialContext
	}
	return o, nil
}
