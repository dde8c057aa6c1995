package firmata_test

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/firmata"
	"github.com/gobanyan/banyan/gateway/firmata/firmatasim"
	"github.com/gobanyan/banyan/internal/testbp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// patience bounds every wait for an event.
const patience = 15 * time.Second

// rig is a simulated board served on a pty or TCP, its driver, a gateway
// on a test backplane and a client subscribed to the gateway's reports
// and to sys_msg.
type rig struct {
	t      testing.TB
	dev    *firmatasim.Device
	pty    *firmatasim.PTY // nil on TCP
	board  *firmata.Board
	gw     *gateway.Gateway
	client *banyan.Component
	ctx    context.Context
}

type rigOptions struct {
	dev   firmatasim.Options
	board firmata.Options
	tcp   bool
	// device, when set, is a board the test serves itself (board.Port
	// names its link); dev is then unused.
	device *firmatasim.Device
}

// serve starts dev on a pty (link in a temp dir) or on a loopback
// listener, until the test ends; it returns the port or address.
func serve(t testing.TB, dev *firmatasim.Device, tcp bool) (string, *firmatasim.PTY) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if tcp {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { dev.ServeTCP(ctx, ln); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
		return ln.Addr().String(), nil
	}
	link := filepath.Join(t.TempDir(), "ttyACM0")
	p, err := dev.ServePTY(ctx, link)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(); cancel() })
	return link, p
}

func newRig(t testing.TB, o rigOptions) *rig {
	t.Helper()
	if o.dev.Logger == nil {
		o.dev.Logger = testbp.Quiet()
	}
	var (
		dev  = o.device
		addr string
		p    *firmatasim.PTY
	)
	if dev == nil {
		dev = firmatasim.New(o.dev)
		addr, p = serve(t, dev, o.tcp)
	}
	bo := o.board
	if o.tcp {
		bo.TCP = addr
	} else if bo.Port == "" && bo.Patterns == nil {
		bo.Port = addr
	}
	if bo.Logger == nil {
		bo.Logger = testbp.Quiet()
	}
	if bo.ReconnectMin == 0 {
		bo.ReconnectMin, bo.ReconnectMax = 20*time.Millisecond, 200*time.Millisecond
	}
	if bo.PollInterval == 0 {
		bo.PollInterval = 50 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	board, err := firmata.New(ctx, bo)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	bp := testbp.Start(t, backplane.Options{})
	gw, err := gateway.New(ctx, board, gateway.Options{Device: "arduino", Backplane: bp.Options(), Logger: testbp.Quiet()})
	if err != nil {
		board.Close()
		cancel()
		t.Fatal(err)
	}
	boardDone, gwDone := make(chan error, 1), make(chan error, 1)
	go func() { boardDone <- board.Run(ctx) }()
	go func() { gwDone <- gw.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-gwDone; err != nil {
			t.Errorf("gateway Run: %v", err)
		}
		if err := <-boardDone; err != nil {
			t.Errorf("board Run: %v", err)
		}
	})
	client := bp.Connect(t, banyan.WithSubscriptions(gateway.ReportTopic("arduino"), gateway.SysMsgTopic))
	return &rig{t: t, dev: dev, pty: p, board: board, gw: gw, client: client, ctx: ctx}
}

// send publishes a command to the gateway.
func (r *rig) send(c gateway.Command) {
	r.t.Helper()
	if err := r.client.Publish(gateway.CommandTopic("arduino"), c); err != nil {
		r.t.Fatal(err)
	}
}

// sendMap publishes a raw payload (for Extra keys).
func (r *rig) sendMap(m map[string]any) {
	r.t.Helper()
	if err := r.client.Publish(gateway.CommandTopic("arduino"), m); err != nil {
		r.t.Fatal(err)
	}
}

// next returns the first report for which match is true, skipping others.
func (r *rig) next(what string, match func(topic string, rep gateway.Report) bool) gateway.Report {
	r.t.Helper()
	deadline := time.After(patience)
	for {
		select {
		case m := <-r.client.Messages():
			var rep gateway.Report
			if m.Topic == gateway.SysMsgTopic {
				p, err := m.Map()
				if err != nil {
					r.t.Fatal(err)
				}
				text, _ := p["sys_msg"].(string)
				rep = gateway.SystemMessage{Text: text}
			} else {
				var err error
				if rep, err = gateway.DecodeReport(m.Payload); err != nil {
					r.t.Fatalf("%s: %v", m.Topic, err)
				}
			}
			if match(m.Topic, rep) {
				return rep
			}
		case <-deadline:
			r.t.Fatalf("no %s within %v", what, patience)
		}
	}
}

// errorReport waits for an error report.
func (r *rig) errorReport() gateway.ErrorReport {
	r.t.Helper()
	return r.next("error report", func(_ string, rep gateway.Report) bool {
		_, ok := rep.(gateway.ErrorReport)
		return ok
	}).(gateway.ErrorReport)
}

// digital waits for a digital_input report of pin with value v.
func (r *rig) digital(pin, v int) gateway.DigitalInput {
	r.t.Helper()
	return r.next("digital_input", func(_ string, rep gateway.Report) bool {
		d, ok := rep.(gateway.DigitalInput)
		return ok && d.Pin == pin && d.Value == v
	}).(gateway.DigitalInput)
}

// wait waits until cond holds on the device.
func (r *rig) wait(what string, cond func() bool) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := r.dev.Wait(ctx, cond); err != nil {
		r.t.Fatalf("gave up waiting for %s: %v", what, err)
	}
}

func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
