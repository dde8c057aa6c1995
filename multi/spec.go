package multi

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Column names of a routing spec, as in Python Banyan.
const (
	ColName           = "backplane_name"
	ColAddress        = "ip_address"
	ColSubscriberPort = "subscriber_port"
	ColTopics         = "subscriber_topic"
	ColPublisherPort  = "publisher_port"
)

// Header is the header line of a routing spec. Columns are found by name,
// so their order is free and extra columns are ignored, as in Python.
const Header = ColName + "," + ColAddress + "," + ColSubscriberPort + "," + ColTopics + "," + ColPublisherPort

var columns = []string{ColName, ColAddress, ColSubscriberPort, ColTopics, ColPublisherPort}

// Spec is a routing specification: the backplanes one component connects to.
type Spec struct {
	// File is where the spec was read from; it prefixes error messages.
	File string
	// Backplanes are the rows, in file order.
	Backplanes []Backplane
}

// Backplane is one row of a routing spec.
type Backplane struct {
	// Name identifies the backplane in Publish, Subscribe and handlers.
	Name string
	// Address is the backplane's host name or IP address.
	Address string
	// SubscriberPort is the backplane port to receive from; 0 means the
	// row has no subscriber connection.
	SubscriberPort int
	// Topics are subscribed when the connection opens. nil ("[]" in the
	// file) subscribes to nothing. Ignored without a SubscriberPort.
	Topics []string
	// PublisherPort is the backplane port to publish to; 0 means the row
	// has no publisher connection.
	PublisherPort int
	// Line is the row's line in the file (0 when the spec was built in Go).
	Line int
}

// SpecError is an error in a routing spec. It says where: file, line,
// row and column, and wraps one of the Err* sentinels (or a CSV syntax
// error) as the cause.
type SpecError struct {
	File      string // the spec's file name; "" when not read from a file
	Line      int    // line in the file, 1 is the header; 0 if unknown
	Row       int    // backplane row, 1 is the first after the header; 0 for the header or the whole file
	Backplane string // the row's backplane_name, when it has one
	Column    string // the column at fault; "" for the whole row or file
	Err       error  // the cause
}

// Error formats the error as "file:line: row N (name), column C: cause".
func (e *SpecError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
	} else {
		b.WriteString("routing spec")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Row > 0 {
		fmt.Fprintf(&b, ": row %d", e.Row)
		if e.Backplane != "" {
			fmt.Fprintf(&b, " (%s)", e.Backplane)
		}
	}
	if e.Column != "" {
		if e.Row > 0 {
			b.WriteString(",")
		} else {
			b.WriteString(":")
		}
		fmt.Fprintf(&b, " column %s", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *SpecError) Unwrap() error { return e.Err }

// ReadSpec reads a routing spec file (see ParseSpec).
func ReadSpec(path string, opts ...Option) (*Spec, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: no file name given", ErrNoSpecFile)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoSpecFile, err)
	}
	defer f.Close()
	return ParseSpec(f, path, opts...)
}

// ParseSpec parses a routing spec in Python Banyan's CSV format, reporting
// every error it finds (joined; each is a *SpecError) rather than only the
// first. file names the source in messages. Only WithStrict matters here.
//
// A row is: backplane_name (unique), ip_address, subscriber_port (empty:
// no subscriber connection), subscriber_topic (a quoted bracketed list,
// "[a,b,c]"; read only when subscriber_port is set) and publisher_port
// (empty: no publisher connection). Rows whose cells are all empty are
// skipped; missing trailing cells count as empty, as in Python.
func ParseSpec(r io.Reader, file string, opts ...Option) (*Spec, error) {
	o := buildOptions(opts)
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	specErr := func(line, row int, name, col string, err error) *SpecError {
		return &SpecError{File: file, Line: line, Row: row, Backplane: name, Column: col, Err: err}
	}
	csvErr := func(err error) error {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return specErr(pe.Line, 0, "", "", fmt.Errorf("CSV syntax, character %d: %w", pe.Column, pe.Err))
		}
		return specErr(0, 0, "", "", err)
	}

	header, err := cr.Read()
	if err == io.EOF {
		return nil, specErr(1, 0, "", "", fmt.Errorf("%w: the file is empty", ErrHeader))
	}
	if err != nil {
		return nil, csvErr(err)
	}
	index := map[string]int{}
	var headerErrs []error
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF") // a byte order mark, as spreadsheets write
		}
		if !o.strict {
			h = strings.TrimSpace(h)
		}
		if _, dup := index[h]; dup && slices.Contains(columns, h) {
			headerErrs = append(headerErrs, specErr(1, 0, "", "", fmt.Errorf("%w: column %q appears twice", ErrHeader, h)))
		}
		if _, dup := index[h]; !dup {
			index[h] = i
		}
	}
	for _, c := range columns {
		if _, ok := index[c]; !ok {
			headerErrs = append(headerErrs, specErr(1, 0, "", "", fmt.Errorf("%w: column %q is missing", ErrHeader, c)))
		}
	}
	if len(headerErrs) > 0 {
		return nil, errors.Join(headerErrs...)
	}

	spec := &Spec{File: file}
	var errs []error
	firstRow := map[string]int{} // name -> index in spec.Backplanes
	row := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, csvErr(err))
			break
		}
		if blank(rec) {
			continue
		}
		row++
		line, _ := cr.FieldPos(0)
		cell := func(col string) string {
			if i := index[col]; i < len(rec) {
				return rec[i]
			}
			return ""
		}
		b := Backplane{Line: line}
		b.Name = strings.TrimSpace(cell(ColName))
		fail := func(col string, err error) { errs = append(errs, specErr(line, row, b.Name, col, err)) }

		if b.Name == "" {
			fail(ColName, ErrMissingName)
		} else if first, dup := firstRow[b.Name]; dup {
			fail(ColName, fmt.Errorf("%w: %q is also row %d (line %d)", ErrDuplicateName, b.Name, first+1, spec.Backplanes[first].Line))
		} else {
			firstRow[b.Name] = len(spec.Backplanes)
		}
		b.Address = strings.TrimSpace(cell(ColAddress))
		if strings.HasPrefix(b.Address, "[") && strings.HasSuffix(b.Address, "]") {
			b.Address = b.Address[1 : len(b.Address)-1] // [::1]
		}
		if err := checkAddress(b.Address); err != nil {
			fail(ColAddress, err)
		}
		var perr error
		if b.SubscriberPort, perr = parsePort(cell(ColSubscriberPort)); perr != nil {
			fail(ColSubscriberPort, perr)
		}
		if b.PublisherPort, perr = parsePort(cell(ColPublisherPort)); perr != nil {
			fail(ColPublisherPort, perr)
		}
		if strings.TrimSpace(cell(ColSubscriberPort)) != "" {
			topics, err := parseTopics(cell(ColTopics), o.strict)
			if err != nil {
				fail(ColTopics, err)
			}
			b.Topics = topics
		}
		spec.Backplanes = append(spec.Backplanes, b)
	}
	if len(errs) > 0 {
		return nil, joined(errs)
	}
	if len(spec.Backplanes) == 0 {
		return nil, specErr(0, 0, "", "", ErrEmptySpec)
	}
	return spec, nil
}

// Validate checks a spec built in Go by the rules ParseSpec applies to a
// file (ParseSpec's results are already valid). Open calls it.
func (s *Spec) Validate() error {
	if s == nil || len(s.Backplanes) == 0 {
		return &SpecError{Err: ErrEmptySpec}
	}
	var errs []error
	seen := map[string]int{}
	for i, b := range s.Backplanes {
		fail := func(col string, err error) {
			errs = append(errs, &SpecError{File: s.File, Line: b.Line, Row: i + 1, Backplane: b.Name, Column: col, Err: err})
		}
		switch first, dup := seen[b.Name]; {
		case strings.TrimSpace(b.Name) == "":
			fail(ColName, ErrMissingName)
		case dup:
			fail(ColName, fmt.Errorf("%w: %q is also row %d", ErrDuplicateName, b.Name, first+1))
		default:
			seen[b.Name] = i
		}
		if err := checkAddress(b.Address); err != nil {
			fail(ColAddress, err)
		}
		if b.SubscriberPort < 0 || b.SubscriberPort > 65535 {
			fail(ColSubscriberPort, fmt.Errorf("%w: got %d", ErrBadPort, b.SubscriberPort))
		}
		if b.PublisherPort < 0 || b.PublisherPort > 65535 {
			fail(ColPublisherPort, fmt.Errorf("%w: got %d", ErrBadPort, b.PublisherPort))
		}
		if b.SubscriberPort != 0 {
			for j, t := range b.Topics {
				if err := checkTopic(t); err != nil {
					fail(ColTopics, fmt.Errorf("topic %d %q: %w", j+1, t, err))
				}
			}
		}
	}
	return joined(errs)
}

// joined returns nil, the one error, or all of them joined.
func joined(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func checkAddress(a string) error {
	if a == "" {
		return fmt.Errorf("%w: it is empty", ErrBadAddress)
	}
	if strings.IndexFunc(a, unicode.IsSpace) >= 0 || !utf8.ValidString(a) {
		return fmt.Errorf("%w: got %q", ErrBadAddress, a)
	}
	return nil
}

// parsePort reads a port cell: "" is 0 (no connection).
func parsePort(cell string) (int, error) {
	s := strings.TrimSpace(cell)
	if s == "" {
		return 0, nil
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("%w: got %q", ErrBadPort, cell)
	}
	return p, nil
}

// parseTopics reads a bracketed topic list. "[]" is no topic (nil).
func parseTopics(cell string, strict bool) ([]string, error) {
	s := cell
	if !strict {
		s = strings.TrimSpace(s)
	}
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, fmt.Errorf("%w: got %q", ErrMissingBracket, cell)
	}
	if strict && strings.Contains(s, " ") {
		return nil, fmt.Errorf("%w: got %q", ErrSpaceInTopic, cell)
	}
	inner := s[1 : len(s)-1]
	if strings.TrimSpace(inner) == "" {
		return nil, nil
	}
	var topics []string
	for i, t := range strings.Split(inner, ",") {
		if !strict {
			t = strings.TrimSpace(t)
		}
		if err := checkTopic(t); err != nil {
			return nil, fmt.Errorf("topic %d %q in %q: %w", i+1, t, cell, err)
		}
		topics = append(topics, t)
	}
	return topics, nil
}

func checkTopic(t string) error {
	switch {
	case t == "":
		return ErrEmptyTopic
	case !utf8.ValidString(t), strings.ContainsAny(t, "[]"):
		return ErrBadTopic
	case strings.IndexFunc(t, unicode.IsSpace) >= 0:
		return ErrSpaceInTopic
	}
	return nil
}
