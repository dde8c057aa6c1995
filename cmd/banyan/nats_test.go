package main

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/bridge/nats"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/nats-io/nats-server/v2/server"
)

// natsOptions parses args as `banyan nats` does and returns the options.
func natsOptions(args ...string) (nats.Options, error) {
	f := &natsFlags{}
	cmd := natsCommand(f)
	if err := parseNargs(cmd, args, "banyan-topics", "nats-subjects", "nats"); err != nil {
		return nats.Options{}, err
	}
	return f.options(cmd)
}

func TestNATSFlags(t *testing.T) {
	o, err := natsOptions()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o.Servers, []string{nats.DefaultServer}) || !reflect.DeepEqual(o.Topics, []string{""}) ||
		o.Subjects != nil || o.SubjectPrefix != "banyan." || o.NoSubjectPrefix || o.Encoding != nats.MsgPack ||
		o.ReconnectBuffer != 8<<20 || o.JetStream != "" || o.TLS != nil {
		t.Errorf("defaults: %+v", o)
	}
	o, err = natsOptions("--nats", "nats://a:1,nats://b:2", "--nats", "nats://c:3", "-g", "x", "y", "-j", "s1.>", "s2.*",
		"--subject-prefix", "site1.", "--encoding", "json", "--bridge-id", "site1", "--jetstream", "BANYAN",
		"--reconnect-buffer", "1MiB", "--user", "u", "--cafile", "", "--tls", "--insecure")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o.Servers, []string{"nats://a:1", "nats://b:2", "nats://c:3"}) || !reflect.DeepEqual(o.Topics, []string{"x", "y"}) ||
		!reflect.DeepEqual(o.Subjects, []string{"s1.>", "s2.*"}) || o.SubjectPrefix != "site1." || o.Encoding != nats.JSON ||
		o.BridgeID != "site1" || o.JetStream != "BANYAN" || o.ReconnectBuffer != 1<<20 || o.User != "u" || o.TLS == nil {
		t.Errorf("options: %+v", o)
	}
	t.Setenv(envNATSPassword, "pw")
	t.Setenv(envNATSToken, "tok")
	if o, _ := natsOptions("--subject-prefix", ""); o.Password != "pw" || o.Token != "tok" || !o.NoSubjectPrefix {
		t.Errorf("from the environment, no prefix: %+v", o)
	}
}

// Two backplanes joined by two `banyan nats` through one server: a
// message published on one arrives on the other, and the final line
// counts it.
func TestNATSCommand(t *testing.T) {
	port := testbp.FreePort(t)
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Shutdown()
	if !s.ReadyForConnections(30 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	url := "nats://127.0.0.1:" + strconv.Itoa(port)
	bp1, bp2 := testbp.Start(t, backplane.Options{}), testbp.Start(t, backplane.Options{})
	type run struct {
		out, errOut *testbp.Buffer
		cancel      func()
		done        chan error
	}
	start := func(bp *testbp.BP, name string) run {
		cmd := newNATSCmd()
		r := run{out: &testbp.Buffer{}, errOut: &testbp.Buffer{}, done: make(chan error, 1)}
		cmd.SetOut(r.out)
		cmd.SetErr(r.errOut)
		cmd.SetArgs(append(bp.Args(), "--nats", url, "-n", name))
		ctx, cancel := context.WithCancel(context.Background())
		r.cancel = cancel
		go func() { r.done <- cmd.ExecuteContext(ctx) }()
		r.out.WaitFor(t, name+": ")
		return r
	}
	r1, r2 := start(bp1, "site1"), start(bp2, "site2")
	c := bp2.Connect(t, banyan.WithSubscriptions("sensors"))
	p := bp1.Connect(t)
	p.Publish("sensors/temp", 21.5)
	m := testbp.Next(t, c)
	if v, err := m.Value(); m.Topic != "sensors/temp" || err != nil || v != 21.5 {
		t.Fatalf("got %q %v %v", m.Topic, v, err)
	}
	for _, r := range []run{r1, r2} {
		r.cancel()
		if err := <-r.done; err != nil {
			t.Fatalf("command: %v", err)
		}
	}
	if !strings.Contains(r1.errOut.String(), "1 to NATS") || !strings.Contains(r2.errOut.String(), "1 from NATS") {
		t.Errorf("final lines: %q, %q", r1.errOut.String(), r2.errOut.String())
	}
}
