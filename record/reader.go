package record

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"time"
)

// Reader reads a recording record by record. A torn tail (the end of a
// file whose last write was cut short by a crash) ends the recording like
// io.EOF; a damaged record before that stops reading with a *CorruptError.
type Reader struct {
	br     *bufio.Reader
	closer io.Closer
	size   int64
	off    int64 // end of the last whole record
	n      int
	torn   int64
	err    error // sticky
}

// NewReader reads the header from r and returns a Reader positioned at the
// first record. Input that is a strict prefix of a header (including
// empty input: a file cut short while being created) is a recording with
// no records and a torn tail.
func NewReader(r io.Reader) (*Reader, error) {
	rd := &Reader{br: bufio.NewReaderSize(r, 64<<10), size: -1}
	h := make([]byte, HeaderSize)
	n, err := io.ReadFull(rd.br, h)
	switch {
	case err == nil:
		if err := checkHeader(h); err != nil {
			return nil, err
		}
		rd.off = int64(HeaderSize)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		if !bytes.HasPrefix(header(), h[:n]) {
			return nil, ErrNotRecording
		}
		rd.torn = int64(n)
		rd.err = io.EOF
	default:
		return nil, fmt.Errorf("record: reading header: %w", err)
	}
	return rd, nil
}

// Open opens the recording at path for reading. Close it when done.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("record: %w", err)
	}
	r, err := NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.closer, r.size = f, st.Size()
	return r, nil
}

// Next returns the next record. Its Payload is its own (the caller may keep
// it). At the end of the recording, torn tail or not, it returns io.EOF; a
// damaged record returns an error wrapping ErrCorrupt (a *CorruptError)
// and every later call returns the same error.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	rec, err := r.next()
	if err != nil {
		r.err = err
	}
	return rec, err
}

func (r *Reader) next() (Record, error) {
	var h [frameHead]byte
	n, err := io.ReadFull(r.br, h[:])
	switch {
	case err == io.EOF:
		return Record{}, io.EOF
	case err == io.ErrUnexpectedEOF:
		r.torn = int64(n)
		return Record{}, io.EOF
	case err != nil:
		return Record{}, fmt.Errorf("record: %w", err)
	}
	length := binary.LittleEndian.Uint32(h[:4])
	if crc32.Checksum(h[:4], castagnoli) != binary.LittleEndian.Uint32(h[4:]) {
		return Record{}, r.zeroTailOr(h[:], frameHead, "length checksum mismatch")
	}
	if length < bodyHead || length > MaxRecordSize {
		return Record{}, r.corrupt(fmt.Sprintf("record length %d out of range", length))
	}
	buf := make([]byte, int(length)+frameTail)
	n, err = io.ReadFull(r.br, buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		r.torn = int64(frameHead + n)
		return Record{}, io.EOF
	case err != nil:
		return Record{}, fmt.Errorf("record: %w", err)
	}
	body := buf[:length]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(buf[length:]) {
		if allZero(buf) {
			// The frame head reached the disk but the body never did.
			return Record{}, r.zeroTailOr(buf, int64(frameHead+len(buf)), "checksum mismatch")
		}
		return Record{}, r.corrupt("checksum mismatch")
	}
	tlen := binary.LittleEndian.Uint32(body[8:12])
	if uint64(tlen) > uint64(length-bodyHead) {
		return Record{}, r.corrupt(fmt.Sprintf("topic length %d exceeds record length %d", tlen, length))
	}
	rec := Record{
		Time:    time.Unix(0, int64(binary.LittleEndian.Uint64(body[:8]))),
		Topic:   string(body[bodyHead : bodyHead+tlen]),
		Payload: body[bodyHead+tlen : length : length],
	}
	r.off += int64(frameExtra) + int64(length)
	r.n++
	return rec, nil
}

// zeroTailOr reports a torn tail when zeros (part of the consumed bytes of
// the current record) and everything after them are zero bytes (space a
// file system allocated before a crash but never filled), and otherwise a
// corrupt record.
func (r *Reader) zeroTailOr(zeros []byte, consumed int64, reason string) error {
	if !allZero(zeros) {
		return r.corrupt(reason)
	}
	rest := int64(0)
	buf := make([]byte, 32<<10)
	for {
		n, err := r.br.Read(buf)
		if !allZero(buf[:n]) {
			return r.corrupt(reason)
		}
		rest += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("record: %w", err)
		}
	}
	r.torn = consumed + rest
	return io.EOF
}

func (r *Reader) corrupt(reason string) error {
	return &CorruptError{Offset: r.off, Good: r.n, Reason: reason}
}

// Offset is the file offset just past the last whole record read (the
// header's size before the first).
func (r *Reader) Offset() int64 { return r.off }

// Records is how many whole records have been read.
func (r *Reader) Records() int { return r.n }

// TornBytes is the size of the torn tail found at the end of the
// recording (0 if none). It is known once Next has returned io.EOF.
func (r *Reader) TornBytes() int64 { return r.torn }

// Size is the file's size when opened with Open, else -1.
func (r *Reader) Size() int64 { return r.size }

// Close closes the file opened by Open (it does nothing for NewReader).
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}
