package curve

import (
	"bytes"
	"fmt"
	"strings"
)

// Limits of the ZPL parser (RFC 4, the text format of czmq's zconfig):
// a certificate has a handful of entries, so these are generous.
const (
	maxZPLNodes = 4096
	maxZPLDepth = 16
)

// zplNode is one entry of a ZPL tree: a name, an optional value, children.
type zplNode struct {
	name     string
	value    string
	children []*zplNode
}

// lookup returns the value at a slash-separated path ("curve/public-key").
func (n *zplNode) lookup(path string) (string, bool) {
	for _, part := range strings.Split(path, "/") {
		var next *zplNode
		for _, c := range n.children {
			if c.name == part {
				next = c
				break
			}
		}
		if next == nil {
			return "", false
		}
		n = next
	}
	return n.value, true
}

// parseZPL parses ZPL text: one entry per line, "name", "name = value" or
// `name = "value"` (also single quotes), four spaces of indentation per
// level of nesting, comment lines and trailing comments after '#'.
// The caller bounds the size of data; the parser bounds entries and depth.
func parseZPL(data []byte) (*zplNode, error) {
	root := &zplNode{}
	stack := []*zplNode{root} // stack[i] is the last entry at level i-1
	nodes := 0
	for lineNo := 1; len(data) > 0; lineNo++ {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		rest := line[indent:]
		if len(rest) == 0 || rest[0] == '#' {
			continue
		}
		if rest[0] == '\t' {
			return nil, fmt.Errorf("%w: ZPL line %d: tab in indentation", ErrMalformed, lineNo)
		}
		if indent%4 != 0 {
			return nil, fmt.Errorf("%w: ZPL line %d: indentation of %d spaces is not a multiple of 4", ErrMalformed, lineNo, indent)
		}
		level := indent / 4
		if level >= len(stack) || level >= maxZPLDepth {
			return nil, fmt.Errorf("%w: ZPL line %d: indented too deep", ErrMalformed, lineNo)
		}
		if nodes++; nodes > maxZPLNodes {
			return nil, fmt.Errorf("%w: ZPL has more than %d entries", ErrMalformed, maxZPLNodes)
		}
		n, err := parseZPLEntry(rest)
		if err != nil {
			return nil, fmt.Errorf("ZPL line %d: %w", lineNo, err)
		}
		parent := stack[level]
		parent.children = append(parent.children, n)
		stack = append(stack[:level+1], n)
	}
	return root, nil
}

// parseZPLEntry parses one line without its indentation.
func parseZPLEntry(s []byte) (*zplNode, error) {
	i := 0
	for i < len(s) && isZPLNameByte(s[i]) {
		i++
	}
	if i == 0 {
		return nil, fmt.Errorf("%w: bad entry name at %q", ErrMalformed, clip(s))
	}
	n := &zplNode{name: string(s[:i])}
	rest := bytes.TrimLeft(s[i:], " ")
	if len(rest) == 0 || rest[0] == '#' {
		return n, nil
	}
	if rest[0] != '=' {
		return nil, fmt.Errorf("%w: expected '=' after %q", ErrMalformed, n.name)
	}
	rest = bytes.TrimLeft(rest[1:], " ")
	if len(rest) > 0 && (rest[0] == '"' || rest[0] == '\'') {
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return nil, fmt.Errorf("%w: unterminated quoted value of %q", ErrMalformed, n.name)
		}
		n.value = string(rest[1 : 1+end])
		rest = bytes.TrimLeft(rest[2+end:], " ")
		if len(rest) > 0 && rest[0] != '#' {
			return nil, fmt.Errorf("%w: text after the value of %q", ErrMalformed, n.name)
		}
		return n, nil
	}
	if i := bytes.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	n.value = string(bytes.TrimRight(rest, " "))
	return n, nil
}

// isZPLNameByte reports whether b may appear in a ZPL name (RFC 4:
// alphanumerics and "$-_@.&+/").
func isZPLNameByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
		strings.IndexByte("$-_@.&+/", b) >= 0
}

// clip shortens text quoted in an error message.
func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
