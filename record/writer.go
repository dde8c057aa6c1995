package record

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// Writer appends records to a recording. Records are buffered: call Flush
// to hand them to the operating system (Recorder does so whenever it has
// caught up with its input) and Sync to make them durable. A crash can
// lose only what was not flushed, and leaves at worst a torn tail that
// readers ignore and Append cuts off.
//
// A Writer is not safe for concurrent use, and a file must have only one
// Writer at a time (nothing locks it).
type Writer struct {
	bw    *bufio.Writer
	f     *os.File // nil for NewWriter
	buf   []byte
	n     int   // records written by this Writer
	prior int   // whole records already in the file (Append)
	cut   int64 // torn tail bytes removed (Append)
	err   error // sticky
}

// NewWriter writes a header to w and returns a Writer on it.
func NewWriter(w io.Writer) (*Writer, error) {
	wr := &Writer{bw: bufio.NewWriterSize(w, 64<<10)}
	if _, err := wr.bw.Write(header()); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	return wr, nil
}

// Create creates (or truncates) the file at path and returns a Writer on
// it. The header is on disk when it returns.
func Create(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if _, err := f.Write(header()); err != nil {
		f.Close()
		return nil, fmt.Errorf("record: %w", err)
	}
	return &Writer{bw: bufio.NewWriterSize(f, 64<<10), f: f}, nil
}

// Append opens the recording at path to add records after its last whole
// record, creating it if it does not exist. A torn tail is cut off first
// (see TruncatedBytes). A recording that is corrupt before its end is left
// untouched and an error wrapping ErrCorrupt is returned (see Repair);
// so is a file that is not a recording (ErrNotRecording).
func Append(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	w, err := appendTo(f, false)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return w, nil
}

// Repair cuts the recording at path after its last whole record, dropping
// a torn tail and also a corrupt record and everything after it. It
// returns how many records were kept and how many bytes were cut.
func Repair(path string) (kept int, cut int64, err error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, 0, fmt.Errorf("record: %w", err)
	}
	w, err := appendTo(f, true)
	if err != nil {
		f.Close()
		return 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	return w.prior, w.cut, w.Close()
}

// appendTo scans f, cuts what follows its last whole record (only a torn
// tail unless force) and positions a Writer at the end.
func appendTo(f *os.File, force bool) (*Writer, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	r, err := NewReader(f)
	if err != nil {
		return nil, err
	}
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		var ce *CorruptError
		if err != nil && !(force && errors.As(err, &ce)) {
			return nil, fmt.Errorf("%w (use Repair, or banyan record --repair, to cut it there)", err)
		}
		if err != nil {
			break
		}
	}
	end := r.Offset() // 0 when even the header is torn: it is written again
	if end < st.Size() {
		if err := f.Truncate(end); err != nil {
			return nil, err
		}
	}
	if _, err := f.Seek(end, io.SeekStart); err != nil {
		return nil, err
	}
	if end == 0 {
		if _, err := f.Write(header()); err != nil {
			return nil, err
		}
	}
	return &Writer{bw: bufio.NewWriterSize(f, 64<<10), f: f, prior: r.Records(), cut: st.Size() - end}, nil
}

// Write adds a record (buffered). It fails with ErrTooLarge for a record
// over MaxRecordSize; after a write error every later call fails.
func (w *Writer) Write(rec Record) error {
	if w.err != nil {
		return w.err
	}
	b, err := appendFrame(w.buf[:0], rec)
	if err != nil {
		return err
	}
	w.buf = b
	if len(w.buf) > 1<<20 {
		defer func() { w.buf = nil }() // do not keep a huge buffer
	}
	if _, err := w.bw.Write(b); err != nil {
		w.err = fmt.Errorf("record: %w", err)
		return w.err
	}
	w.n++
	return nil
}

// Flush writes buffered records to the file (or io.Writer).
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("record: %w", err)
	}
	return w.err
}

// Sync flushes and asks the operating system to make the file durable (it
// only flushes for a NewWriter).
func (w *Writer) Sync() error {
	if err := w.Flush(); err != nil {
		return err
	}
	if w.f != nil {
		if err := w.f.Sync(); err != nil {
			return fmt.Errorf("record: %w", err)
		}
	}
	return nil
}

// Records is how many records this Writer has written.
func (w *Writer) Records() int { return w.n }

// PriorRecords is how many whole records the file held when Append opened it.
func (w *Writer) PriorRecords() int { return w.prior }

// TruncatedBytes is how many bytes of torn tail Append cut off (or Repair
// cut).
func (w *Writer) TruncatedBytes() int64 { return w.cut }

// Close flushes, syncs and closes the file (for a NewWriter, it flushes).
func (w *Writer) Close() error {
	err := w.Sync()
	if w.f != nil {
		if cerr := w.f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("record: %w", cerr)
		}
		w.f = nil
	}
	return err
}
