package firmatasim

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"
)

// deadline bounds every wait in these tests; nothing here should take more
// than a fraction of it, even on a busy machine.
const deadline = 20 * time.Second

// host is the host's end of a link: it reads in the background and lets a
// test expect bytes.
type host struct {
	t   *testing.T
	w   io.Writer
	ch  chan []byte
	err chan error
	buf []byte
}

func newHost(t *testing.T, rw io.ReadWriter) *host {
	t.Helper()
	h := &host{t: t, w: rw, ch: make(chan []byte, 64), err: make(chan error, 1)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		b := make([]byte, 256)
		for {
			n, err := rw.Read(b)
			if n > 0 {
				h.ch <- append([]byte(nil), b[:n]...)
			}
			if err != nil {
				h.err <- err
				return
			}
		}
	}()
	t.Cleanup(func() {
		if c, ok := rw.(io.Closer); ok {
			c.Close()
		}
		done := make(chan struct{})
		go func() {
			for {
				select {
				case <-h.ch:
				case <-done:
					return
				}
			}
		}()
		wg.Wait()
		close(done)
	})
	return h
}

func (h *host) send(b ...byte) {
	h.t.Helper()
	if _, err := h.w.Write(b); err != nil {
		h.t.Fatalf("host write: %v", err)
	}
}

// fill reads until at least n bytes are buffered.
func (h *host) fill(n int) {
	h.t.Helper()
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	for len(h.buf) < n {
		select {
		case c := <-h.ch:
			h.buf = append(h.buf, c...)
		case err := <-h.err:
			h.err <- err
			h.t.Fatalf("host read: %v (have % X, want %d bytes)", err, h.buf, n)
		case <-timer.C:
			h.t.Fatalf("timed out: have % X, want %d bytes", h.buf, n)
		}
	}
}

// expect reads exactly want next.
func (h *host) expect(want []byte) {
	h.t.Helper()
	h.fill(len(want))
	if got := h.buf[:len(want)]; !bytes.Equal(got, want) {
		h.t.Fatalf("got % X\nwant % X", h.buf, want)
	}
	h.buf = h.buf[len(want):]
}

// skipUntil drops bytes up to and including the first occurrence of want.
func (h *host) skipUntil(want []byte) {
	h.t.Helper()
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	for {
		if i := bytes.Index(h.buf, want); i >= 0 {
			h.buf = h.buf[i+len(want):]
			return
		}
		select {
		case c := <-h.ch:
			h.buf = append(h.buf, c...)
		case err := <-h.err:
			h.err <- err
			h.t.Fatalf("host read: %v (waiting for % X)", err, want)
		case <-timer.C:
			h.t.Fatalf("timed out waiting for % X; have % X", want, h.buf)
		}
	}
}

// sync makes the board answer an analog mapping query and drops everything
// up to the answer: afterwards, the next bytes are a reply to what is sent
// next (or a report made since).
func (h *host) sync() {
	h.t.Helper()
	h.send(0xF0, 0x69, 0xF7)
	h.skipUntil([]byte{0x7F, 0, 1, 2, 3, 4, 5, 0xF7})
}

// readErr waits for the host's read to fail.
func (h *host) readErr() error {
	h.t.Helper()
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	for {
		select {
		case <-h.ch:
		case err := <-h.err:
			h.err <- err
			return err
		case <-timer.C:
			h.t.Fatal("timed out waiting for the host's read to fail")
			return nil
		}
	}
}

// served runs d.Serve on one end of a net.Pipe and returns a host on the
// other; the cleanup stops Serve and checks it returned nil.
func served(t *testing.T, d *Device) *host {
	t.Helper()
	dev, hst := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Serve(ctx, dev) }()
	h := newHost(t, hst)
	t.Cleanup(func() { // runs before the host's: Serve ends first

		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		dev.Close()
	})
	return h
}

// announcement is what StandardFirmata sends at start-up: REPORT_VERSION
// then REPORT_FIRMWARE (protocol.md "Query Firmware Name and Version").
func announcement(name string) []byte {
	b := []byte{0xF9, 2, 5, 0xF0, 0x79, 2, 5}
	for _, c := range []byte(name) {
		b = append(b, c&0x7F, c>>7)
	}
	return append(b, 0xF7)
}

func waitFor(t *testing.T, d *Device, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	if err := d.Wait(ctx, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func fast(o Options) Options {
	if o.BootDelay == 0 {
		o.BootDelay = -1
	}
	return o
}

func testLogger() *slog.Logger {
	if os.Getenv("FIRMATASIM_DEBUG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
