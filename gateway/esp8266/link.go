package esp8266

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"time"

	"github.com/gobanyan/banyan/gateway"
)

// Run keeps the link to the board up until ctx ends, then returns nil. In
// client mode it connects to Options.Addr, and after a failure or a lost
// link tries again, pausing MinBackoff, doubling to MaxBackoff (reset by a
// link that came up). In server mode it listens and serves one board at a
// time. Each event is published on sys_msg (gateway.SystemMessage):
// connected, lost, a board that connects but never greets (the firmware
// serves no one after a disconnect until it is reset). Run may be called
// once (ErrRunning).
func (b *Board) Run(ctx context.Context) error {
	if !b.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	if b.o.Mode == Server {
		return b.runServer(ctx)
	}
	addr := net.JoinHostPort(b.o.Addr, strconv.Itoa(b.o.Port))
	pause := b.o.MinBackoff
	failing := false
	for ctx.Err() == nil {
		conn, err := b.o.Dial(ctx, "tcp", addr)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if !failing {
				b.sysMsg("cannot connect to esp8266 at %s: %v (retrying)", addr, err)
				failing = true
			}
		} else {
			failing = false
			if b.serve(ctx, conn, addr) {
				pause = b.o.MinBackoff
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
		pause = min(2*pause, b.o.MaxBackoff)
	}
	return nil
}

func (b *Board) runServer(ctx context.Context) error {
	l := b.o.Listener
	if l == nil {
		var lc net.ListenConfig
		var err error
		l, err = lc.Listen(ctx, "tcp", net.JoinHostPort(b.o.Addr, strconv.Itoa(b.o.Port)))
		if err != nil {
			return fmt.Errorf("esp8266: %w", err)
		}
	}
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	defer l.Close()
	b.sysMsg("waiting for the esp8266 on %s", l.Addr())
	for {
		conn, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("esp8266: %w", err)
		}
		b.serve(ctx, conn, conn.RemoteAddr().String())
	}
}

// serve reads conn until it fails; it returns whether the firmware
// greeted (the link came up).
func (b *Board) serve(ctx context.Context, conn net.Conn, peer string) (greeted bool) {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	var jsonError bool
	defer func() {
		conn.Close()
		b.mu.Lock()
		up := b.conn == conn
		if up {
			b.conn = nil
		}
		b.mu.Unlock()
		if !up || ctx.Err() != nil {
			return
		}
		b.losses.Add(1)
		why := "the link closed"
		if jsonError {
			why = "the firmware reported a JSON error and closed the link"
		}
		b.sysMsg("lost the esp8266 at %s: %s; the firmware serves no one after a disconnect until its reset button is pressed", peer, why)
	}()
	if b.o.GreetingTimeout < 0 {
		b.up(conn, peer)
		greeted = true
	} else {
		conn.SetReadDeadline(time.Now().Add(b.o.GreetingTimeout))
	}
	sc := scanner{max: MaxReport}
	buf := make([]byte, 512)
	for {
		n, err := conn.Read(buf)
		sc.feed(buf[:n], func(obj []byte) {
			m, ok := decodeObject(obj)
			if !ok {
				b.garbage.Add(1)
				return
			}
			if !greeted {
				if m["report"] != "connected" {
					b.garbage.Add(1) // a report before the greeting: not ours to trust
					return
				}
				conn.SetReadDeadline(time.Time{})
				b.up(conn, peer)
				greeted = true
			}
			if _, isErr := m["error"]; isErr {
				jsonError = true
			}
			b.handleReport(m)
		})
		b.garbage.Add(sc.garbage)
		b.oversize.Add(sc.oversize)
		sc.garbage, sc.oversize = 0, 0
		if err != nil {
			if !greeted && ctx.Err() == nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() && !b.silent.Swap(true) {
					b.sysMsg("the esp8266 at %s accepted the connection but never greeted: the firmware serves no one after a disconnect until its reset button is pressed", peer)
				}
			}
			return greeted
		}
	}
}

// up makes conn the link, with the firmware's state as after a reset.
func (b *Board) up(conn net.Conn, peer string) {
	b.mu.Lock()
	b.conn, b.peer, b.stepper, b.haveLast, b.i2c = conn, peer, false, false, nil
	b.mu.Unlock()
	b.connects.Add(1)
	b.silent.Store(false)
	b.sysMsg("connected to the esp8266 at %s", peer)
}

// send writes one frame to the link.
func (b *Board) send(frame []byte) error {
	b.mu.Lock()
	conn := b.conn
	b.mu.Unlock()
	if conn == nil {
		return ErrLinkDown
	}
	b.wmu.Lock()
	defer b.wmu.Unlock()
	conn.SetWriteDeadline(time.Now().Add(b.o.WriteTimeout))
	if _, err := conn.Write(frame); err != nil {
		conn.Close() // the reader sees it and reports the loss
		return fmt.Errorf("%w: %w", ErrLinkDown, err)
	}
	b.sent.Add(1)
	return nil
}

// decodeObject parses one JSON object, numbers as int64 where exact and
// float64 otherwise.
func decodeObject(obj []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, false
	}
	for k, v := range m {
		m[k] = normalize(v)
	}
	return m, true
}

func normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(x.String(), 10, 64); err == nil {
			return n
		}
		f, _ := strconv.ParseFloat(x.String(), 64)
		return f
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normalize(x[k])
		}
	}
	return v
}

func asInt(v any) (int, bool) {
	switch x := v.(type) {
	case int64:
		if x < math.MinInt32 || x > math.MaxInt32 {
			return 0, false
		}
		return int(x), true
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > math.MaxInt32 {
			return 0, false
		}
		return int(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// handleReport publishes one report from the firmware.
func (b *Board) handleReport(m map[string]any) {
	b.reports.Add(1)
	name, isStr := m["report"].(string)
	if !isStr {
		if _, isErr := m["error"]; isErr {
			m["timestamp"] = gateway.Timestamp(time.Now())
			b.publish(gateway.RawReport(m)) // {"error": ...} as Python passes it
			return
		}
		b.garbage.Add(1)
		return
	}
	switch name {
	case gateway.ReportDigitalInput:
		pin, ok1 := asInt(m["pin"])
		v, ok2 := asInt(m["value"])
		if ok1 && ok2 {
			b.publish(gateway.DigitalInput{Pin: pin, Value: v})
			return
		}
	case gateway.ReportAnalogInput:
		v, ok := asInt(m["value"])
		if !ok {
			break
		}
		b.mu.Lock()
		pin, repeat := b.analog, b.haveLast && b.last == v
		b.last, b.haveLast = v, true
		b.mu.Unlock()
		if repeat {
			b.repeats.Add(1)
			return
		}
		b.publish(gateway.AnalogInput{Pin: pin, Value: v})
		return
	case gateway.ReportI2CData:
		list, ok := m["value"].([]any)
		if !ok {
			break
		}
		vals := make([]int, 0, len(list))
		for _, e := range list {
			n, ok := asInt(e)
			if !ok {
				b.garbage.Add(1)
				return
			}
			vals = append(vals, n)
		}
		r := gateway.I2CData{Value: vals}
		b.mu.Lock()
		if len(b.i2c) > 0 {
			r.Addr, r.Register = &b.i2c[0].addr, b.i2c[0].register
			b.i2c = b.i2c[1:]
		}
		b.mu.Unlock()
		b.publish(r)
		return
	case gateway.ReportSonarData:
		var v float64
		switch x := m["value"].(type) {
		case int64:
			v = float64(x)
		case float64:
			v = x
		default:
			b.garbage.Add(1)
			return
		}
		b.publish(gateway.SonarData{Value: v})
		return
	default:
		// "connected" and any report of the firmware's own, with the
		// timestamp Python's gateway adds to every report.
		m["timestamp"] = gateway.Timestamp(time.Now())
		b.publish(gateway.RawReport(m))
		return
	}
	b.garbage.Add(1)
}
