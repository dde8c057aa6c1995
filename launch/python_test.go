package launch

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
)

// Our launcher talks to a Python blc-style client: the record it receives
// has the ten keys with Python bls's types, and its unsigned ack is taken
// in --insecure-python-compat mode; killall reaches it on Ctrl-C.
func TestPythonClientWithOurLauncher(t *testing.T) {
	py := testpeer.Python(t, "zmq", "msgpack")
	tb := startBackplane(t)
	peer := testpeer.Start(t, py, "testdata/py_blc.py", "127.0.0.1", strconv.Itoa(tb.PublisherPort()), strconv.Itoa(tb.SubscriberPort()), "pybox")
	peer.Expect("READY")
	var out testbp.Buffer
	o := tb.launcherOptions(&out)
	o.Auth.InsecurePythonCompat = true
	l, err := New(load(t, `python3 gw.py,no,pybox,no,yes,2.5`), o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := runAsync(func() error { return l.Run(ctx) })
	line := peer.Expect("RECORD ")
	var got struct {
		Types  map[string]string `json:"types"`
		Record map[string]any    `json:"record"`
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "RECORD ")), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"append_bp_address": "str", "auto_restart": "str", "command_string": "str", "process": "NoneType",
		"process_id": "NoneType", "spawn": "str", "topic": "str", "reply_topic": "str", "launch_id": "int", "wait": "str", KeySession: "str"}
	for k, v := range want {
		if got.Types[k] != v {
			t.Errorf("record key %s: Python type %q, want %q", k, got.Types[k], v)
		}
	}
	if len(got.Types) != len(want) {
		t.Errorf("record keys %v", got.Types)
	}
	if got.Record["reply_topic"] != "ACKpybox" || got.Record["auto_restart"] != "yes" || got.Record["wait"] != "2.5" || got.Record["launch_id"] != 1.0 {
		t.Errorf("record %v", got.Record)
	}
	testbp.WaitFor(t, "the Python ack", func() bool { return statusOf(l.Status(), "gw").State == StateLaunched })
	if pid := statusOf(l.Status(), "gw").PID; pid != 4242 {
		t.Errorf("PID from the Python ack = %d", pid)
	}
	cancel()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if l := peer.Expect("KILLALL "); !strings.Contains(l, `"exit": "exit"`) {
		t.Errorf("killall payload %s", l)
	}
}

// A Python bls-style server launches through our client (insecure compat),
// gets Python blc's three-key ack, and its blk-style killall stops the
// client.
func TestPythonServerWithOurClient(t *testing.T) {
	py := testpeer.Python(t, "zmq", "msgpack")
	tb := startBackplane(t)
	dir := t.TempDir()
	var cout, clog testbp.Buffer
	_, _, waitClient := startClient(t, tb.clientOptions("pyclient", &cout, &clog, Auth{InsecurePythonCompat: true}))
	marker := filepath.Join(dir, "ran")
	// The stand-in sends killall once the command has written marker: on a
	// busy machine killall would otherwise stop sh before it writes it.
	peer := testpeer.Start(t, py, "testdata/py_bls.py", "127.0.0.1", strconv.Itoa(tb.PublisherPort()), strconv.Itoa(tb.SubscriberPort()),
		"pyclient", "sh -c 'echo $$ > "+marker+"; exec sleep 300'", marker)
	line := peer.Expect("ACK ")
	var got struct {
		Ack   map[string]any    `json:"ack"`
		Types map[string]string `json:"types"`
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "ACK ")), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Types) != 3 || got.Types["command_string"] != "str" || got.Types["process_id"] != "int" || got.Types["launch_id"] != "int" {
		t.Errorf("ack types %v, want Python blc's three", got.Types)
	}
	pid := readPID(t, marker)
	if got.Ack["process_id"] != float64(pid) {
		t.Errorf("ack PID %v, process %d", got.Ack["process_id"], pid)
	}
	peer.Expect("DONE")
	if err := waitClient(); err != nil {
		t.Fatal(err)
	}
	if !gone(pid) {
		t.Errorf("PID %d survived the Python killall", pid)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatal(err)
	}
}
