package benchmark

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Bar draws a run's progress as one line that rewrites itself (a carriage
// return, no cursor control), for a terminal:
//
//	[=========>          ]  48%  delivered 96,000/200,000  1.2 s
//
// Its Update method is a RunConfig.Progress function.
type Bar struct {
	w     io.Writer
	width int // of the whole line
	drawn bool
}

// NewBar returns a bar writing to w, a terminal width columns wide (80 if
// width <= 0).
func NewBar(w io.Writer, width int) *Bar {
	if width <= 0 {
		width = 80
	}
	return &Bar{w: w, width: width}
}

// Update draws p.
func (b *Bar) Update(p Progress) {
	frac := 0.0
	switch {
	case p.Planned > 0:
		frac = float64(p.Elapsed) / float64(p.Planned)
	case p.Expected > 0:
		frac = float64(p.Delivered) / float64(p.Expected)
	}
	frac = min(max(frac, 0), 1)
	text := fmt.Sprintf(" %3.0f%%  delivered %s/%s  %s", frac*100, groupDigits(p.Delivered), groupDigits(p.Expected),
		p.Elapsed.Round(100*time.Millisecond))
	inner := b.width - len(text) - 3 // the brackets, and a column the terminal may wrap on
	if inner < 10 {
		fmt.Fprintf(b.w, "\r%s", text)
	} else {
		full := int(frac * float64(inner))
		bar := strings.Repeat("=", full)
		if full < inner {
			bar += ">" + strings.Repeat(" ", inner-full-1)
		}
		fmt.Fprintf(b.w, "\r[%s]%s", bar, text)
	}
	b.drawn = true
}

// Done ends the bar's line, if it drew one.
func (b *Bar) Done() {
	if b.drawn {
		fmt.Fprintln(b.w)
		b.drawn = false
	}
}

// groupDigits is n with thousands separated by commas.
func groupDigits(n uint64) string {
	s := fmt.Sprint(n)
	var out strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out.WriteByte(',')
		}
		out.WriteRune(c)
	}
	return out.String()
}
