package record

import (
	"fmt"
	"strings"
	"time"
)

// Progress is where a replay is.
type Progress struct {
	Records int           // records read so far (published or skipped)
	Offset  int64         // bytes of the file read
	Size    int64         // the file's size (-1 if unknown)
	At      time.Duration // recording time of the last published record, from the first
}

// Bar renders p as a one-line progress bar about width columns wide, e.g.
//
//	[=========>          ]  48%  48213 msgs  at 1m02.5s
func (p Progress) Bar(width int) string {
	tail := fmt.Sprintf("%d msgs  at %s", p.Records, p.At.Round(100*time.Millisecond))
	if p.Size <= 0 {
		return tail
	}
	frac := min(max(float64(p.Offset)/float64(p.Size), 0), 1)
	inner := max(width-len(tail)-9, 10)
	done := int(frac * float64(inner))
	bar := strings.Repeat("=", done)
	if done < inner {
		bar += ">" + strings.Repeat(" ", inner-done-1)
	}
	return fmt.Sprintf("[%s] %3d%%  %s", bar, int(frac*100), tail)
}
