package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
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
// item size, '<i16': too wide to shift) once killed every `banyan sub`.
// Now sub shows it as monitor does, counts it and goes on.
func TestSubSurvivesBadNumpy(t *testing.T) {
	bp := testbp.Start(t, backplane.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var sub, subJSON, mon testbp.Buffer
	errs := make(chan error, 3)
	var wg sync.WaitGroup
	for _, c := range []struct {
		out  *testbp.Buffer
		args []string
	}{{&sub, []string{"sub", "np"}}, {&subJSON, []string{"sub", "--json", "np"}}, {&mon, []string{"monitor", "-t", "np"}}} {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- run(ctx, c.out, append(c.args, bp.Args()...)...) }()
	}
	pub := bp.Connect(t)
	// Publish until all three are subscribed (they may still be connecting).
	all := func(want string) bool {
		return strings.Contains(sub.String(), want) && strings.Contains(subJSON.String(), want) && strings.Contains(mon.String(), want)
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
	undecodable := func(out string) []string {
		var lines []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "np/bad ") {
				lines = append(lines, l)
			}
		}
		return lines
	}
	got, want := undecodable(sub.String()), undecodable(mon.String())
	if len(want) != 2 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("sub printed\n%s\nmonitor printed\n%s", sub.String(), mon.String())
	}
	for i, typ := range []string{"<f-8", "<i16"} {
		prefix := fmt.Sprintf("np/bad <undecodable payload, %d bytes: numpy array: ndarray: invalid dtype: ", len(badNumpy(typ)))
		if !strings.HasPrefix(want[i], prefix) || !strings.Contains(want[i], strconv.Quote(typ)) {
			t.Errorf("line %q does not show dtype %s as undecodable", want[i], typ)
		}
	}
	if n := strings.Count(subJSON.String(), `{"topic":"np/bad","payload":{"$error":"numpy array: `); n != 2 {
		t.Errorf("sub --json printed %d error lines:\n%s", n, subJSON.String())
	}
	for _, out := range []string{sub.String(), subJSON.String(), mon.String()} {
		if !strings.Contains(out, "banyan: 2 message(s) could not be rendered") {
			t.Errorf("no count of the undecodable messages in\n%s", out)
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
