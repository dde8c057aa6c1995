package pyrepr

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/gobanyan/banyan/internal/testpeer"
)

// pyScript is the reference printer, run by Debian's python3.
const pyScript = "testdata/pyprint.py"

// pyPrinted is what testdata/pyprint.py reports for one payload.
type pyPrinted struct {
	Text         string `json:"text"` // hex of what print(topic, payload) wrote
	StrictError  string `json:"strict_error"`
	LenientError string `json:"lenient_error"`
}

// runPy runs the reference script with a command and stdin, returning
// its stdout lines.
func runPy(t *testing.T, cmd string, stdin []byte) []string {
	t.Helper()
	py := testpeer.Python(t, "msgpack", "numpy", "msgpack_numpy")
	c := exec.Command(py, pyScript, cmd)
	c.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", pyScript, cmd, err, stderr.String())
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// pyPrint has Python decode and print every sample in mode.
func pyPrint(t *testing.T, samples []sample, mode Mode) []pyPrinted {
	t.Helper()
	var in bytes.Buffer
	for i, s := range samples {
		line, _ := json.Marshal(map[string]string{"topic": topicOf(i), "hex": hex.EncodeToString(s.payload), "mode": mode.String()})
		in.Write(append(line, '\n'))
	}
	lines := runPy(t, "print", in.Bytes())
	if len(lines) != len(samples) {
		t.Fatalf("python printed %d results for %d samples", len(lines), len(samples))
	}
	out := make([]pyPrinted, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func topicOf(i int) string { return "t" + itoa64(int64(i)) }

// numpyCorpus is the corpus packed by Python's msgpack-numpy.
func numpyCorpus(t *testing.T) []sample {
	var c []sample
	for _, l := range runPy(t, "numpy", nil) {
		var s struct{ Name, Hex string }
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			t.Fatal(err)
		}
		p, err := hex.DecodeString(s.Hex)
		if err != nil {
			t.Fatal(err)
		}
		// Python Banyan's numpy-mode receive loop calls .items() on
		// the payload: anything but a dict at the top raises.
		top := strings.HasPrefix(s.Name, "top ") && !strings.Contains(s.Name, "dict") && s.Name != "top nested" &&
			s.Name != "top multiline in dict" && s.Name != "top plain payload"
		c = append(c, sample{name: "numpy " + s.Name, payload: p, npRaises: top})
	}
	return c
}

// compare prints every sample ours and Python's way and reports each
// line that differs; it returns the number of lines compared.
func compare(t *testing.T, samples []sample, mode Mode, checkRaises bool) int {
	t.Helper()
	py := pyPrint(t, samples, mode)
	lines, bad := 0, 0
	for i, s := range samples {
		p := py[i]
		raises := s.pyRaises
		if mode == Numpy {
			raises = s.npRaises
		}
		if raised := p.StrictError != ""; checkRaises && raised != raises {
			t.Errorf("%s (%s): Python raised %q; sample says raises=%v", s.name, mode, p.StrictError, raises)
		}
		if p.LenientError != "" {
			t.Errorf("%s (%s): Python cannot print it even leniently: %s", s.name, mode, p.LenientError)
			continue
		}
		want, _ := hex.DecodeString(p.Text)
		text, err := Str(s.payload, mode)
		if err != nil {
			t.Errorf("%s (%s): %v", s.name, mode, err)
			continue
		}
		got := topicOf(i) + " " + text + "\n"
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		lines += len(wl) - 1
		if got == string(want) {
			continue
		}
		bad++
		if bad <= 40 {
			for k := range max(len(gl), len(wl)) {
				var g, w string
				if k < len(gl) {
					g = gl[k]
				}
				if k < len(wl) {
					w = wl[k]
				}
				if g != w {
					t.Errorf("%s (%s) line %d:\n got %s\nwant %s", s.name, mode, k+1, g, w)
					break
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d samples differ (%s mode)", bad, len(samples), mode)
	}
	return lines
}

// TestMatchesPython prints the corpus (hand-built payloads in plain mode;
// payloads packed by msgpack-numpy in plain and numpy mode) as Python
// Banyan's monitor does and as we do: every line must be equal.
func TestMatchesPython(t *testing.T) {
	plain := plainCorpus()
	np := numpyCorpus(t)
	npMode := append(np, numpyModeCorpus()...)
	n := compare(t, plain, Plain, true)
	n += compare(t, np, Plain, true)
	n += compare(t, npMode, Numpy, true)
	n += compare(t, plain, Numpy, false) // where Python raises depends on the top level here
	t.Logf("%d payloads printed, %d lines compared", 2*len(plain)+len(np)+len(npMode), n)
}

// TestPrintableMatchesPython compares isPrintable with Python's
// str.isprintable() on every code point. Where Python's Unicode tables
// are older than Go's (Debian 12's Python 3.11 has Unicode 14, Go has
// unicode.Version), the only differences allowed are characters Python
// does not know yet (category Cn there), which it escapes.
func TestPrintableMatchesPython(t *testing.T) {
	lines := runPy(t, "printable", nil)
	var py struct {
		Unidata    string    `json:"unidata"`
		Printable  [][2]rune `json:"printable"`
		Unassigned [][2]rune `json:"unassigned"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &py); err != nil {
		t.Fatal(err)
	}
	in := func(rs [][2]rune, r rune) bool {
		i := sort.Search(len(rs), func(i int) bool { return rs[i][1] >= r })
		return i < len(rs) && rs[i][0] <= r
	}
	newer := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		ours, theirs := isPrintable(r), in(py.Printable, r)
		if ours == theirs {
			continue
		}
		if py.Unidata != unicode.Version && ours && in(py.Unassigned, r) {
			newer++
			continue
		}
		t.Errorf("U+%04X: isPrintable %v, Python %s isprintable() %v", r, ours, py.Unidata, theirs)
	}
	t.Logf("Python's Unicode %s, Go's %s: %d characters assigned since are printable for us, escaped by that Python", py.Unidata, unicode.Version, newer)
}
