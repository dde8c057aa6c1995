package benchmark

import (
	"fmt"
	"io"
	"strings"
)

// Bar draws a run's progress as one line that rewrites itself (a carriage
// return, no cursor control), for a terminal:
//
//	[=========>          ]  48%  delivered 96,000/200,000  1.2s
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
	text := fmt.Sprintf(" %3.0f%%  delivered %s/%s  %.1fs", frac*100, groupDigits(p.Delivered), groupDigits(p.Expected),
		p.Elapsed.Seconds())
	// The line fills width-1 columns (the last one a terminal may wrap
	// on), so each one covers the one before.
	line := text
	if inner := b.width - 1 - len(text) - 2; inner >= 10 {
		full := int(frac * float64(inner))
		bar := strings.Repeat("=", full)
		if full < inner {
			bar += ">" + strings.Repeat(" ", inner-full-1)
		}
		line = "[" + bar + "]" + text
	}
	if pad := b.width - 1 - len(line); pad > 0 {
		line += strings.Repeat(" ", pad)
	}
	io.WriteString(b.w, "\r"+line)
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
