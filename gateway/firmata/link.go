package firmata

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.bug.st/serial"
)

// link is one open connection to a board: a serial port or a TCP
// connection, its reader goroutine and what the board said of itself.
type link struct {
	name string // the port's path, or the TCP address
	rw   io.ReadWriteCloser
	p    *parser

	wmu sync.Mutex // serialises writes

	done    chan struct{} // closed when the reader ends
	err     error         // why it ended; read after done
	read    atomic.Uint64 // bytes received
	unknown atomic.Uint64 // messages the driver does not use

	// ready: the handshake is over and messages go to handle.
	ready  atomic.Bool
	handle func(message)

	mu      sync.Mutex
	hello   hello
	changed chan struct{} // a hello fact arrived (capacity 1)
	closed  sync.Once
}

// hello is what a board says of itself during the handshake.
type hello struct {
	version      [2]byte
	haveVersion  bool
	firmware     string
	fwVersion    [2]byte
	haveFirmware bool
	instance     int // FirmataExpress I_AM_HERE; -1 before it
	caps         Capabilities
	mapping      []byte
	haveMapping  bool
}

func (h *hello) express() bool { return strings.Contains(h.firmware, "FirmataExpress") }

// newLink starts reading rw.
func newLink(name string, rw io.ReadWriteCloser, maxSysex int) *link {
	l := &link{name: name, rw: rw, p: newParser(maxSysex), done: make(chan struct{}), changed: make(chan struct{}, 1)}
	l.hello.instance = -1
	go l.readLoop()
	return l
}

func (l *link) readLoop() {
	defer close(l.done)
	buf := make([]byte, 1024)
	for {
		n, err := l.rw.Read(buf)
		if n > 0 {
			l.read.Add(uint64(n))
			l.p.feed(buf[:n], l.dispatch)
		}
		if err != nil {
			l.err = err
			return
		}
		if n == 0 {
			// A serial port with a read timeout; go.bug.st/serial returns
			// an error when the port is gone.
			continue
		}
	}
}

// dispatch takes one message on the reader goroutine: handshake facts are
// recorded, the rest goes to handle once the link is ready.
func (l *link) dispatch(m message) {
	if m.sysex {
		switch m.cmd {
		case sysexReportFirmware:
			l.fact(func(h *hello) {
				if len(m.data) >= 2 {
					h.fwVersion = [2]byte{m.data[0], m.data[1]}
					h.firmware = decodeString(m.data[2:])
					h.haveFirmware = true
				}
			})
			return
		case sysexIAmHere:
			l.fact(func(h *hello) {
				if len(m.data) >= 1 {
					h.instance = int(m.data[0])
				}
			})
			return
		case sysexCapabilityResp:
			caps, err := parseCapabilities(m.data)
			if err != nil {
				l.unknown.Add(1)
				return
			}
			l.fact(func(h *hello) { h.caps = caps })
			return
		case sysexAnalogMappingR:
			body := append([]byte(nil), m.data...)
			l.fact(func(h *hello) { h.mapping, h.haveMapping = body, true })
			return
		}
	} else if m.cmd == cmdReportVersion {
		l.fact(func(h *hello) { h.version, h.haveVersion = [2]byte{m.data[0], m.data[1]}, true })
		return
	}
	if l.ready.Load() && l.handle != nil {
		l.handle(m)
	}
}

func (l *link) fact(f func(*hello)) {
	l.mu.Lock()
	f(&l.hello)
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// snapshot returns a copy of what the board has said.
func (l *link) snapshot() hello {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hello
}

// write sends b, with a deadline on network links.
func (l *link) write(b []byte) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if c, ok := l.rw.(net.Conn); ok {
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	}
	_, err := l.rw.Write(b)
	if err != nil {
		return fmt.Errorf("firmata: write to %s: %w", l.name, err)
	}
	return nil
}

// close closes the connection and waits for the reader to end.
func (l *link) close() {
	l.closed.Do(func() { l.rw.Close() })
	<-l.done
}

// decodeString reads Firmata's 7-bit pairs (LSB, MSB) as text.
func decodeString(b []byte) string {
	var sb strings.Builder
	for i := 0; i+1 < len(b); i += 2 {
		sb.WriteRune(rune(int(b[i]) | int(b[i+1])<<7))
	}
	return sb.String()
}

// errWrongInstance is a FirmataExpress board with another instance id.
var errWrongInstance = errors.New("firmata: another arduino_instance_id")

// handshake waits until the board on l has told its protocol version,
// firmware name (and, for FirmataExpress, its instance id), capabilities
// and analog mapping. It sends only queries, each every poll interval
// until answered: a board resetting as the port opens loses what arrives
// in its bootloader window, and queries lost are asked again.
func handshake(ctx context.Context, l *link, o *Options) (hello, error) {
	deadline := time.NewTimer(o.StartTimeout)
	defer deadline.Stop()
	poll := time.NewTicker(o.PollInterval)
	defer poll.Stop()
	var capsAsked bool
	ask := func() error {
		h := l.snapshot()
		var q []byte
		if !h.haveVersion {
			q = append(q, cmdReportVersion)
		}
		if !h.haveFirmware {
			q = sysex(q, sysexReportFirmware)
		}
		if h.haveVersion && h.haveFirmware {
			if h.express() && h.instance < 0 {
				q = sysex(q, sysexAreYouThere)
			}
			if h.caps == nil {
				q = sysex(q, sysexCapabilityQuery)
				capsAsked = true
			}
			if !h.haveMapping {
				q = sysex(q, sysexAnalogMappingQ)
			}
		}
		if len(q) == 0 {
			return nil
		}
		return l.write(q)
	}
	if err := ask(); err != nil {
		return hello{}, err
	}
	for {
		h := l.snapshot()
		if h.haveVersion && h.haveFirmware && h.caps != nil && h.haveMapping && (!h.express() || h.instance >= 0) {
			if o.InstanceID > 0 && h.instance != o.InstanceID {
				if !h.express() {
					return h, fmt.Errorf("%w: %s runs %q, which does not report an instance id (arduino_instance_id %d needs FirmataExpress)", errWrongInstance, l.name, h.firmware, o.InstanceID)
				}
				return h, fmt.Errorf("%w: %s is arduino_instance_id %d, not %d", errWrongInstance, l.name, h.instance, o.InstanceID)
			}
			h.caps.applyMapping(h.mapping)
			return h, nil
		}
		select {
		case <-ctx.Done():
			return h, ctx.Err()
		case <-l.done:
			return h, fmt.Errorf("firmata: %s closed during the handshake: %w", l.name, l.err)
		case <-deadline.C:
			return h, fmt.Errorf("firmata: %s: no Firmata board answered within %v (%s)", l.name, o.StartTimeout, progress(h, capsAsked, o.PollInterval))
		case <-poll.C:
			if err := ask(); err != nil {
				return h, err
			}
		case <-l.changed:
		}
	}
}

// progress says how far a handshake got, for the timeout's message.
func progress(h hello, capsAsked bool, every time.Duration) string {
	polled := fmt.Sprintf("sent REPORT_VERSION and REPORT_FIRMWARE queries every %v", every)
	switch {
	case !h.haveVersion && !h.haveFirmware:
		return polled + "; nothing came back: is Firmata (StandardFirmata or FirmataExpress) uploaded, and is the baud rate right?"
	case !h.haveFirmware:
		return fmt.Sprintf("%s; the board reported protocol %d.%d but never its firmware name", polled, h.version[0], h.version[1])
	case !h.haveVersion:
		return fmt.Sprintf("%s; the board reported firmware %q but never its protocol version", polled, h.firmware)
	case h.express() && h.instance < 0:
		return fmt.Sprintf("firmware %q never answered ARE_YOU_THERE", h.firmware)
	case h.caps == nil:
		return fmt.Sprintf("firmware %q never answered the capability query", h.firmware)
	default:
		return fmt.Sprintf("firmware %q never answered the analog mapping query", h.firmware)
	}
}

// openSerial opens a serial port in raw mode at baud. It sets no modem
// lines: DTR and RTS stay as the driver leaves them (an Uno resets when
// the port opens), and ports without modem-control lines (ptys, some USB
// adapters, Bluetooth serial) open as well.
func openSerial(path string, baud int) (io.ReadWriteCloser, error) {
	p, err := serial.Open(path, &serial.Mode{BaudRate: baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
	if err != nil {
		return nil, fmt.Errorf("firmata: open %s: %w", path, err)
	}
	return p, nil
}

// DefaultTCPPort is the port of StandardFirmataWiFi and
// StandardFirmataEthernet, used when Options.TCP has none.
const DefaultTCPPort = "3030"

func dialTCP(ctx context.Context, addr string, timeout time.Duration) (io.ReadWriteCloser, string, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(strings.Trim(addr, "[]"), DefaultTCPPort)
	}
	d := net.Dialer{Timeout: timeout}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, addr, fmt.Errorf("firmata: connect to %s: %w", addr, err)
	}
	return c, addr, nil
}
