package record

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/gobanyan/banyan/internal/ratestats"
)

// Info summarises a recording.
type Info struct {
	Size      int64       // file size in bytes (-1 if unknown)
	Records   int         // whole records
	Bytes     int64       // payload bytes in them
	Start     time.Time   // first receive time (zero if no records)
	End       time.Time   // last receive time
	TornBytes int64       // torn tail ignored at the end
	Topics    []TopicInfo // per topic, most messages first (ties by name)
}

// TopicInfo summarises one topic of a recording.
type TopicInfo struct {
	Topic    string
	Messages int
	Bytes    int64
	First    time.Time
	Last     time.Time
}

// Duration is the time from the first record to the last.
func (i Info) Duration() time.Duration { return i.End.Sub(i.Start) }

// rate is n per second over the recording, 0 when it lasted no time.
func (i Info) rate(n float64) float64 {
	if d := i.Duration().Seconds(); d > 0 {
		return n / d
	}
	return 0
}

// Scan reads r to its end and summarises it. At a corrupt record it
// returns the summary of the records before it and the error.
func Scan(r *Reader) (Info, error) {
	info := Info{Size: r.Size()}
	topics := map[string]*TopicInfo{}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			info.finish(topics)
			return info, err
		}
		if info.Records == 0 {
			info.Start = rec.Time
		}
		info.Records++
		info.Bytes += int64(len(rec.Payload))
		info.Start = minTime(info.Start, rec.Time)
		if rec.Time.After(info.End) {
			info.End = rec.Time
		}
		t := topics[rec.Topic]
		if t == nil {
			t = &TopicInfo{Topic: rec.Topic, First: rec.Time}
			topics[rec.Topic] = t
		}
		t.Messages++
		t.Bytes += int64(len(rec.Payload))
		t.First = minTime(t.First, rec.Time)
		if rec.Time.After(t.Last) {
			t.Last = rec.Time
		}
	}
	info.TornBytes = r.TornBytes()
	info.finish(topics)
	return info, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func (i *Info) finish(topics map[string]*TopicInfo) {
	for _, t := range topics {
		i.Topics = append(i.Topics, *t)
	}
	sort.Slice(i.Topics, func(a, b int) bool {
		x, y := i.Topics[a], i.Topics[b]
		if x.Messages != y.Messages {
			return x.Messages > y.Messages
		}
		return x.Topic < y.Topic
	})
}

// ReadInfo opens the recording at path and summarises it (see Scan).
func ReadInfo(path string) (Info, error) {
	r, err := Open(path)
	if err != nil {
		return Info{}, err
	}
	defer r.Close()
	return Scan(r)
}

const timeLayout = "2006-01-02 15:04:05.000 MST"

// WriteText writes the summary for people: totals, then a table of topics
// with their counts, payload bytes and average rates over the whole
// recording. Times are shown in the local time zone.
func (i Info) WriteText(w io.Writer) error {
	line := func(label, format string, args ...any) {
		fmt.Fprintf(w, "%-12s"+format+"\n", append([]any{label + ":"}, args...)...)
	}
	if i.Size >= 0 {
		line("size", "%d bytes (%s)", i.Size, ratestats.HumanBytes(float64(i.Size)))
	}
	line("records", "%d (payload %s)", i.Records, ratestats.HumanBytes(float64(i.Bytes)))
	line("topics", "%d", len(i.Topics))
	if i.Records > 0 {
		line("start", "%s", i.Start.Local().Format(timeLayout))
		line("end", "%s", i.End.Local().Format(timeLayout))
		line("duration", "%s", i.Duration().Round(time.Millisecond))
		line("rate", "%.1f msg/s, %s/s", i.rate(float64(i.Records)), ratestats.HumanBytes(i.rate(float64(i.Bytes))))
	}
	if i.TornBytes > 0 {
		line("torn tail", "%d bytes ignored (a write cut short)", i.TornBytes)
	}
	if len(i.Topics) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "MESSAGES\tBYTES\tMSG/S\tBYTES/S\tDURATION\t\tTOPIC")
	for _, t := range i.Topics {
		fmt.Fprintf(tw, "%d\t%s\t%.1f\t%s\t%s\t\t%s\n", t.Messages, ratestats.HumanBytes(float64(t.Bytes)),
			i.rate(float64(t.Messages)), ratestats.HumanBytes(i.rate(float64(t.Bytes))), t.Last.Sub(t.First).Round(time.Millisecond), t.Topic)
	}
	return tw.Flush()
}

// MarshalJSON writes the summary with rates and the duration in seconds.
func (i Info) MarshalJSON() ([]byte, error) {
	type topic struct {
		Topic       string    `json:"topic"`
		Messages    int       `json:"messages"`
		Bytes       int64     `json:"bytes"`
		MsgsPerSec  float64   `json:"msgs_per_s"`
		BytesPerSec float64   `json:"bytes_per_s"`
		First       time.Time `json:"first"`
		Last        time.Time `json:"last"`
	}
	out := struct {
		Size        int64      `json:"size"`
		Records     int        `json:"records"`
		Bytes       int64      `json:"bytes"`
		Start       *time.Time `json:"start,omitempty"`
		End         *time.Time `json:"end,omitempty"`
		Seconds     float64    `json:"duration_s"`
		MsgsPerSec  float64    `json:"msgs_per_s"`
		BytesPerSec float64    `json:"bytes_per_s"`
		TornBytes   int64      `json:"torn_bytes"`
		Topics      []topic    `json:"topics"`
	}{Size: i.Size, Records: i.Records, Bytes: i.Bytes, Seconds: i.Duration().Seconds(),
		MsgsPerSec: i.rate(float64(i.Records)), BytesPerSec: i.rate(float64(i.Bytes)), TornBytes: i.TornBytes,
		Topics: []topic{}}
	if i.Records > 0 {
		out.Start, out.End = &i.Start, &i.End
	}
	for _, t := range i.Topics {
		out.Topics = append(out.Topics, topic{t.Topic, t.Messages, t.Bytes, i.rate(float64(t.Messages)),
			i.rate(float64(t.Bytes)), t.First, t.Last})
	}
	return json.Marshal(out)
}
