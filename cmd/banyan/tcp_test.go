package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/bridge/tcp"
	"github.com/gobanyan/banyan/internal/testbp"
)

// tcpOptions parses args as the command does and returns the bridge options.
func tcpOptions(t *testing.T, args ...string) (tcp.Options, *tcpFlags, error) {
	t.Helper()
	f := &tcpFlags{}
	cmd := tcpCommand(f)
	if err := parseNargs(cmd, args, "banyan-topics"); err != nil {
		return tcp.Options{}, f, err
	}
	o, err := f.options()
	return o, f, err
}

func TestTCPFlagsAreTgws(t *testing.T) {
	o, f, err := tcpOptions(t, "-a", "192.168.2.31")
	if err != nil {
		t.Fatal(err)
	}
	if o.Mode != tcp.Client || o.Address != "192.168.2.31:31335" || len(o.Subscribe) != 1 || o.Subscribe[0] != "figura" ||
		o.PublishTopic != "from_pico" || f.comp.name != "TcpGateway" || o.Framing != (tcp.Framing{LengthBytes: 1, MaxFrame: tcp.DefaultMaxFrame}) ||
		f.comp.pubPort != 43124 || f.comp.subPort != 43125 {
		t.Fatalf("defaults: %+v, name %q", o, f.comp.name)
	}

	// -n is the port and -z the name, as in tgw; -g takes several values;
	// -l is accepted.
	o, f, err = tcpOptions(t, "-a", "pico.lan", "-n", "4000", "-g", "leds", "motors", "-e", "from_dev", "-z", "gw1", "-l", "None",
		"-b", "10.0.0.1", "-p", "5000", "-s", "5001")
	if err != nil {
		t.Fatal(err)
	}
	if o.Address != "pico.lan:4000" || len(o.Subscribe) != 2 || o.Subscribe[1] != "motors" || o.PublishTopic != "from_dev" ||
		f.comp.name != "gw1" || f.comp.backplane != "10.0.0.1" || f.comp.pubPort != 5000 || f.comp.subPort != 5001 {
		t.Fatalf("%+v, flags %+v", o, f.comp)
	}

	// --server listens on loopback unless -a says otherwise; with --topics
	// devices publish under -e unless --allow-topics says otherwise.
	o, _, err = tcpOptions(t, "--server", "-n", "0", "--length", "4", "--topics", "--max-frame", "9000")
	if err != nil {
		t.Fatal(err)
	}
	if o.Mode != tcp.Server || o.Address != "127.0.0.1:0" || o.Framing != (tcp.Framing{LengthBytes: 4, Topic: true, MaxFrame: 9000}) ||
		o.AllowTopics != nil || o.PublishTopic != "from_pico" {
		t.Fatalf("server: %+v", o)
	}
	o, _, err = tcpOptions(t, "--server", "-a", "0.0.0.0", "--topics", "--allow-topics", "sensors/,status/", "--allow-topics", "log")
	if err != nil {
		t.Fatal(err)
	}
	if o.Address != "0.0.0.0:31335" || strings.Join(o.AllowTopics, " ") != "sensors/ status/ log" {
		t.Fatalf("server on every interface: %+v", o)
	}

	for _, args := range [][]string{
		{},             // no device address
		{"-a", "None"}, // tgw's default, as the string "None"
		{"-a", "x", "--length", "3"},
		{"-a", "x", "-n", "70000"},
		{"-a", "x", "stray"},
	} {
		if _, _, err := tcpOptions(t, args...); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
	if _, _, err := tcpOptions(t); !errors.Is(err, tcp.ErrNoAddress) {
		t.Errorf("without -a: %v, want ErrNoAddress", err)
	}
}

// runTCPCmd runs `banyan tcp args...` until the test ends.
func runTCPCmd(t *testing.T, out *testbp.Buffer, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := newTCPCmd()
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(out)
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("banyan tcp: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("banyan tcp did not stop")
		}
	})
}

func TestTCPCommandClient(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	st := bp.Connect(t, banyan.WithSubscriptions("from_pico"))

	var out testbp.Buffer
	runTCPCmd(t, &out, append(bp.Args(), "-a", "127.0.0.1", "-n", port, "-g", "figura", "leds", "-z", "pico-gw")...)
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	out.WaitFor(t, "pico-gw: connecting to the device at 127.0.0.1:"+port)

	// Device -> Banyan.
	conn.Write([]byte{0x04, 0x81, 0xa1, 'n'}) // a short write: {'n': ...
	conn.Write([]byte{0x01})                  // ... completed by the next write
	if m := testbp.Next(t, st); m.Topic != "from_pico" || !bytes.Equal(m.Payload, []byte{0x81, 0xa1, 'n', 0x01}) {
		t.Fatalf("station got %q % x", m.Topic, m.Payload)
	}
	// Banyan -> device, on the second -g topic (the bridge is connected:
	// it just read from the device).
	st.PublishRaw("leds", []byte{0x81, 0xa1, 'n', 0x02})
	got := make([]byte, 5)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(conn, got); err != nil || !bytes.Equal(got, []byte{0x04, 0x81, 0xa1, 'n', 0x02}) {
		t.Fatalf("device got % x, %v", got, err)
	}
}

func TestTCPCommandServerTopics(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	st := bp.Connect(t, banyan.WithSubscriptions("sensors/", "killall"))
	var out testbp.Buffer
	runTCPCmd(t, &out, append(bp.Args(), "--server", "-n", "0",
		"--length", "2", "--topics", "-g", "cmd/", "--allow-topics", "sensors/")...)
	out.WaitFor(t, "listening for devices on ")
	addr := regexp.MustCompile(`listening for devices on (\S+)`).FindStringSubmatch(out.String())[1]
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Errorf("listening on %s, want loopback", addr)
	}

	f := tcp.Framing{LengthBytes: 2, Topic: true}
	denied, _ := f.Encode("killall", []byte{0x81, 0xa4, 'e', 'x', 'i', 't', 0xa4, 'e', 'x', 'i', 't'}) // not allowed: not published
	conn.Write(denied)
	frame, _ := f.Encode("sensors/temp", []byte{0x15})
	conn.Write(frame)
	if m := testbp.Next(t, st); m.Topic != "sensors/temp" || !bytes.Equal(m.Payload, []byte{0x15}) {
		t.Fatalf("station got %q % x", m.Topic, m.Payload)
	}
	st.PublishRaw("cmd/led", []byte{0x01})
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	body, err := f.ReadFrame(conn)
	if err != nil {
		t.Fatal(err)
	}
	if topic, payload, err := f.Split(body); err != nil || topic != "cmd/led" || !bytes.Equal(payload, []byte{0x01}) {
		t.Fatalf("device got %q % x %v", topic, payload, err)
	}
}

func TestTCPHelp(t *testing.T) {
	cmd := newTCPCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"-g", "a", "b", "-h"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Usage:", "-n, --port int", "-z, --name string", "--server", "--topics", "--allow-topics"} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("help lacks %q:\n%s", want, out.String())
		}
	}
}
