package multi

import (
	"encoding/csv"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// wantErr is one expected *SpecError.
type wantErr struct {
	is     error
	line   int
	row    int
	column string
}

// specErrors flattens a joined error into its *SpecErrors.
func specErrors(t *testing.T, err error) []*SpecError {
	t.Helper()
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var out []*SpecError
	for _, e := range errs {
		var se *SpecError
		if !errors.As(e, &se) {
			t.Fatalf("error %q (%T) is not a *SpecError", e, e)
		}
		out = append(out, se)
	}
	return out
}

func checkErrors(t *testing.T, file string, err error, want []wantErr) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %d", len(want))
	}
	got := specErrors(t, err)
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(got), len(want), err)
	}
	for i, w := range want {
		g := got[i]
		if !errors.Is(g, w.is) || g.Line != w.line || g.Row != w.row || g.Column != w.column {
			t.Errorf("error %d = %q\n (line %d row %d column %q), want %q at line %d row %d column %q",
				i, g, g.Line, g.Row, g.Column, w.is, w.line, w.row, w.column)
		}
		if g.File != file || !strings.HasPrefix(g.Error(), file) {
			t.Errorf("error %d does not name the file %s: %q", i, file, g)
		}
		if w.column != "" && !strings.Contains(g.Error(), "column "+w.column) {
			t.Errorf("error %d does not name the column: %q", i, g)
		}
	}
}

func TestPythonTestSpecs(t *testing.T) {
	sample := []Backplane{
		{Name: "LEDS", Address: "192.168.2.191", SubscriberPort: 43125, Topics: []string{"Red_LED", "Green_LED", "Blue_LED"}, PublisherPort: 43124, Line: 2},
		{Name: "Motors", Address: "192.168.2.191", SubscriberPort: 43125, Topics: []string{"Run_Motors"}, Line: 3},
		{Name: "Sensors", Address: "192.168.2.191", PublisherPort: 43127, Line: 4},
	}
	for _, tc := range []struct {
		file   string
		strict bool
		want   []Backplane // when valid
		errs   []wantErr
	}{
		{file: "sample.csv", want: sample},
		{file: "sample.csv", strict: true, want: sample},
		// Python rejects spaces around topics; we trim them unless strict.
		{file: "sample_with_space.csv", want: sample},
		{file: "sample_with_space.csv", strict: true, errs: []wantErr{{ErrSpaceInTopic, 2, 1, ColTopics}}},
		{file: "sample_space_inside_topic.csv", errs: []wantErr{{ErrSpaceInTopic, 2, 1, ColTopics}}},
		{file: "sample_space_inside_topic.csv", strict: true, errs: []wantErr{{ErrSpaceInTopic, 2, 1, ColTopics}}},
		// Python stops at the space in row 1; we report every error.
		{file: "sample_duplicate_backplane_name.csv", errs: []wantErr{{ErrDuplicateName, 3, 2, ColName}}},
		{file: "sample_duplicate_backplane_name.csv", strict: true, errs: []wantErr{
			{ErrSpaceInTopic, 2, 1, ColTopics}, {ErrDuplicateName, 3, 2, ColName}}},
		{file: "sample_missing_left_bracket.csv", errs: []wantErr{{ErrMissingBracket, 2, 1, ColTopics}}},
		{file: "sample_missing_left_bracket.csv", strict: true, errs: []wantErr{{ErrMissingBracket, 2, 1, ColTopics}}},
		{file: "sample_missing_right_bracket.csv", errs: []wantErr{{ErrMissingBracket, 2, 1, ColTopics}}},
		{file: "sample_missing_right_bracket.csv", strict: true, errs: []wantErr{{ErrMissingBracket, 2, 1, ColTopics}}},
		// Python's multi_driver example: "[]" is no topic (Python: every
		// topic); the topics of a row without subscriber_port are ignored.
		{file: "multi_driver_spec.csv", want: []Backplane{
			{Name: "BP1", Address: "192.168.2.194", SubscriberPort: 43127, Topics: []string{"reply"}, PublisherPort: 43126, Line: 2},
			{Name: "BP2", Address: "192.168.2.194", SubscriberPort: 43125, Topics: []string{"reply"}, PublisherPort: 43124, Line: 3},
			{Name: "BP3", Address: "192.168.2.177", SubscriberPort: 43125, PublisherPort: 43124, Line: 4},
			{Name: "BP4", Address: "192.168.2.199", SubscriberPort: 43125, Topics: []string{"run_motors", "light_leds"}, Line: 5},
			{Name: "BP5", Address: "192.168.2.133", PublisherPort: 43124, Line: 6},
		}},
		{file: "simple_demo_spec.csv", want: []Backplane{
			{Name: "BP1", Address: "192.168.2.190", SubscriberPort: 43125, Topics: []string{"echo"}, PublisherPort: 43124, Line: 2},
			{Name: "BP2", Address: "192.168.2.180", SubscriberPort: 43125, Topics: []string{"notice"}, PublisherPort: 43124, Line: 3},
		}},
		// Columns by name in any order, extra columns ignored, BOM, CRLF,
		// an all-empty row skipped, IPv6 with or without brackets.
		{file: "reordered_columns.csv", want: []Backplane{
			{Name: "LEDS", Address: "127.0.0.1", SubscriberPort: 43125, Topics: []string{"Red_LED", "Green_LED"}, PublisherPort: 43124, Line: 2},
			{Name: "Motors", Address: "::1", SubscriberPort: 43127, PublisherPort: 43126, Line: 4},
			{Name: "Sensors", Address: "::1", PublisherPort: 43130, Line: 5},
		}},
		// Strict does not trim header names: " backplane_name " is not the column.
		{file: "reordered_columns.csv", strict: true, errs: []wantErr{{ErrHeader, 1, 0, ""}}},
		// Missing trailing cells are empty, as in Python.
		{file: "short_rows.csv", want: []Backplane{
			{Name: "LEDS", Address: "127.0.0.1", SubscriberPort: 43125, Topics: []string{"Red_LED"}, PublisherPort: 43124, Line: 2},
			{Name: "Motors", Address: "127.0.0.1", SubscriberPort: 43127, Topics: []string{"Run_Motors"}, Line: 3},
			{Name: "Idle", Address: "127.0.0.1", Line: 4},
		}},
		{file: "missing_column.csv", errs: []wantErr{{ErrHeader, 1, 0, ""}}},
		{file: "duplicate_column.csv", errs: []wantErr{{ErrHeader, 1, 0, ""}}},
		{file: "empty.csv", errs: []wantErr{{ErrHeader, 1, 0, ""}}},
		{file: "header_only.csv", errs: []wantErr{{ErrEmptySpec, 0, 0, ""}}},
		{file: "empty_topic.csv", errs: []wantErr{
			{ErrEmptyTopic, 2, 1, ColTopics}, {ErrEmptyTopic, 3, 2, ColTopics}, {ErrEmptyTopic, 4, 3, ColTopics}}},
		{file: "bad_ports.csv", errs: []wantErr{
			{ErrBadPort, 2, 1, ColSubscriberPort},
			{ErrBadPort, 3, 2, ColPublisherPort},
			{ErrBadPort, 4, 3, ColSubscriberPort}, {ErrBadPort, 4, 3, ColPublisherPort},
			{ErrBadPort, 5, 4, ColSubscriberPort}}},
		{file: "many_errors.csv", errs: []wantErr{
			{ErrMissingName, 2, 1, ColName},
			{ErrBadAddress, 3, 2, ColAddress},
			{ErrBadTopic, 4, 3, ColTopics},
			{ErrDuplicateName, 5, 4, ColName}, {ErrBadAddress, 5, 4, ColAddress}, {ErrBadTopic, 5, 4, ColTopics}}},
		{file: "bad_quote.csv", errs: []wantErr{{csv.ErrQuote, 3, 0, ""}}},
	} {
		name := tc.file
		if tc.strict {
			name += "/strict"
		}
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			var opts []Option
			if tc.strict {
				opts = append(opts, WithStrict())
			}
			spec, err := ReadSpec(path, opts...)
			if tc.errs != nil {
				if spec != nil {
					t.Errorf("got a spec with the error")
				}
				checkErrors(t, path, err, tc.errs)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if spec.File != path || !reflect.DeepEqual(spec.Backplanes, tc.want) {
				t.Fatalf("got %s %+v\nwant %+v", spec.File, spec.Backplanes, tc.want)
			}
			if err := spec.Validate(); err != nil {
				t.Fatalf("a parsed spec does not validate: %v", err)
			}
		})
	}
}

// The whole message names the file, line, row, backplane and column, and
// keeps Python's text.
func TestSpecErrorMessage(t *testing.T) {
	_, err := ReadSpec("testdata/sample_missing_left_bracket.csv")
	want := `testdata/sample_missing_left_bracket.csv:2: row 1 (LEDS), column subscriber_topic: ` +
		`Topic field must begin with "[" and end with "]": got "Red_LED,Green_LED,Blue_LED]"`
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
	_, err = ReadSpec("testdata/sample_duplicate_backplane_name.csv")
	want = `testdata/sample_duplicate_backplane_name.csv:3: row 2 (LEDS), column backplane_name: ` +
		`Duplicate Back Plane Name - check your .csv file: "LEDS" is also row 1 (line 2)`
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
	_, err = ReadSpec("testdata/missing_column.csv")
	if err == nil || !strings.Contains(err.Error(), `testdata/missing_column.csv:1: bad header`) || !strings.Contains(err.Error(), `"publisher_port" is missing`) {
		t.Fatalf("got %v", err)
	}
}

func TestReadSpecNoFile(t *testing.T) {
	_, err := ReadSpec(filepath.Join(t.TempDir(), "abc.csv"))
	if !errors.Is(err, ErrNoSpecFile) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
	if _, err := ReadSpec(""); !errors.Is(err, ErrNoSpecFile) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseTopics(t *testing.T) {
	for _, tc := range []struct {
		cell   string
		strict bool
		want   []string
		err    error
	}{
		{cell: "[a]", want: []string{"a"}},
		{cell: "[a,b,c]", want: []string{"a", "b", "c"}},
		{cell: "[]"},
		{cell: "[]", strict: true},
		{cell: " [ a , b ] ", want: []string{"a", "b"}},
		{cell: "[ ]"},
		{cell: "[ ]", strict: true, err: ErrSpaceInTopic},
		{cell: "[a, b]", strict: true, err: ErrSpaceInTopic},
		{cell: " [a]", strict: true, err: ErrMissingBracket},
		{cell: "[a b]", err: ErrSpaceInTopic},
		{cell: "[a\tb]", err: ErrSpaceInTopic},
		{cell: "[a\tb]", strict: true, err: ErrSpaceInTopic},
		{cell: "", err: ErrMissingBracket},
		{cell: "[", err: ErrMissingBracket},
		{cell: "]", err: ErrMissingBracket},
		{cell: "a", err: ErrMissingBracket},
		{cell: "x[a]", err: ErrMissingBracket}, // Python: topic "[a"
		{cell: "[a]x", err: ErrMissingBracket},
		{cell: "[a,]", err: ErrEmptyTopic}, // Python: subscribes to everything
		{cell: "[,a]", err: ErrEmptyTopic},
		{cell: "[a,,b]", err: ErrEmptyTopic},
		{cell: "[a,[b]]", err: ErrBadTopic},
		{cell: "[\xff]", err: ErrBadTopic},
		{cell: "[echo/a,échø,__x]", want: []string{"echo/a", "échø", "__x"}},
	} {
		got, err := parseTopics(tc.cell, tc.strict)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("parseTopics(%q, strict=%v) = %q, %v; want %v", tc.cell, tc.strict, got, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseTopics(%q, strict=%v) = %q, %v; want %q", tc.cell, tc.strict, got, err, tc.want)
		}
	}
}

func TestValidateGoSpec(t *testing.T) {
	good := Backplane{Name: "A", Address: "127.0.0.1", SubscriberPort: 2, PublisherPort: 1, Topics: []string{"x"}}
	if err := (&Spec{Backplanes: []Backplane{good}}).Validate(); err != nil {
		t.Fatal(err)
	}
	var nilSpec *Spec
	if err := nilSpec.Validate(); !errors.Is(err, ErrEmptySpec) {
		t.Fatalf("nil spec: %v", err)
	}
	bad := []Backplane{
		good,
		{Name: "A", Address: "h", SubscriberPort: 70000, PublisherPort: -1, Topics: []string{"ok", "", "a b"}},
		{Name: " ", Address: ""},
	}
	err := (&Spec{File: "built", Backplanes: bad}).Validate()
	checkErrors(t, "built", err, []wantErr{
		{ErrDuplicateName, 0, 2, ColName}, {ErrBadPort, 0, 2, ColSubscriberPort}, {ErrBadPort, 0, 2, ColPublisherPort},
		{ErrEmptyTopic, 0, 2, ColTopics}, {ErrSpaceInTopic, 0, 2, ColTopics},
		{ErrMissingName, 0, 3, ColName}, {ErrBadAddress, 0, 3, ColAddress},
	})
	// Topics of a row without a subscriber port are not used, so not checked.
	ok := Backplane{Name: "P", Address: "h", PublisherPort: 5, Topics: []string{""}}
	if err := (&Spec{Backplanes: []Backplane{ok}}).Validate(); err != nil {
		t.Fatal(err)
	}
}

// FuzzParseSpec: never panics; every error is a *SpecError; a parsed spec
// always validates.
func FuzzParseSpec(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.csv")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), false)
		f.Add(string(b), true)
	}
	f.Fuzz(func(t *testing.T, data string, strict bool) {
		var opts []Option
		if strict {
			opts = append(opts, WithStrict())
		}
		spec, err := ParseSpec(strings.NewReader(data), "fuzz.csv", opts...)
		if err != nil {
			specErrors(t, err)
			return
		}
		if err := spec.Validate(); err != nil {
			t.Fatalf("parsed spec does not validate: %v\n%q", err, data)
		}
	})
}
