package webview

import (
	"fmt"

	"github.com/gobanyan/banyan/internal/pyrepr"
	"github.com/gobanyan/banyan/internal/render"
)

// lastValue is a topic's last payload as the page shows it.
type lastValue struct {
	Size      int    `json:"size"`                // payload bytes
	Python    string `json:"py,omitempty"`        // Python's repr, as a numpy-mode component decodes it
	JSON      string `json:"json,omitempty"`      // the JSON form (internal/render)
	Truncated bool   `json:"truncated,omitempty"` // a text was cut at MaxText
	TooLarge  bool   `json:"too_large,omitempty"` // over MaxPayload: not kept, not shown
	Error     string `json:"error,omitempty"`     // why it does not decode
}

// renderValue renders a payload in both forms, each cut at maxText
// characters. A nil payload of non-zero size was over the size limit.
func renderValue(payload []byte, size, maxPayload, maxText int) lastValue {
	lv := lastValue{Size: size}
	if payload == nil && size > 0 || size > maxPayload {
		lv.TooLarge = true
		lv.Error = fmt.Sprintf("%d bytes, over the view's %d-byte limit: not shown", size, maxPayload)
		return lv
	}
	py, err := render.Safely(func(p []byte) (string, error) { return pyrepr.Repr(p, pyrepr.Numpy) }, payload)
	if err != nil {
		lv.Error = err.Error()
		return lv
	}
	js, err := render.Safely(func(p []byte) (string, error) {
		b, err := render.JSON(p)
		return string(b), err
	}, payload)
	if err != nil {
		js = ""
	}
	var cut1, cut2 bool
	lv.Python, cut1 = truncate(py, maxText)
	lv.JSON, cut2 = truncate(js, maxText)
	lv.Truncated = cut1 || cut2
	return lv
}

// truncate cuts s after max characters (runes), and says whether it did.
func truncate(s string, max int) (string, bool) {
	if len(s) <= max {
		return s, false
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "…", true
		}
		n++
	}
	return s, false
}
