package record

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)

func sample(n int) []Record {
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = Record{
			Time:    t0.Add(time.Duration(i) * 250 * time.Millisecond),
			Topic:   []string{"echo", "sensor/temp", ""}[i%3],
			Payload: bytes.Repeat([]byte{byte(i)}, i*7%50),
		}
	}
	return recs
}

// encode writes recs and returns the file bytes and each record's start offset.
func encode(t *testing.T, recs []Record) ([]byte, []int) {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var starts []int
	for _, r := range recs {
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		starts = append(starts, buf.Len())
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), starts
}

// readAll reads until io.EOF or an error.
func readAll(t *testing.T, data []byte) ([]Record, *Reader, error) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	var out []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out, r, nil
		}
		if err != nil {
			return out, r, err
		}
		out = append(out, rec)
	}
}

func sameRecords(t *testing.T, got, want []Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.Time.Equal(w.Time) || g.Topic != w.Topic || !bytes.Equal(g.Payload, w.Payload) {
			t.Fatalf("record %d: got %v %q %x, want %v %q %x", i, g.Time, g.Topic, g.Payload, w.Time, w.Topic, w.Payload)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	recs := sample(30)
	recs = append(recs, Record{Time: time.Unix(0, -5), Topic: "big", Payload: bytes.Repeat([]byte("x"), 200_000)})
	data, _ := encode(t, recs)
	if !bytes.HasPrefix(data, []byte("\x89BNYREC\n\x01\x00\x00\x00")) {
		t.Fatalf("header %x", data[:12])
	}
	got, r, err := readAll(t, data)
	if err != nil {
		t.Fatal(err)
	}
	sameRecords(t, got, recs)
	if r.TornBytes() != 0 || r.Offset() != int64(len(data)) || r.Records() != len(recs) {
		t.Fatalf("torn %d offset %d/%d records %d", r.TornBytes(), r.Offset(), len(data), r.Records())
	}
	// A kept payload is not overwritten by later reads.
	if !bytes.Equal(got[5].Payload, recs[5].Payload) {
		t.Fatal("payload aliased")
	}
}

func TestTooLarge(t *testing.T) {
	w, _ := NewWriter(io.Discard)
	err := w.Write(Record{Topic: "t", Payload: make([]byte, MaxRecordSize)})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err %v, want ErrTooLarge", err)
	}
	if err := w.Write(Record{Topic: "t"}); err != nil {
		t.Fatalf("a too-large record must not break the writer: %v", err)
	}
}

func TestBadHeader(t *testing.T) {
	for _, tc := range []struct {
		data string
		want error
	}{
		{"PK\x03\x04 not a recording", ErrNotRecording},
		{"\x89BNYREC\n\x02\x00\x00\x00", ErrVersion},
		{"\x89BNX", ErrNotRecording},
	} {
		if _, err := NewReader(strings.NewReader(tc.data)); !errors.Is(err, tc.want) {
			t.Errorf("%q: err %v, want %v", tc.data, err, tc.want)
		}
	}
	// A strict prefix of a header is an empty recording with a torn tail.
	for _, n := range []int{0, 1, 8, 11} {
		got, r, err := readAll(t, header()[:n])
		if err != nil || len(got) != 0 || r.TornBytes() != int64(n) {
			t.Errorf("header cut at %d: %d records, torn %d, err %v", n, len(got), r.TornBytes(), err)
		}
	}
}

// A file cut anywhere inside its last record reads up to the record before.
func TestTruncatedTail(t *testing.T) {
	recs := sample(20)
	recs[19].Payload = bytes.Repeat([]byte("p"), 40)
	data, starts := encode(t, recs)
	last := starts[19]
	for cut := last; cut < len(data); cut++ {
		got, r, err := readAll(t, data[:cut])
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		sameRecords(t, got, recs[:19])
		if r.TornBytes() != int64(cut-last) || r.Offset() != int64(last) {
			t.Fatalf("cut at %d: torn %d offset %d, want %d %d", cut, r.TornBytes(), r.Offset(), cut-last, last)
		}
	}
}

// Zero bytes at the end (allocated but never written before a crash) are a
// torn tail, whether they follow a whole record or a record's valid head.
func TestZeroTail(t *testing.T) {
	recs := sample(5)
	data, starts := encode(t, recs)
	zeros := append(append([]byte{}, data...), make([]byte, 100)...)
	got, r, err := readAll(t, zeros)
	if err != nil || len(got) != 5 || r.TornBytes() != 100 {
		t.Fatalf("zero tail: %d records, torn %d, err %v", len(got), r.TornBytes(), err)
	}
	head := append([]byte{}, data...)
	for i := starts[4] + frameHead; i < len(head); i++ {
		head[i] = 0
	}
	got, r, err = readAll(t, head)
	if err != nil || len(got) != 4 || r.TornBytes() != int64(len(data)-starts[4]) {
		t.Fatalf("zeroed body: %d records, torn %d, err %v", len(got), r.TornBytes(), err)
	}
	// But zeros followed by data are corruption.
	mid := append(append(append([]byte{}, data...), make([]byte, 10)...), 1)
	if _, _, err := readAll(t, mid); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("zeros then data: err %v, want ErrCorrupt", err)
	}
}

func TestCorrupt(t *testing.T) {
	recs := sample(10)
	data, starts := encode(t, recs)
	for _, tc := range []struct {
		name   string
		rec    int
		at     int // byte within the record to flip
		reason string
	}{
		{"payload byte", 4, frameHead + bodyHead + len(recs[4].Topic), "checksum mismatch"},
		{"time byte", 7, frameHead + 2, "checksum mismatch"},
		{"stored body checksum", 2, frameHead + bodyHead + len(recs[2].Topic) + len(recs[2].Payload), "checksum mismatch"},
		{"length byte", 6, 1, "length checksum mismatch"},
		{"length checksum", 3, 5, "length checksum mismatch"},
		{"last record, complete", 9, frameHead + 1, "checksum mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := append([]byte{}, data...)
			bad[starts[tc.rec]+tc.at] ^= 0x40
			got, r, err := readAll(t, bad)
			var ce *CorruptError
			if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err %v, want a *CorruptError", err)
			}
			if ce.Good != tc.rec || ce.Offset != int64(starts[tc.rec]) || ce.Reason != tc.reason {
				t.Fatalf("got %+v, want good %d offset %d reason %q", ce, tc.rec, starts[tc.rec], tc.reason)
			}
			want := fmt.Sprintf("at byte %d, after %d good records: %s", starts[tc.rec], tc.rec, tc.reason)
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q lacks %q", err, want)
			}
			sameRecords(t, got, recs[:tc.rec])
			if _, err2 := r.Next(); err2 != err {
				t.Fatalf("error not sticky: %v", err2)
			}
		})
	}
}

func TestLengthOutOfRange(t *testing.T) {
	data, _ := encode(t, sample(2))
	frame := binary.LittleEndian.AppendUint32(nil, 5) // < 12
	frame = binary.LittleEndian.AppendUint32(frame, crc(frame))
	_, _, err := readAll(t, append(data, frame...))
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "record length 5 out of range") {
		t.Fatalf("err %v", err)
	}
}

func crc(b []byte) uint32 { return crc32c(b) }

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []Record {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			if r.TornBytes() != 0 {
				t.Fatalf("%s: torn tail of %d bytes", path, r.TornBytes())
			}
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
}

// Append continues after the last whole record, cutting a torn tail.
func TestAppend(t *testing.T) {
	dir := t.TempDir()
	recs := sample(12)
	data, starts := encode(t, recs)
	extra := Record{Time: t0.Add(time.Hour), Topic: "more", Payload: []byte{0x80}}
	for _, cut := range []int{len(data), starts[11] + 1, starts[11] + frameHead, len(data) - 1} {
		path := filepath.Join(dir, fmt.Sprintf("cut%d.brec", cut))
		writeFile(t, path, data[:cut])
		w, err := Append(path)
		if err != nil {
			t.Fatal(err)
		}
		whole := 12
		if cut < len(data) {
			whole = 11
		}
		wantCut := 0
		if cut < len(data) {
			wantCut = cut - starts[11]
		}
		if w.PriorRecords() != whole || w.TruncatedBytes() != int64(wantCut) {
			t.Fatalf("cut %d: prior %d truncated %d", cut, w.PriorRecords(), w.TruncatedBytes())
		}
		if err := w.Write(extra); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		sameRecords(t, readFile(t, path), append(append([]Record{}, recs[:whole]...), extra))
	}
	// A missing file, an empty file and a torn header start a new recording.
	for _, pre := range [][]byte{nil, {}, header()[:5]} {
		path := filepath.Join(dir, fmt.Sprintf("new%v.brec", pre))
		if pre != nil {
			writeFile(t, path, pre)
		}
		w, err := Append(path)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(extra)
		w.Close()
		sameRecords(t, readFile(t, path), []Record{extra})
	}
}

// Append refuses a corrupt file and leaves it as it was; Repair cuts it.
func TestAppendCorruptAndRepair(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.brec")
	recs := sample(8)
	data, starts := encode(t, recs)
	data[starts[5]+frameHead+3] ^= 1
	writeFile(t, path, data)
	if _, err := Append(path); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "--repair") {
		t.Fatalf("Append: err %v, want ErrCorrupt naming --repair", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, data) {
		t.Fatal("Append changed a corrupt file")
	}
	kept, cut, err := Repair(path)
	if err != nil || kept != 5 || cut != int64(len(data)-starts[5]) {
		t.Fatalf("Repair: kept %d cut %d err %v", kept, cut, err)
	}
	sameRecords(t, readFile(t, path), recs[:5])
	if _, err := Append(path); err != nil {
		t.Fatalf("Append after Repair: %v", err)
	}
	notRec := filepath.Join(t.TempDir(), "x.txt")
	writeFile(t, notRec, []byte("hello, world"))
	if _, err := Append(notRec); !errors.Is(err, ErrNotRecording) {
		t.Fatalf("Append to a text file: %v", err)
	}
}

func TestCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.brec")
	writeFile(t, path, []byte("old content that is longer than a header"))
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	recs := sample(3)
	for _, r := range recs {
		w.Write(r)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, readFile(t, path), recs)
}

func TestInfo(t *testing.T) {
	recs := []Record{
		{t0, "a", []byte{1, 2, 3}},
		{t0.Add(1 * time.Second), "b", []byte{1}},
		{t0.Add(2 * time.Second), "a", []byte{1, 2}},
		{t0.Add(4 * time.Second), "a", make([]byte, 1995)},
	}
	data, _ := encode(t, recs)
	path := filepath.Join(t.TempDir(), "i.brec")
	writeFile(t, path, append(data, 0x07, 0x00)) // a torn tail
	info, err := ReadInfo(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Records != 4 || info.Bytes != 2001 || info.Duration() != 4*time.Second || info.TornBytes != 2 ||
		info.Size != int64(len(data)+2) || len(info.Topics) != 2 {
		t.Fatalf("info %+v", info)
	}
	a := info.Topics[0]
	if a.Topic != "a" || a.Messages != 3 || a.Bytes != 2000 || !a.First.Equal(t0) || !a.Last.Equal(t0.Add(4*time.Second)) {
		t.Fatalf("topic a: %+v", a)
	}
	var text bytes.Buffer
	if err := info.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, want := range []string{
		"records:    4 (payload 2.0 kB)",
		"topics:     2",
		"start:      " + t0.Local().Format(timeLayout),
		"duration:   4s",
		"rate:       1.0 msg/s, 500 B/s",
		"torn tail:  2 bytes ignored",
		"MESSAGES   BYTES  MSG/S  BYTES/S  DURATION  TOPIC",
		"       3  2.0 kB    0.8    500 B        4s  a\n",
		"       1     1 B    0.2      0 B        0s  b\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("info text lacks %q:\n%s", want, out)
		}
	}
	js, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Records    int     `json:"records"`
		Seconds    float64 `json:"duration_s"`
		MsgsPerSec float64 `json:"msgs_per_s"`
		Torn       int64   `json:"torn_bytes"`
		Topics     []struct {
			Topic    string  `json:"topic"`
			Messages int     `json:"messages"`
			Rate     float64 `json:"msgs_per_s"`
		} `json:"topics"`
	}
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if back.Records != 4 || back.Seconds != 4 || back.MsgsPerSec != 1 || back.Torn != 2 || len(back.Topics) != 2 ||
		back.Topics[0].Topic != "a" || back.Topics[0].Messages != 3 || back.Topics[0].Rate != 0.75 {
		t.Fatalf("json %s", js)
	}
}

func TestInfoCorrupt(t *testing.T) {
	recs := sample(6)
	data, starts := encode(t, recs)
	data[starts[4]+frameHead] ^= 1
	r, _ := NewReader(bytes.NewReader(data))
	info, err := Scan(r)
	if !errors.Is(err, ErrCorrupt) || info.Records != 4 {
		t.Fatalf("records %d err %v", info.Records, err)
	}
}

// fakeClock advances only when slept on.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
	block  bool // Sleep waits for ctx instead
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if c.block {
		<-ctx.Done()
		return ctx.Err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

type sent struct {
	topic   string
	payload string
	at      time.Duration // clock time since the replay began
}

// capture is a Publisher (and Flusher) noting when each message was sent.
type capture struct {
	clock   *fakeClock
	start   time.Time
	msgs    []sent
	flushes []int // len(msgs) at each Flush
}

func (p *capture) PublishRaw(topic string, payload []byte) error {
	p.msgs = append(p.msgs, sent{topic, string(payload), p.clock.Now().Sub(p.start)})
	return nil
}

type flushCapture struct{ *capture }

func (p flushCapture) Flush(context.Context) error {
	p.flushes = append(p.flushes, len(p.msgs))
	return nil
}

func scheduleRecording(t *testing.T) []byte {
	offsets := []time.Duration{0, time.Second, 1500 * time.Millisecond, 1500 * time.Millisecond,
		4 * time.Second, 3 * time.Second /* clock set back */, 6 * time.Second}
	var recs []Record
	for i, o := range offsets {
		recs = append(recs, Record{Time: t0.Add(10*time.Second + o), Topic: []string{"a/x", "b"}[i%2], Payload: []byte{byte(i)}})
	}
	data, _ := encode(t, recs)
	return data
}

func TestReplaySchedule(t *testing.T) {
	data := scheduleRecording(t)
	s := time.Second
	ms := time.Millisecond
	for _, tc := range []struct {
		speed float64
		want  []time.Duration
	}{
		{1, []time.Duration{0, s, 1500 * ms, 1500 * ms, 4 * s, 4 * s, 6 * s}},
		{2, []time.Duration{0, 500 * ms, 750 * ms, 750 * ms, 2 * s, 2 * s, 3 * s}},
		{0.5, []time.Duration{0, 2 * s, 3 * s, 3 * s, 8 * s, 8 * s, 12 * s}},
		{0, []time.Duration{0, 0, 0, 0, 0, 0, 0}},
	} {
		t.Run(fmt.Sprint(tc.speed), func(t *testing.T) {
			clock := &fakeClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
			pub := &capture{clock: clock, start: clock.now}
			r, _ := NewReader(bytes.NewReader(data))
			res, err := Replay(context.Background(), r, pub, ReplayOptions{Speed: tc.speed, Clock: clock})
			if err != nil || res.Published != 7 {
				t.Fatalf("published %d, err %v", res.Published, err)
			}
			for i, m := range pub.msgs {
				if m.at != tc.want[i] || m.payload != string([]byte{byte(i)}) {
					t.Errorf("message %d sent at %v, want %v", i, m.at, tc.want[i])
				}
			}
			if tc.speed == 0 && len(clock.sleeps) != 0 {
				t.Errorf("speed 0 slept %v", clock.sleeps)
			}
		})
	}
}

// Topic filter: pacing starts at the first selected record; topics are mapped.
func TestReplayFilterAndMap(t *testing.T) {
	data := scheduleRecording(t)
	clock := &fakeClock{now: t0}
	pub := &capture{clock: clock, start: t0}
	var m TopicMap
	if err := m.AddExact("b=bee"); err != nil {
		t.Fatal(err)
	}
	r, _ := NewReader(bytes.NewReader(data))
	var prog []Progress
	res, err := Replay(context.Background(), r, pub, ReplayOptions{Speed: 1, Clock: clock, Topics: []string{"b"}, Map: m,
		Progress: func(p Progress) { prog = append(prog, p) }})
	if err != nil || res.Published != 3 || res.Skipped != 4 {
		t.Fatalf("res %+v err %v", res, err)
	}
	want := []sent{{"bee", "\x01", 0}, {"bee", "\x03", 500 * time.Millisecond}, {"bee", "\x05", 2 * time.Second}}
	for i := range want {
		if pub.msgs[i] != want[i] {
			t.Errorf("sent %+v, want %+v", pub.msgs[i], want[i])
		}
	}
	if len(prog) != 3 || prog[2].Records != 6 || prog[2].At != 2*time.Second || prog[2].Size != -1 {
		t.Errorf("progress %+v", prog)
	}
}

func TestTopicMap(t *testing.T) {
	var m TopicMap
	for _, p := range []string{"sensor/=s/", "sensor/temp/=t/", "=all/"} {
		if err := m.AddPrefix(p); err != nil {
			t.Fatal(err)
		}
	}
	m.AddExact("sensor/temp/x=exact")
	for in, want := range map[string]string{
		"sensor/temp/x": "exact", "sensor/temp/y": "t/y", "sensor/hum": "s/hum", "echo": "all/echo", "": "all/",
	} {
		if got := m.Apply(in); got != want {
			t.Errorf("Apply(%q) = %q, want %q", in, got, want)
		}
	}
	if got := (TopicMap{}).Apply("x"); got != "x" {
		t.Errorf("zero map changed %q", got)
	}
	if err := m.AddExact("nope"); !errors.Is(err, ErrBadMapping) {
		t.Errorf("err %v", err)
	}
}

func TestReplayFlushAndCancel(t *testing.T) {
	recs := sample(10)
	data, _ := encode(t, recs)
	clock := &fakeClock{now: t0}
	pub := flushCapture{&capture{clock: clock, start: t0}}
	r, _ := NewReader(bytes.NewReader(data))
	if _, err := Replay(context.Background(), r, pub, ReplayOptions{FlushEvery: 3}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(pub.flushes) != "[3 6 9 10]" {
		t.Errorf("flushes after %v messages, want [3 6 9 10]", pub.flushes)
	}
	// Cancelled while waiting for the next message's time.
	ctx, cancel := context.WithCancel(context.Background())
	clock = &fakeClock{now: t0, block: true}
	pub2 := &capture{clock: clock, start: t0}
	r, _ = NewReader(bytes.NewReader(data))
	done := make(chan error)
	go func() {
		_, err := Replay(ctx, r, pub2, ReplayOptions{Speed: 1, Clock: clock})
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

// Replay of a corrupt recording publishes the good records, then fails.
func TestReplayCorrupt(t *testing.T) {
	recs := sample(6)
	data, starts := encode(t, recs)
	data[starts[3]+frameHead] ^= 1
	clock := &fakeClock{now: t0}
	pub := &capture{clock: clock, start: t0}
	r, _ := NewReader(bytes.NewReader(data))
	res, err := Replay(context.Background(), r, pub, ReplayOptions{})
	if !errors.Is(err, ErrCorrupt) || res.Published != 3 || len(pub.msgs) != 3 {
		t.Fatalf("published %d err %v", res.Published, err)
	}
}

func TestRecorder(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf)
	clock := &fakeClock{now: t0}
	rec := NewRecorder(w, RecorderOptions{Clock: clock, Limit: 4})
	in := make(chan *banyan.Message, 10)
	for i := 0; i < 6; i++ {
		in <- &banyan.Message{Topic: fmt.Sprint("t", i), Payload: []byte{byte(i)}}
	}
	clock.Sleep(context.Background(), time.Second)
	if err := rec.Run(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if rec.Count() != 4 || rec.Bytes() != 4 || len(in) != 2 {
		t.Fatalf("count %d bytes %d left %d", rec.Count(), rec.Bytes(), len(in))
	}
	got, _, err := readAll(t, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := make([]Record, 4)
	for i := range want {
		want[i] = Record{Time: t0.Add(time.Second), Topic: fmt.Sprint("t", i), Payload: []byte{byte(i)}}
	}
	sameRecords(t, got, want)

	// Without a limit it stops when the input closes, everything flushed.
	buf.Reset()
	w, _ = NewWriter(&buf)
	rec = NewRecorder(w, RecorderOptions{})
	in = make(chan *banyan.Message, 1)
	go func() {
		for i := 0; i < 100; i++ {
			in <- &banyan.Message{Topic: "x", Payload: []byte{0xc0}}
		}
		close(in)
	}()
	if err := rec.Run(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if got, _, err := readAll(t, buf.Bytes()); err != nil || len(got) != 100 {
		t.Fatalf("%d records, err %v", len(got), err)
	}
}

func TestProgressBar(t *testing.T) {
	p := Progress{Records: 48213, Offset: 48, Size: 100, At: 62500 * time.Millisecond}
	got := p.Bar(60)
	want := "[==============>               ]  48%  48213 msgs  at 1m2.5s"
	if got != want {
		t.Errorf("Bar = %q, want %q", got, want)
	}
	if got := (Progress{Records: 3, Size: -1}).Bar(60); got != "3 msgs  at 0s" {
		t.Errorf("unknown size: %q", got)
	}
	if got := (Progress{Offset: 100, Size: 100}).Bar(40); got != "[==================] 100%  0 msgs  at 0s" {
		t.Errorf("full: %q", got)
	}
}
