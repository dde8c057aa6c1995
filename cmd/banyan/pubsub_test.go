package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/ndarray"
	"github.com/vmihailenco/msgpack/v5"
)

// badNumpy is an ndarray map as msgpack-numpy sends it (bin keys nd, type,
// kind, shape, data) with the given dtype string, shape [2] and 16 bytes
// of data: well-formed msgpack that every component accepts.
func badNumpy(typ string) msgpack.RawMessage {
	p := []byte{0x85, 0xc4, 2, 'n', 'd', 0xc3, 0xc4, 4, 't', 'y', 'p', 'e', 0xa0 | byte(len(typ))}
	p = append(p, typ...)
	p = append(p, 0xc4, 4, 'k', 'i', 'n', 'd', 0xc4, 0, 0xc4, 5, 's', 'h', 'a', 'p', 'e', 0x91, 2, 0xc4, 4, 'd', 'a', 't', 'a', 0xc4, 16)
	return append(p, make([]byte, 16)...)
}

// One numpy array with a dtype the renderer cannot handle ('<f-8': negative
// item size, '<i16': too wide to shift) once killed every `banyan sub`. Now
// sub and monitor print it as Python does (a dict with bytes keys; also in
// numpy mode, where Python's monitor would die), --json shows an error
// for it, and a payload that is not msgpack is shown as undecodable and
// counted; every command goes on.
func TestSubSurvivesBadNumpy(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var sub, subJSON, mon, monNumpy testbp.Buffer
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for _, c := range []struct {
		out  *testbp.Buffer
		args []string
	}{{&sub, []string{"sub", "np"}}, {&subJSON, []string{"sub", "--json", "np"}}, {&mon, []string{"monitor", "-t", "np"}},
		{&monNumpy, []string{"monitor", "-m", "True", "-t", "np"}}} {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- run(ctx, c.out, append(c.args, bp.Args()...)...) }()
	}
	outs := []*testbp.Buffer{&sub, &subJSON, &mon, &monNumpy}
	pub := bp.Connect(t)
	// Publish until all are subscribed (they may still be connecting).
	all := func(want string) bool {
		for _, o := range outs {
			if !strings.Contains(o.String(), want) {
				return false
			}
		}
		return true
	}
	testbp.WaitFor(t, "sub, sub --json and monitor to be subscribed", func() bool {
		if err := pub.Publish("np/ready", map[string]any{"ready": true}); err != nil {
			t.Fatal(err)
		}
		return all("np/ready")
	})
	for _, typ := range []string{"<f-8", "<i16"} {
		if err := pub.Publish("np/bad", badNumpy(typ)); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.PublishRaw("np/garbage", []byte{0x82, 0xa1}); err != nil {
		t.Fatal(err)
	}
	if err := pub.Publish("np/after", map[string]any{"n": 1}); err != nil {
		t.Fatal(err)
	}
	testbp.WaitFor(t, "the message after the bad ones", func() bool { return all("np/after") })
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("command ended with %v", err)
		}
	}
	zeros := strings.Repeat(`\x00`, 16)
	for i, out := range []string{sub.String(), mon.String(), monNumpy.String()} {
		for _, typ := range []string{"<f-8", "<i16"} {
			want := "np/bad {b'nd': True, b'type': '" + typ + "', b'kind': b'', b'shape': [2], b'data': b'" + zeros + "'}\n"
			if i == 2 { // Python Banyan's numpy-mode fix of top-level bytes keys
				want = "np/bad {'nd': True, 'type': '" + typ + "', 'kind': b'', 'shape': [2], 'data': b'" + zeros + "'}\n"
			}
			if !strings.Contains(out, want) {
				t.Errorf("no line %q in\n%s", want, out)
			}
		}
		if !strings.Contains(out, "np/garbage <undecodable payload, 2 bytes: ") ||
			!strings.Contains(out, "banyan: 1 message(s) could not be rendered") {
			t.Errorf("the malformed payload is not shown as undecodable and counted in\n%s", out)
		}
	}
	if n := strings.Count(subJSON.String(), `{"topic":"np/bad","payload":{"$error":"numpy array: `); n != 2 {
		t.Errorf("sub --json printed %d error lines:\n%s", n, subJSON.String())
	}
	if !strings.Contains(subJSON.String(), "banyan: 3 message(s) could not be rendered") {
		t.Errorf("no count of the undecodable messages in\n%s", subJSON.String())
	}
}

// -m takes Python's strings True and False; True shows msgpack-numpy
// arrays as numpy prints them, in sub and monitor alike.
func TestSubMonitorNumpyMode(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var sub, mon, plain testbp.Buffer
	var wg sync.WaitGroup
	for _, c := range []struct {
		out  *testbp.Buffer
		args []string
	}{{&sub, []string{"sub", "-m", "True", "np"}}, {&mon, []string{"monitor", "-m", "True", "-t", "np"}}, {&plain, []string{"monitor", "-m", "False", "-t", "np"}}} {
		wg.Add(1)
		go func() { defer wg.Done(); run(ctx, c.out, append(c.args, bp.Args()...)...) }()
	}
	pub := bp.Connect(t)
	a, err := ndarray.FromSlice([]int16{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	want := "np/a {'a': array([1, 2, 3], dtype=int16), 'f': 1e-05}"
	testbp.WaitFor(t, "sub and monitor to print the array", func() bool {
		if err := pub.Publish("np/a", map[string]any{"a": a, "f": 1e-5}); err != nil {
			t.Fatal(err)
		}
		return strings.Contains(sub.String(), want) && strings.Contains(mon.String(), want) && strings.Contains(plain.String(), "np/a {'a': {b'nd': True")
	})
	cancel()
	wg.Wait()
	for _, v := range []string{"true", "1", "yes"} {
		if err := run(context.Background(), io.Discard, "monitor", "-m", v); err == nil || !strings.Contains(err.Error(), "want True or False") {
			t.Errorf("monitor -m %s: %v", v, err)
		}
	}
}

// Defence in depth: a renderer that panics costs one message, shown as
// undecodable and counted, in both output formats.
func TestPrinterRecoversPerMessage(t *testing.T) {
	var out testbp.Buffer
	p := printer{w: &out, failed: new(atomic.Uint64),
		python: func([]byte) (string, error) { panic("boom") },
		asJSON: func([]byte) (json.RawMessage, error) { panic(errors.New("bang")) }}
	m := &banyan.Message{Topic: "t", Payload: []byte{0xc0}}
	p.print(m)
	p.json = true
	p.print(m)
	want := "t <undecodable payload, 1 bytes: rendering panicked: boom>\n" +
		`{"topic":"t","payload":{"$error":"rendering panicked: bang"}}` + "\n"
	if out.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", out.String(), want)
	}
	if n := p.failed.Load(); n != 2 {
		t.Errorf("counted %d failures, want 2", n)
	}
	p.report(&out)
	if !strings.HasSuffix(out.String(), "banyan: 2 message(s) could not be rendered (shown as undecodable)\n") {
		t.Errorf("report: %q", out.String())
	}
}
