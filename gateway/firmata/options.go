package firmata

import (
	"errors"
	"log/slog"
	"time"
)

// Options configure a Board. The zero value auto-detects a board on the
// serial ports of DefaultPatterns at DefaultBaud.
type Options struct {
	// Port is the serial port (/dev/ttyACM0, COM3). Empty, with TCP empty
	// too, detects the board: each port matching Patterns is opened and the
	// first board that answers (with InstanceID, when set) is kept.
	Port string
	// Patterns are the glob patterns of the ports auto-detection tries;
	// nil means DefaultPatterns (on Windows the COM ports, on macOS
	// /dev/cu.usbmodem* and /dev/cu.usbserial*).
	Patterns []string
	// TCP is the address (host or host:port, port DefaultTCPPort when
	// omitted) of a board on the network: StandardFirmataWiFi,
	// StandardFirmataEthernet, an ESP32 running Firmata.
	TCP string
	// Baud is the serial speed; 0 means DefaultBaud (FirmataExpress's, as
	// Python's gateway uses). StandardFirmata runs at 57600.
	Baud int
	// InstanceID, when not 0, accepts only a FirmataExpress board that
	// answers ARE_YOU_THERE with this arduino_instance_id.
	InstanceID int
	// KeepAlive is FirmataExpress's keep-alive period: the board resets
	// itself (outputs off) when the host has been silent that long. 0 turns
	// it off; with other firmware it is ignored. Whole seconds, at most
	// 10 s.
	KeepAlive time.Duration
	// StartTimeout bounds the wait for the board to answer after the port
	// opens (an Uno's bootloader takes about 2 s); 0 means 10 s.
	StartTimeout time.Duration
	// PollInterval spaces the queries sent until the board answers; 0
	// means 250 ms.
	PollInterval time.Duration
	// SamplingInterval is the analog and i2c sampling interval set on the
	// board; 0 leaves the firmware's (19 ms for StandardFirmata).
	SamplingInterval time.Duration
	// AnalogChange is how far an analog input must move from the last
	// reported value to be reported again; 0 means 1 (pymata-express's
	// differential), negative reports every sample.
	AnalogChange int
	// I2CTimeout bounds the wait for an I2C_REPLY; 0 means 1 s.
	I2CTimeout time.Duration
	// ReconnectMin and ReconnectMax bound the pause between reconnection
	// attempts, which doubles from the first to the second; 0 means 250 ms
	// and 5 s.
	ReconnectMin, ReconnectMax time.Duration
	// MaxSysex is the longest sysex body accepted; 0 means DefaultMaxSysex.
	MaxSysex int
	// Logger receives link events; nil means slog.Default().
	Logger *slog.Logger
}

// DefaultBaud is the serial speed when Options.Baud is 0.
const DefaultBaud = 115200

func (o Options) withDefaults() (Options, error) {
	if o.Port != "" && o.TCP != "" {
		return o, errors.New("firmata: Options.Port and Options.TCP are exclusive")
	}
	if o.InstanceID < 0 || o.InstanceID > 127 {
		return o, errors.New("firmata: Options.InstanceID must be 0-127")
	}
	if o.KeepAlive < 0 || o.KeepAlive > 10*time.Second {
		return o, errors.New("firmata: Options.KeepAlive must be 0-10s")
	}
	if o.SamplingInterval < 0 || o.SamplingInterval > (1<<14-1)*time.Millisecond {
		return o, errors.New("firmata: Options.SamplingInterval must be 0-16383ms")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.Baud <= 0 {
		o.Baud = DefaultBaud
	}
	def(&o.StartTimeout, 10*time.Second)
	def(&o.PollInterval, 250*time.Millisecond)
	def(&o.I2CTimeout, time.Second)
	def(&o.ReconnectMin, 250*time.Millisecond)
	def(&o.ReconnectMax, 5*time.Second)
	if o.ReconnectMax < o.ReconnectMin {
		o.ReconnectMax = o.ReconnectMin
	}
	if o.AnalogChange == 0 {
		o.AnalogChange = 1
	}
	if o.MaxSysex <= 0 {
		o.MaxSysex = DefaultMaxSysex
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}
