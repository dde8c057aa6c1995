package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/record"
	"github.com/spf13/cobra"
)

// runCmd runs one command (not registered in newRoot) with args.
func runCmd(ctx context.Context, cmd *cobra.Command, out io.Writer, args ...string) error {
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(out)
	cmd.SilenceUsage = true
	return cmd.ExecuteContext(ctx)
}

func testComponent(t *testing.T, bp *testbp.BP, opts ...banyan.Option) *banyan.Component {
	t.Helper()
	return bp.Connect(t, append([]banyan.Option{banyan.WithHWM(banyan.Unlimited)}, opts...)...)
}

// recordWhilePublishing runs record with args, publishing numbered
// messages on rec/x (and noise on other) until it returns.
func recordWhilePublishing(t *testing.T, pub *banyan.Component, out io.Writer, args ...string) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- runCmd(context.Background(), newRecordCmd(), out, args...) }()
	deadline := time.After(30 * time.Second)
	for i := 0; ; i++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			return
		case <-deadline:
			t.Fatal("record did not finish")
		case <-time.After(5 * time.Millisecond):
		}
		pub.Publish("rec/x", map[string]any{"n": i})
		pub.Publish("other", map[string]any{"n": i})
	}
}

func readRecording(t *testing.T, path string) []record.Record {
	t.Helper()
	r, err := record.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var recs []record.Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return recs
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
}

func TestRecordInfoReplay(t *testing.T) {
	b := testbp.Start(t, backplane.Options{})
	bp := b.Args()
	path := filepath.Join(t.TempDir(), "s.brec")
	pub := testComponent(t, b)

	var out testbp.Buffer
	recordWhilePublishing(t, pub, &out, append(bp, "-c", "5", "-t", "rec", path)...)
	if !strings.Contains(out.String(), "recorded 5 messages") {
		t.Errorf("record printed %q", out.String())
	}
	recs := readRecording(t, path)
	if len(recs) != 5 {
		t.Fatalf("%d records", len(recs))
	}
	first := -1
	for i, r := range recs {
		var v map[string]int
		if err := banyan.Unmarshal(r.Payload, &v); err != nil || r.Topic != "rec/x" {
			t.Fatalf("record %d: %q %x %v", i, r.Topic, r.Payload, err)
		}
		if i == 0 {
			first = v["n"]
		} else if v["n"] != first+i {
			t.Fatalf("record %d has n=%d, want %d", i, v["n"], first+i)
		}
	}

	// An existing file is not overwritten by accident.
	err := runCmd(context.Background(), newRecordCmd(), io.Discard, append(bp, path)...)
	if err == nil || !strings.Contains(err.Error(), "--append") {
		t.Fatalf("record onto an existing file: %v", err)
	}

	// A crash mid-write left a torn tail: --info ignores it, --append cuts it.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte{40, 0, 0})
	f.Close()
	var info bytes.Buffer
	if err := runCmd(context.Background(), newRecordCmd(), &info, "--info", path); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{path + "\n", "records:    5 (payload", "topics:     1", "torn tail:  3 bytes ignored", "rec/x\n"} {
		if !strings.Contains(info.String(), want) {
			t.Errorf("--info lacks %q:\n%s", want, info.String())
		}
	}
	out = testbp.Buffer{}
	recordWhilePublishing(t, pub, &out, append(bp, "--append", "-c", "2", "-t", "rec", path)...)
	if want := "appending to " + path + " after 5 records (cut a torn tail of 3 bytes)"; !strings.Contains(out.String(), want) {
		t.Errorf("record --append printed %q, want %q", out.String(), want)
	}
	recs = readRecording(t, path)
	if len(recs) != 7 {
		t.Fatalf("after --append: %d records", len(recs))
	}
	info.Reset()
	if err := runCmd(context.Background(), newRecordCmd(), &info, "--info", "--json", path); err != nil {
		t.Fatal(err)
	}
	var js struct {
		Records int   `json:"records"`
		Torn    int64 `json:"torn_bytes"`
		Topics  []struct {
			Topic    string `json:"topic"`
			Messages int    `json:"messages"`
		} `json:"topics"`
	}
	if err := json.Unmarshal(info.Bytes(), &js); err != nil || js.Records != 7 || js.Torn != 0 ||
		len(js.Topics) != 1 || js.Topics[0].Topic != "rec/x" || js.Topics[0].Messages != 7 {
		t.Fatalf("--info --json: %v\n%s", err, info.String())
	}

	// Replay onto another topic, as fast as possible.
	sub := testComponent(t, b, banyan.WithSubscriptions("out"))
	out = testbp.Buffer{}
	if err := runCmd(context.Background(), newReplayCmd(), &out, append(bp, "--max", "--topic-map", "rec/x=out", path)...); err != nil {
		t.Fatal(err)
	}
	for i, want := range recs {
		select {
		case m := <-sub.Messages():
			if m.Topic != "out" || !bytes.Equal(m.Payload, want.Payload) {
				t.Fatalf("replayed message %d: %q %x, want out %x", i, m.Topic, m.Payload, want.Payload)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("received %d of %d replayed messages", i, len(recs))
		}
	}
	if !strings.Contains(out.String(), "replayed 7 messages from "+path) || strings.Contains(out.String(), "\r") {
		t.Errorf("replay printed %q (want a summary and no progress bar: not a terminal)", out.String())
	}

	// --progress always draws the bar even into a buffer; -t filters.
	out = testbp.Buffer{}
	if err := runCmd(context.Background(), newReplayCmd(), &out,
		append(bp, "--speed", "1000", "--progress", "always", "-t", "none", path)...); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "replayed 0 messages") || !strings.Contains(out.String(), "skipped 7 on other topics") {
		t.Errorf("replay -t none printed %q", out.String())
	}
	out = testbp.Buffer{}
	if err := runCmd(context.Background(), newReplayCmd(), &out, append(bp, "--max", "--progress", "always", path)...); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\r[") || !strings.Contains(out.String(), "] 100%  7 msgs") {
		t.Errorf("replay --progress always printed %q", out.String())
	}
}

func TestRecordCorruptInfoAndRepair(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.brec")
	w, err := record.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		w.Write(record.Record{Time: time.Unix(int64(i), 0), Topic: "t", Payload: []byte{byte(i)}})
	}
	w.Close()
	data, _ := os.ReadFile(path)
	data[len(data)-6] ^= 0xff // inside the last record's body
	os.WriteFile(path, data, 0o644)

	var out bytes.Buffer
	err = runCmd(context.Background(), newRecordCmd(), &out, "--info", path)
	if err == nil || !strings.Contains(err.Error(), "after 3 good records: checksum mismatch") ||
		!strings.Contains(out.String(), "records:    3") {
		t.Fatalf("--info on a corrupt file: err %v, output:\n%s", err, out.String())
	}
	err = runCmd(context.Background(), newRecordCmd(), io.Discard, "--append", "-b", "127.0.0.1", path)
	if err == nil || !strings.Contains(err.Error(), "--repair") {
		t.Fatalf("--append on a corrupt file: %v", err)
	}
	out.Reset()
	if err := runCmd(context.Background(), newRecordCmd(), &out, "--repair", path); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%s: kept 3 records, cut %d bytes\n", path, 24+1+1); out.String() != want {
		t.Errorf("--repair printed %q, want %q", out.String(), want)
	}
	if n := len(readRecording(t, path)); n != 3 {
		t.Errorf("after --repair: %d records", n)
	}
	if err := runCmd(context.Background(), newRecordCmd(), io.Discard, "--info", filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("--info on a missing file succeeded")
	}
}

func TestReplayBadFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.brec")
	for args, want := range map[string]string{
		"--speed -1":           "--speed -1",
		"--topic-map nope":     "old=new",
		"--topic-prefix a":     "old=new",
		"--progress sometimes": "want auto, always or never",
	} {
		err := runCmd(context.Background(), newReplayCmd(), io.Discard, append(strings.Fields(args), path)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("replay %s: err %v, want %q", args, err, want)
		}
	}
	for args, want := range map[string]string{
		"--append --force": "do not go together",
		"--json":           "--json goes with --info",
		"-c -1":            "must not be negative",
	} {
		err := runCmd(context.Background(), newRecordCmd(), io.Discard, append(strings.Fields(args), path)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("record %s: err %v, want %q", args, err, want)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for name, out := range map[string]io.Writer{"buffer": &bytes.Buffer{}, "file": f, "pipe": w} {
		if isTerminal(out) {
			t.Errorf("%s taken for a terminal", name)
		}
	}
}

// monitor --stats: rate lines per topic; -q drops the message lines.
func TestMonitorStats(t *testing.T) {
	b := testbp.Start(t, backplane.Options{})
	bp := b.Args()
	pub := testComponent(t, b)
	for _, tc := range []struct {
		args     []string
		want     []string
		wantNone string
	}{
		{[]string{"--stats", "--stats-interval", "20ms", "-q", "-t", "st/"}, []string{" msg/s ", " | st/a ", " | st/b "}, "st/a {"},
		{[]string{"--stats", "--stats-interval", "20ms", "--json", "-t", "st/"}, []string{`{"stats":{"time":`, `"topic":"st/a","messages":`, `{"topic":"st/b","payload":{"n":`}, "\nst/a {"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			var out testbp.Buffer
			done := make(chan struct{})
			go func() { run(ctx, &out, append(append([]string{"monitor"}, tc.args...), bp...)...); close(done) }()
			deadline := time.Now().Add(20 * time.Second)
			for {
				all := true
				for _, w := range tc.want {
					all = all && strings.Contains(out.String(), w)
				}
				if all {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("monitor output lacks %q:\n%s", tc.want, out.String())
				}
				pub.Publish("st/a", map[string]any{"n": 1})
				pub.Publish("st/b", map[string]any{"n": 2})
				time.Sleep(5 * time.Millisecond)
			}
			cancel()
			<-done
			if strings.Contains(out.String(), tc.wantNone) {
				t.Errorf("monitor output has %q:\n%s", tc.wantNone, out.String())
			}
		})
	}
	if err := run(context.Background(), io.Discard, "monitor", "-q"); err == nil || !strings.Contains(err.Error(), "--stats") {
		t.Errorf("monitor -q without --stats: %v", err)
	}
}
