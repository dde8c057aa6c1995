package record_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/record"
)

// printer is a record.Publisher that prints what it is given.
type printer struct{}

func (printer) PublishRaw(topic string, payload []byte) error {
	var v map[string]any
	banyan.Unmarshal(payload, &v)
	fmt.Println("publish", topic, v)
	return nil
}

// Write a recording, read it back, summarise it and replay it onto
// renamed topics.
func Example() {
	var file bytes.Buffer
	w, _ := record.NewWriter(&file)
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := 0; i < 3; i++ {
		payload, _ := banyan.Marshal(map[string]any{"n": i})
		w.Write(record.Record{Time: start.Add(time.Duration(i) * time.Second), Topic: "sensor/temp", Payload: payload})
	}
	w.Flush()

	r, _ := record.NewReader(bytes.NewReader(file.Bytes()))
	info, _ := record.Scan(r)
	fmt.Println(info.Records, "records over", info.Duration(), "on", info.Topics[0].Topic)

	r, _ = record.NewReader(bytes.NewReader(file.Bytes()))
	var m record.TopicMap
	m.AddPrefix("sensor/=replayed/")
	res, err := record.Replay(context.Background(), r, printer{}, record.ReplayOptions{Speed: 0, Map: m})
	fmt.Println(res.Published, "published, err:", err)

	// A crash mid-write leaves a torn tail: it is ignored.
	r, _ = record.NewReader(bytes.NewReader(file.Bytes()[:file.Len()-5]))
	n := 0
	for {
		if _, err := r.Next(); err == io.EOF {
			break
		}
		n++
	}
	fmt.Println(n, "whole records, torn tail of", r.TornBytes(), "bytes")
	// Output:
	// 3 records over 2s on sensor/temp
	// publish replayed/temp map[n:0]
	// publish replayed/temp map[n:1]
	// publish replayed/temp map[n:2]
	// 3 published, err: <nil>
	// 2 whole records, torn tail of 34 bytes
}
