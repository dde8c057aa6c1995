package launch

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// output writes lines prefixed with a process's name, one whole line at a
// time, from any goroutine.
type output struct {
	mu    sync.Mutex
	w     io.Writer
	width int
}

func newOutput(w io.Writer) *output { return &output{w: w} }

// fit widens the name column for name.
func (o *output) fit(name string) {
	o.mu.Lock()
	o.width = max(o.width, len(name))
	o.mu.Unlock()
}

// line writes "name | text".
func (o *output) line(name, text string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	fmt.Fprintf(o.w, "%-*s | %s\n", o.width, name, text)
}

// printf writes a formatted line for name.
func (o *output) printf(name, format string, args ...any) { o.line(name, fmt.Sprintf(format, args...)) }

// copyLines writes each line read from r with name's prefix, until EOF.
// Lines longer than 64 KiB are cut into pieces.
func (o *output) copyLines(name string, r io.Reader) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		b, err := br.ReadSlice('\n')
		if len(b) > 0 {
			o.line(name, strings.TrimRight(string(b), "\r\n"))
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}
