package esp8266

// scanner cuts JSON objects out of the byte stream the firmware sends.
// The firmware pads each report with spaces to the frame length but never
// cuts one that is longer, so frames are not a fixed size: the scanner
// finds each top-level {...} (braces inside strings do not count), skips
// the whitespace between them, and counts everything else as garbage.
// Memory is bounded by max: an object longer than that is dropped and
// counted, and scanning resumes after it.
type scanner struct {
	max int
	buf []byte // the object in progress (only while depth > 0)

	depth    int
	inString bool
	escape   bool
	skipping bool // inside an oversize object: its bytes are not kept
	inJunk   bool // inside a run of garbage (counted once)

	garbage  uint64 // runs of bytes outside any object that are not whitespace
	oversize uint64 // objects longer than max, dropped
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == 0
}

// feed scans p and calls emit with each complete object. The slice passed
// to emit is valid only during the call.
func (s *scanner) feed(p []byte, emit func([]byte)) {
	for _, b := range p {
		if s.depth == 0 {
			switch {
			case b == '{':
				s.depth, s.inString, s.escape, s.inJunk = 1, false, false, false
				s.buf = append(s.buf[:0], b)
			case isSpace(b):
				s.inJunk = false
			default:
				if !s.inJunk {
					s.garbage++
					s.inJunk = true
				}
			}
			continue
		}
		if !s.skipping {
			if len(s.buf) >= s.max {
				s.skipping = true
				s.oversize++
				s.buf = s.buf[:0]
			} else {
				s.buf = append(s.buf, b)
			}
		}
		switch {
		case s.escape:
			s.escape = false
		case s.inString:
			if b == '\\' {
				s.escape = true
			} else if b == '"' {
				s.inString = false
			}
		case b == '"':
			s.inString = true
		case b == '{' || b == '[':
			s.depth++
		case b == '}' || b == ']':
			s.depth--
			if s.depth == 0 {
				if !s.skipping {
					emit(s.buf)
				}
				s.skipping = false
				s.buf = s.buf[:0]
			}
		}
	}
}
