// Package record records Banyan messages to a file and replays them.
//
// # Recording
//
// A Recorder takes the messages a component receives and writes each one,
// stamped with its receive time, to a Writer:
//
//	c, _ := banyan.Connect(ctx, banyan.WithSubscriptions(""))
//	w, _ := record.Create("session.brec") // or record.Append to continue a file
//	rec := record.NewRecorder(w, record.RecorderOptions{})
//	rec.Run(ctx, c.Messages())
//	w.Close()
//
// # Replaying
//
// Replay publishes a recording again, at its original pace, faster or
// slower (ReplayOptions.Speed), or as fast as possible (Speed 0), and can
// rename topics on the way (TopicMap):
//
//	r, _ := record.Open("session.brec")
//	defer r.Close()
//	res, err := record.Replay(ctx, r, record.ComponentPublisher{Component: c},
//		record.ReplayOptions{Speed: 1})
//
// Pacing goes through a Clock, so tests can check a replay's schedule with a
// fake clock instead of waiting.
//
// # The file format
//
// A recording is a 12-byte header (the magic "\x89BNYREC\n", a format
// version and two reserved bytes) followed by records. Each record is
// framed as
//
//	length uint32 | CRC-32C of the length bytes uint32 | body | CRC-32C of the body uint32
//	body: receive time int64 (Unix nanoseconds) | topic length uint32 | topic | payload
//
// with little-endian integers. The file only ever grows at its end, so a
// crash can leave at most one incomplete record there: a torn tail. Readers
// stop quietly before a torn tail (Reader.TornBytes says how big it was),
// and Append cuts it off before adding records, so a recording that
// crashed can simply be continued. The length has its own checksum so that
// a damaged length in the middle of a file is reported as corruption
// (ErrCorrupt, with the offset and the count of good records before it)
// rather than mistaken for a torn tail. FORMAT.md in this directory is the
// full description.
//
// # Info
//
// Scan and ReadInfo summarise a recording: topics, message counts, payload
// bytes, rates and duration (banyan record --info).
package record
