package firmata

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"go.bug.st/serial"
)

// DefaultPatterns are the serial ports auto-detection tries on Linux and
// other Unix systems (Options.Patterns): Arduino Unos and Megas appear as
// ttyACM, boards with a CH340 or FTDI adapter as ttyUSB. On macOS the
// /dev/cu.usbmodem* and /dev/cu.usbserial* ports are tried, and on Windows
// every COM port serial.GetPortsList finds.
var DefaultPatterns = []string{"/dev/ttyACM*", "/dev/ttyUSB*"}

// maxCandidates bounds how many ports auto-detection opens at once.
const maxCandidates = 32

// candidates lists the ports auto-detection tries, sorted.
func (o *Options) candidates() ([]string, error) {
	patterns := o.Patterns
	if patterns == nil {
		switch runtime.GOOS {
		case "windows":
			ports, err := serial.GetPortsList()
			if err != nil {
				return nil, fmt.Errorf("firmata: list serial ports: %w", err)
			}
			return ports, nil
		case "darwin":
			patterns = []string{"/dev/cu.usbmodem*", "/dev/cu.usbserial*"}
		default:
			patterns = DefaultPatterns
		}
	}
	var out []string
	for _, p := range patterns {
		m, err := filepath.Glob(p)
		if err != nil {
			return nil, fmt.Errorf("firmata: port pattern %q: %w", p, err)
		}
		out = append(out, m...)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > maxCandidates {
		out = out[:maxCandidates]
	}
	return out, nil
}

func (o *Options) patternText() string {
	if o.Patterns == nil && runtime.GOOS == "windows" {
		return "the COM ports"
	}
	p := o.Patterns
	if p == nil {
		p = DefaultPatterns
	}
	return strings.Join(p, ", ")
}

// probe is one port's handshake during auto-detection.
type probe struct {
	l   *link
	h   hello
	err error
}

// detect opens every candidate port at once, shakes hands on each and
// keeps the first board that answers (with Options.InstanceID, if set);
// the others are closed.
func detect(ctx context.Context, o *Options) (*link, hello, error) {
	ports, err := o.candidates()
	if err != nil {
		return nil, hello{}, err
	}
	if len(ports) == 0 {
		return nil, hello{}, fmt.Errorf("%w: no serial port matches %s (is the board plugged in? give the port with -c)", ErrNoBoard, o.patternText())
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan probe, len(ports))
	var wg sync.WaitGroup
	for _, port := range ports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, h, err := open(ctx, o, port)
			results <- probe{l, h, err}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	var won *probe
	var errs []error
	for r := range results {
		switch {
		case r.err != nil:
			errs = append(errs, r.err)
		case won == nil:
			won = &r
			cancel() // the others stop shaking hands
		default:
			r.l.close()
		}
	}
	if won != nil {
		return won.l, won.h, nil
	}
	what := "a Firmata board"
	if o.InstanceID > 0 {
		what = fmt.Sprintf("a FirmataExpress board with arduino_instance_id %d", o.InstanceID)
	}
	return nil, hello{}, fmt.Errorf("%w: tried %s for %s: %w", ErrNoBoard, strings.Join(ports, ", "), what, errors.Join(errs...))
}

// open opens one serial port and shakes hands; on failure the port is
// closed.
func open(ctx context.Context, o *Options, port string) (*link, hello, error) {
	rw, err := openSerial(port, o.Baud)
	if err != nil {
		return nil, hello{}, err
	}
	l := newLink(port, rw, o.MaxSysex)
	h, err := handshake(ctx, l, o)
	if err != nil {
		l.close()
		return nil, h, err
	}
	return l, h, nil
}
