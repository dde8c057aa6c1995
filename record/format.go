package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"time"
)

// The file format (FORMAT.md describes it in full):
//
//	header : magic "\x89BNYREC\n" (8 bytes), version uint16, reserved uint16 (0)
//	record : length uint32, crc32c(length bytes) uint32, body, crc32c(body) uint32
//	body   : time int64 (Unix ns), topic length uint32, topic, payload
//
// Integers are little-endian.
const (
	// Magic starts every recording.
	Magic = "\x89BNYREC\n"
	// Version is the format version this package writes and reads.
	Version = 1
	// HeaderSize is the size of the file header in bytes.
	HeaderSize = len(Magic) + 4
	// MaxRecordSize bounds a record's body (time, topic and payload) in bytes.
	MaxRecordSize = 256 << 20

	frameHead  = 8  // length + its checksum
	frameTail  = 4  // body checksum
	bodyHead   = 12 // time + topic length
	frameExtra = frameHead + frameTail
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var (
	// ErrNotRecording is a file that does not start with Magic.
	ErrNotRecording = errors.New("record: not a Banyan recording (bad magic)")
	// ErrVersion is a recording of a format version this package cannot read.
	ErrVersion = errors.New("record: unsupported recording format version")
	// ErrCorrupt is a record that fails its checksum or is malformed, before
	// the end of the file. Errors wrapping it are *CorruptError values.
	ErrCorrupt = errors.New("record: corrupt recording")
	// ErrTooLarge is a record whose body would exceed MaxRecordSize.
	ErrTooLarge = errors.New("record: record too large")
)

// CorruptError says where a recording is corrupt. It wraps ErrCorrupt.
type CorruptError struct {
	Offset int64  // file offset of the bad record's first byte
	Good   int    // whole records before it
	Reason string // what is wrong
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("record: corrupt recording at byte %d, after %d good records: %s", e.Offset, e.Good, e.Reason)
}

// Unwrap returns ErrCorrupt.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// Record is one recorded message: its receive time, topic and payload bytes
// (msgpack, exactly as received).
type Record struct {
	Time    time.Time
	Topic   string
	Payload []byte
}

func header() []byte {
	h := make([]byte, HeaderSize)
	copy(h, Magic)
	binary.LittleEndian.PutUint16(h[len(Magic):], Version)
	return h
}

// checkHeader validates a whole header.
func checkHeader(h []byte) error {
	if string(h[:len(Magic)]) != Magic {
		return ErrNotRecording
	}
	if v := binary.LittleEndian.Uint16(h[len(Magic):]); v != Version {
		return fmt.Errorf("%w: %d (this build reads %d)", ErrVersion, v, Version)
	}
	return nil
}

// appendFrame appends rec's framed bytes to dst.
func appendFrame(dst []byte, rec Record) ([]byte, error) {
	n := bodyHead + len(rec.Topic) + len(rec.Payload)
	if n > MaxRecordSize {
		return dst, fmt.Errorf("%w: %d bytes (max %d)", ErrTooLarge, n, MaxRecordSize)
	}
	start := len(dst)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(n))
	dst = binary.LittleEndian.AppendUint32(dst, crc32.Checksum(dst[start:start+4], castagnoli))
	body := len(dst)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(rec.Time.UnixNano()))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(rec.Topic)))
	dst = append(dst, rec.Topic...)
	dst = append(dst, rec.Payload...)
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(dst[body:], castagnoli)), nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func crc32c(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }
