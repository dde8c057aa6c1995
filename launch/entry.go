package launch

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// LocalTopic is the topic value of a row that runs on this machine.
const LocalTopic = "local"

// columns returns the launch CSV's columns, as Python Banyan's bls reads them.
func columns() []string {
	return []string{"command_string", "spawn", "topic", "append_bp_address", "auto_restart", "wait"}
}

// ErrBadFile is wrapped by every error about the content of a launch file
// (errors.Is(err, ErrBadFile)); the error is a *ParseError that names where.
var ErrBadFile = errors.New("launch: bad launch file")

// Entry is one process to launch: one row of a launch CSV or one
// [[process]] table of a launch TOML file.
type Entry struct {
	// Name labels the process's output lines and its status row. CSV rows
	// have none; it is derived from the command (the program, or the script
	// an interpreter runs), made unique with "-2", "-3", ...
	Name string
	// Command is the command line as written (Python's command_string).
	Command string
	// Args is Command split as a shell splits words (see SplitCommand), or
	// the TOML args array.
	Args []string
	// Spawn asks for a terminal window of its own (spawn=yes).
	Spawn bool
	// Topic is LocalTopic for a process run here, else the topic a launch
	// client listens on.
	Topic string
	// AppendBackplane appends "-b <backplane address>" to a remote row's
	// command (append_bp_address=yes).
	AppendBackplane bool
	// AutoRestart restarts the process whenever it exits (auto_restart=yes).
	AutoRestart bool
	// Wait is how long to pause after launching this entry.
	Wait time.Duration
	// Dir is the working directory (TOML only; "" means ours).
	Dir string
	// Env holds extra environment variables, "KEY=value" (TOML only).
	Env []string
	// Where is where the entry was read, such as "launch.csv row 3".
	Where string
}

// Local reports whether the entry runs on this machine.
func (e Entry) Local() bool { return e.Topic == LocalTopic }

// ParseError is a problem in a launch file. For a CSV, Row is the line the
// record starts on, which is its row in a spreadsheet (the header is row 1;
// comment lines count), and Column counts fields from 1; Column is 0 when
// the problem is the whole row.
type ParseError struct {
	File   string // file name, if known
	Row    int    // CSV row (header = 1), or the TOML [[process]] table's number (from 1)
	Line   int    // line in the file, when known (for a CSV, where the problem is)
	Column int    // CSV column from 1; 0 for a whole row or a TOML file
	Field  string // column or key name, when known
	Err    error  // what is wrong
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	switch {
	case e.Column > 0:
		fmt.Fprintf(&b, "row %d, column %d", e.Row, e.Column)
		if e.Field != "" {
			fmt.Fprintf(&b, " (%s)", e.Field)
		}
	case e.Row > 0 && e.Field != "": // TOML
		fmt.Fprintf(&b, "process %d, key %s", e.Row, e.Field)
	case e.Row > 0:
		fmt.Fprintf(&b, "row %d", e.Row)
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d", e.Line)
	}
	if e.Line > 0 && e.Row > 0 && e.Line != e.Row {
		fmt.Fprintf(&b, " (line %d)", e.Line)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// Is makes every ParseError match ErrBadFile.
func (e *ParseError) Is(target error) bool { return target == ErrBadFile }

// Load reads a launch file: TOML when its name ends in .toml, else CSV.
func Load(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	name := filepath.Base(path)
	if strings.EqualFold(filepath.Ext(path), ".toml") {
		return ParseTOML(f, name)
	}
	return ParseCSV(f, name)
}

// ParseCSV reads Python Banyan's launch CSV. The header names the six
// columns, command_string, spawn, topic, append_bp_address, auto_restart
// and wait (in any order; each exactly once). Values are trimmed; spawn,
// append_bp_address and auto_restart take yes or no (any case; empty is
// no); wait takes seconds, fractions allowed (empty is 0). Lines starting
// with # are comments. name (the file name, may be "") prefixes errors.
//
// Unlike Python, a value other than yes/no, a wait that is not a number
// and a command with an unbalanced quote are errors, reported with their
// row and column.
func ParseCSV(r io.Reader, name string) ([]Entry, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true // Python's csv reads `sh -c "x y"` in an unquoted field literally
	cr.Comment = '#'
	perr := func(row, col int, field string, err error) error {
		return &ParseError{File: name, Row: row, Line: row, Column: col, Field: field, Err: err}
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, perr(0, 0, "", errors.New("empty file: want a header line "+strings.Join(columns(), ",")))
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	hline, _ := cr.FieldPos(0)
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // a spreadsheet's byte order mark
		}
		if _, dup := col[h]; dup {
			return nil, perr(hline, i+1, h, fmt.Errorf("column %q appears twice", h))
		}
		known := false
		for _, c := range columns() {
			known = known || c == h
		}
		if !known {
			return nil, perr(hline, i+1, h, fmt.Errorf("unknown column %q: want %s", h, strings.Join(columns(), ",")))
		}
		col[h] = i
	}
	for _, c := range columns() {
		if _, ok := col[c]; !ok {
			return nil, perr(hline, 0, "", fmt.Errorf("header lacks column %q: want %s", c, strings.Join(columns(), ",")))
		}
	}
	var entries []Entry
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		row, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, perr(row, 0, "", fmt.Errorf("has %d fields, want %d like the header", len(rec), len(header)))
		}
		get := func(c string) (string, func(error) error) {
			i := col[c]
			return strings.TrimSpace(rec[i]), func(err error) error { return perr(row, i+1, c, err) }
		}
		e := Entry{Where: fmt.Sprintf("row %d", row)}
		if name != "" {
			e.Where = name + " " + e.Where
		}
		v, fail := get("command_string")
		if v == "" {
			return nil, fail(errors.New("empty command"))
		}
		e.Command = v
		if e.Args, err = SplitCommand(v); err != nil {
			return nil, fail(err)
		}
		for _, c := range []struct {
			name string
			dst  *bool
		}{{"spawn", &e.Spawn}, {"append_bp_address", &e.AppendBackplane}, {"auto_restart", &e.AutoRestart}} {
			v, fail := get(c.name)
			if *c.dst, err = yesNo(v); err != nil {
				return nil, fail(err)
			}
		}
		v, fail = get("topic")
		if err := checkTopic(v); err != nil {
			return nil, fail(err)
		}
		e.Topic = v
		v, fail = get("wait")
		if e.Wait, err = seconds(v); err != nil {
			return nil, fail(err)
		}
		entries = append(entries, e)
	}
	nameEntries(entries)
	return entries, nil
}

// csvError turns an encoding/csv error into a ParseError.
func csvError(name string, err error) error {
	pe := &ParseError{File: name, Err: err}
	var ce *csv.ParseError
	if errors.As(err, &ce) {
		pe.Row, pe.Line, pe.Column, pe.Err = ce.StartLine, ce.Line, ce.Column, ce.Err
	}
	return pe
}

func yesNo(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes":
		return true, nil
	case "no", "":
		return false, nil
	}
	return false, fmt.Errorf("%q: want yes or no", v)
}

func seconds(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a number of seconds", v)
	}
	return secondsDuration(f)
}

func secondsDuration(f float64) (time.Duration, error) {
	if f < 0 || f > 365*24*3600 {
		return 0, fmt.Errorf("wait %v is out of range (0 to a year, in seconds)", f)
	}
	return time.Duration(f * float64(time.Second)), nil
}

func checkTopic(t string) error {
	switch {
	case t == "":
		return errors.New(`empty topic: want "local" or the topic a launch client listens on`)
	case !utf8.ValidString(t):
		return errors.New("topic is not valid UTF-8")
	case t == killallTopic || strings.HasPrefix(t, "ACK"):
		return fmt.Errorf("topic %q is reserved by the launcher protocol (killall, ACK<topic>)", t)
	case strings.HasPrefix(t, statusTopic):
		return fmt.Errorf("topic %q is reserved for launcher status", t)
	}
	return nil
}

// tomlFile is the TOML form of a launch file.
type tomlFile struct {
	Process []tomlProcess `toml:"process"`
}

type tomlProcess struct {
	Name            string            `toml:"name"`
	Command         string            `toml:"command"`
	Args            []string          `toml:"args"`
	Topic           string            `toml:"topic"`
	Spawn           bool              `toml:"spawn"`
	AppendBPAddress bool              `toml:"append_bp_address"`
	AutoRestart     bool              `toml:"auto_restart"`
	Wait            float64           `toml:"wait"`
	Dir             string            `toml:"dir"`
	Env             map[string]string `toml:"env"`
}

// ParseTOML reads the TOML form of a launch file: one [[process]] table per
// process, in launch order, with the keys
//
//	name              = "server"          # optional: labels output and status
//	command           = "python3 s.py -n 'my server'"   # or:
//	args              = ["python3", "s.py", "-n", "my server"]
//	topic             = "local"           # default "local"
//	spawn             = false
//	append_bp_address = false
//	auto_restart      = true
//	wait              = 0.5               # seconds
//	dir               = "/srv/robot"      # working directory
//	env               = { LEVEL = "debug" }
//
// Unknown keys are errors, so a typo does not pass silently. name (the file
// name, may be "") prefixes errors.
func ParseTOML(r io.Reader, name string) ([]Entry, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var f tomlFile
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&f)
	if err != nil {
		pe := &ParseError{File: name, Err: err}
		var te toml.ParseError
		if errors.As(err, &te) {
			pe.Line = te.Position.Line
			pe.Err = errors.New(te.Message)
		}
		return nil, pe
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		sort.Strings(keys)
		return nil, &ParseError{File: name, Err: fmt.Errorf("unknown key %s (known: name, command, args, topic, spawn, append_bp_address, auto_restart, wait, dir, env)", strings.Join(keys, ", "))}
	}
	if len(f.Process) == 0 {
		return nil, &ParseError{File: name, Err: errors.New("no [[process]] tables")}
	}
	entries := make([]Entry, 0, len(f.Process))
	for i, p := range f.Process {
		fail := func(key string, err error) error {
			return &ParseError{File: name, Row: i + 1, Field: key, Err: err}
		}
		e := Entry{Name: p.Name, Spawn: p.Spawn, AppendBackplane: p.AppendBPAddress, AutoRestart: p.AutoRestart, Dir: p.Dir, Topic: p.Topic}
		e.Where = fmt.Sprintf("process %d", i+1)
		if name != "" {
			e.Where = name + " " + e.Where
		}
		switch {
		case p.Command != "" && len(p.Args) > 0:
			return nil, fail("command", errors.New("give command or args, not both"))
		case p.Command != "":
			e.Command = p.Command
			if e.Args, err = SplitCommand(p.Command); err != nil {
				return nil, fail("command", err)
			}
		case len(p.Args) > 0 && p.Args[0] != "":
			e.Args = p.Args
			e.Command = JoinCommand(p.Args)
		default:
			return nil, fail("command", errors.New("missing: give command or args"))
		}
		if e.Topic == "" {
			e.Topic = LocalTopic
		}
		if err := checkTopic(e.Topic); err != nil {
			return nil, fail("topic", err)
		}
		if math.IsNaN(p.Wait) || math.IsInf(p.Wait, 0) {
			return nil, fail("wait", fmt.Errorf("%v is not a number of seconds", p.Wait))
		}
		if e.Wait, err = secondsDuration(p.Wait); err != nil {
			return nil, fail("wait", err)
		}
		if strings.ContainsAny(e.Name, "\n\r") {
			return nil, fail("name", errors.New("name has a line break"))
		}
		if reservedNames[e.Name] {
			return nil, fail("name", fmt.Errorf("name %q is reserved for the launcher's own lines", e.Name))
		}
		keys := make([]string, 0, len(p.Env))
		for k := range p.Env {
			if k == "" || strings.ContainsAny(k, "=\x00") {
				return nil, fail("env", fmt.Errorf("bad variable name %q", k))
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			e.Env = append(e.Env, k+"="+p.Env[k])
		}
		entries = append(entries, e)
	}
	seen := map[string]int{}
	for i, e := range entries {
		if e.Name == "" {
			continue
		}
		if j, dup := seen[e.Name]; dup {
			return nil, &ParseError{File: name, Row: i + 1, Field: "name", Err: fmt.Errorf("name %q is already used by process %d", e.Name, j+1)}
		}
		seen[e.Name] = i
	}
	nameEntries(entries)
	return entries, nil
}

// reservedNames label the launcher's own output lines.
var reservedNames = map[string]bool{"launch": true, "launch-client": true, "backplane": true}

// nameEntries gives every unnamed entry a unique name derived from its
// command.
func nameEntries(entries []Entry) {
	used := map[string]bool{}
	for n := range reservedNames {
		used[n] = true
	}
	for _, e := range entries {
		if e.Name != "" {
			used[e.Name] = true
		}
	}
	for i := range entries {
		if entries[i].Name != "" {
			continue
		}
		base := DeriveName(entries[i].Args)
		n := base
		for k := 2; used[n]; k++ {
			n = base + "-" + strconv.Itoa(k)
		}
		used[n] = true
		entries[i].Name = n
	}
}

// DeriveName names a process after its command: the program's base name,
// for an interpreter (python3, node, sh, ...) the base name of the script
// it runs, without its extension, and for banyan its subcommand.
func DeriveName(args []string) string {
	if len(args) == 0 {
		return "process"
	}
	prog := filepath.Base(args[0])
	if prog == "banyan" && len(args) > 1 && !strings.HasPrefix(args[1], "-") {
		return args[1] // banyan monitor → monitor
	}
	if isInterpreter(prog) {
		for _, a := range args[1:] {
			if strings.HasPrefix(a, "-") {
				continue
			}
			if strings.ContainsAny(a, "/.") && !strings.ContainsAny(a, " \t") {
				b := filepath.Base(a)
				if x := strings.TrimSuffix(b, filepath.Ext(b)); x != "" {
					return x
				}
			}
			break
		}
	}
	return prog
}

func isInterpreter(prog string) bool {
	for _, p := range []string{"python", "pypy", "node", "nodejs", "ruby", "perl", "bash", "sh", "zsh", "java", "deno", "bun"} {
		if prog == p || strings.HasPrefix(prog, p) && strings.Trim(prog[len(p):], "0123456789.") == "" {
			return true
		}
	}
	return false
}
