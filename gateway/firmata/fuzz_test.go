package firmata

import (
	"bytes"
	"io"
	"log/slog"
	"testing"

	"github.com/gobanyan/banyan/gateway"
)

// fuzzRW is a link whose board sends data, then EOF; what the host writes
// is discarded.
type fuzzRW struct{ r io.Reader }

func (f fuzzRW) Read(p []byte) (int, error)  { return f.r.Read(p) }
func (f fuzzRW) Write(p []byte) (int, error) { return len(p), nil }
func (f fuzzRW) Close() error                { return nil }

// FuzzLink feeds arbitrary bytes from a "board" through the parser, the
// handshake's bookkeeping and the board's message handler, with every pin
// reporting: nothing may panic, and every report names a pin the wire
// could name.
func FuzzLink(f *testing.F) {
	f.Add([]byte{0xF9, 2, 5, 0xF0, 0x79, 2, 5, 'S', 0, 0xF7})
	f.Add([]byte{0x91, 0x7F, 0x01, 0xE3, 0x7F, 0x07, 0xF0, 0x6C, 0, 1, 1, 1, 0x7F, 0x7F, 0xF7})
	f.Add([]byte{0xF0, 0x77, 0x50, 0, 0, 0, 1, 0, 2, 1, 0xF7, 0xF0, 0x63, 7, 10, 0, 0xF7})
	f.Add([]byte{0xF0, 0x71, 'h', 0, 'i', 0, 0xF7, 0xF0, 0x6A, 0x7F, 0, 1, 0xF7, 0xF0, 0x52, 3, 0xF7})
	f.Fuzz(func(t *testing.T, data []byte) {
		b := &Board{o: Options{AnalogChange: 1}, log: slog.New(slog.DiscardHandler), st: newState(), closed: make(chan struct{})}
		for pin := range maxPins {
			b.st.modes[pin] = modeInput
			b.st.digital[pin] = true
			b.st.sonars[pin] = nil
			b.st.i2cCont[pin] = nil
		}
		for ch := range 16 {
			b.st.analog[ch] = true
		}
		var bad []gateway.Report
		f := func(r gateway.Report) {
			switch x := r.(type) {
			case gateway.DigitalInput:
				if x.Pin < 0 || x.Pin >= maxPins || x.Value&^1 != 0 {
					bad = append(bad, r)
				}
			case gateway.AnalogInput:
				if x.Pin < 0 || x.Pin > 15 || x.Value < 0 || x.Value >= 1<<14 {
					bad = append(bad, r)
				}
			}
		}
		b.SetReportFunc(f)
		l := newLink("fuzz", fuzzRW{bytes.NewReader(data)}, 64)
		b.mu.Lock()
		b.attach(l, hello{})
		b.mu.Unlock()
		<-l.done
		_ = l.snapshot()
		if len(bad) > 0 {
			t.Fatalf("reports out of the wire's range: %v", bad)
		}
	})
}
