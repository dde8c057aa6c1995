package table

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
)

// Data is a CSV file of results: a header and rows. A line equal to the
// header further down (files appended to run by run) is skipped.
type Data struct {
	Header []string
	Rows   [][]string
}

// Read reads CSV from r.
func Read(r io.Reader) (*Data, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("table: %w", err)
	}
	if len(recs) == 0 {
		return nil, errors.New("table: empty CSV")
	}
	d := &Data{Header: recs[0]}
	for i, rec := range recs[1:] {
		if slices.Equal(rec, d.Header) {
			continue
		}
		if len(rec) != len(d.Header) {
			return nil, fmt.Errorf("table: line %d has %d fields, the header %d", i+2, len(rec), len(d.Header))
		}
		d.Rows = append(d.Rows, rec)
	}
	return d, nil
}

// normalize is a column name without case, spaces, "_" or "-".
func normalize(name string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, name)
}

// Column is the index of the column called name (loosely, see the package
// comment).
func (d *Data) Column(name string) (int, error) {
	n := normalize(name)
	for i, h := range d.Header {
		if normalize(h) == n {
			return i, nil
		}
	}
	return 0, fmt.Errorf("table: no column %q in %s", name, strings.Join(d.Header, ","))
}
