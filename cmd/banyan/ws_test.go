package main

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/bridge/ws"
	"github.com/gobanyan/banyan/internal/testbp"
)

// wsOptions parses args as the command does and returns the gateway options.
func wsOptions(t *testing.T, args ...string) (ws.Options, *wsFlags, error) {
	t.Helper()
	f := &wsFlags{}
	cmd := wsCommand(f, false)
	if err := parseNargs(cmd, args, "subscribe"); err != nil {
		return ws.Options{}, f, err
	}
	o, err := f.options()
	return o, f, err
}

func TestWSFlags(t *testing.T) {
	o, f, err := wsOptions(t)
	if err != nil {
		t.Fatal(err)
	}
	if o.Listen != "127.0.0.1:9000" || len(o.Subscribe) != 0 || o.Static != "" || o.KeepTimestamps || o.Location != nil ||
		o.Queue != ws.DefaultQueue || f.comp.name != "WebSocket Gateway" || f.comp.pubPort != 43124 || f.comp.subPort != 43125 ||
		o.MaxMessage != ws.DefaultMaxMessage || o.MaxDecodeBytes != ws.DefaultMaxDecodeBytes || o.DecodeWait != ws.DefaultDecodeWait {
		t.Fatalf("defaults: %+v, flags %+v", o, f.comp)
	}

	// -m as ws_gateway's default string (commas, spaces), as argparse's
	// nargs='+', and repeated.
	o, f, err = wsOptions(t, "-m", "from_arduino_gateway, from_ESP8266_gateway,", "from_rpi_gateway", "-m", " from_microbit_gateway ",
		"--listen", ":9001", "--static", "/srv/pages", "--origin", "localhost:8000", "--origin", "*.lan", "--keep-timestamps", "--utc",
		"-b", "10.0.0.1", "-p", "5000", "-s", "5001", "-n", "wsgw", "--queue", "8",
		"--max-browser-message", "4096", "--max-decode-bytes", "65536", "--decode-wait", "2s")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"from_arduino_gateway", "from_ESP8266_gateway", "from_rpi_gateway", "from_microbit_gateway"}
	if !slices.Equal(o.Subscribe, want) || o.Listen != ":9001" || o.Static != "/srv/pages" || !slices.Equal(o.Origins, []string{"localhost:8000", "*.lan"}) ||
		!o.KeepTimestamps || o.Location != time.UTC || o.Queue != 8 ||
		o.MaxMessage != 4096 || o.MaxDecodeBytes != 65536 || o.DecodeWait != 2*time.Second ||
		f.comp.backplane != "10.0.0.1" || f.comp.pubPort != 5000 || f.comp.subPort != 5001 || f.comp.name != "wsgw" {
		t.Fatalf("%+v, flags %+v", o, f.comp)
	}

	if _, _, err := wsOptions(t, "stray"); err == nil {
		t.Error("a stray argument accepted")
	}
}

func TestWSCommand(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	arduino := bp.Connect(t, banyan.WithSubscriptions("to_arduino_gateway"))

	var out testbp.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cmd := newWSCmd(false)
	cmd.SetArgs(append(bp.Args(), "--listen", "127.0.0.1:0", "--utc", "-n", "wsgw", "-m", "from_x, from_y"))
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("banyan ws: %v", err)
			}
		case <-time.After(testbp.Patience):
			t.Error("banyan ws did not stop")
		}
	}()
	dctx, dcancel := context.WithTimeout(ctx, testbp.Patience)
	defer dcancel()
	page := dialServed(t, dctx, &out)
	defer page.CloseNow()
	// The gateway reads the command only once it has subscribed for the id.
	page.Write(dctx, websocket.MessageText, []byte(`{"id": "to_arduino_gateway"}`))
	page.Write(dctx, websocket.MessageText, []byte(`{"command": "digital_write", "pin": 13, "value": 1}`))
	m := testbp.Next(t, arduino)
	if v, err := m.Map(); err != nil || m.Topic != "to_arduino_gateway" || v["pin"] != int64(13) {
		t.Fatalf("component got %q %v %v", m.Topic, v, err)
	}
	arduino.Publish("from_arduino_gateway", map[string]any{"report": "digital_input", "pin": 2, "value": 0, "timestamp": 1550482276})
	_, text, err := page.Read(dctx)
	if want := `{"pin":2,"report":"digital_input","timestamp":"2019-02-18 09:31:16","value":0}`; err != nil || string(text) != want {
		t.Fatalf("page got %s, %v; want %s", text, err, want)
	}
	page.Close(websocket.StatusNormalClosure, "")
}

func TestWSHelp(t *testing.T) {
	cmd := newWSCmd(false)
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"-m", "a", "b", "-h"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Usage:", "--listen string", "-m, --subscribe", "--static", "--origin", "-n, --name",
		"--max-browser-message", "--max-decode-bytes", "--decode-wait"} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("help lacks %q:\n%s", want, out.String())
		}
	}
}

// dialServed waits for a gateway named wsgw (-n wsgw) to say where it
// serves, in out, and dials it as a page would.
func dialServed(t *testing.T, ctx context.Context, out *testbp.Buffer) *websocket.Conn {
	t.Helper()
	out.WaitFor(t, "wsgw: serving WebSockets on ws://")
	url := regexp.MustCompile(`serving WebSockets on (\S+)`).FindStringSubmatch(out.String())[1]
	page, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return page
}
