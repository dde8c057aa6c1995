package launch

import (
	"errors"
	"strings"
)

// Errors from SplitCommand.
var (
	ErrUnbalancedQuote   = errors.New("launch: unbalanced quote")
	ErrTrailingBackslash = errors.New("launch: backslash at the end of the command")
	ErrEmptyCommand      = errors.New("launch: empty command")
)

// SplitCommand splits a command line into words as a POSIX shell does,
// without running a shell: words are separated by blanks; 'single quotes'
// keep everything literally; in "double quotes" a backslash escapes only
// $ ` " \ and newline; elsewhere a backslash escapes the next character;
// quotes inside a word join it ("a"'b'c is abc); empty quotes make an
// empty word.
//
// Nothing is expanded: $VAR, ~, globs, pipes, redirections and ; are plain
// characters. Write sh -c '...' for those.
func SplitCommand(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		inTok bool
	)
	end := func() {
		if inTok {
			words = append(words, cur.String())
			cur.Reset()
			inTok = false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			end()
		case '\\':
			if i+1 >= len(s) {
				return nil, ErrTrailingBackslash
			}
			i++
			if s[i] != '\n' { // backslash-newline continues the line
				cur.WriteByte(s[i])
				inTok = true
			}
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, ErrUnbalancedQuote
			}
			cur.WriteString(s[i+1 : i+1+j])
			inTok = true
			i += j + 1
		case '"':
			inTok = true
			closed := false
			for i++; i < len(s); i++ {
				d := s[i]
				if d == '"' {
					closed = true
					break
				}
				if d == '\\' && i+1 < len(s) {
					switch n := s[i+1]; n {
					case '$', '`', '"', '\\':
						cur.WriteByte(n)
						i++
						continue
					case '\n':
						i++
						continue
					}
				}
				cur.WriteByte(d)
			}
			if !closed {
				return nil, ErrUnbalancedQuote
			}
		default:
			cur.WriteByte(c)
			inTok = true
		}
	}
	end()
	if len(words) == 0 {
		return nil, ErrEmptyCommand
	}
	return words, nil
}

// JoinCommand quotes words so that SplitCommand gives them back.
func JoinCommand(words []string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		if w != "" && !strings.ContainsAny(w, " \t\n\r'\"\\$`") {
			b.WriteString(w)
			continue
		}
		b.WriteByte('\'')
		b.WriteString(strings.ReplaceAll(w, "'", `'\''`))
		b.WriteByte('\'')
	}
	return b.String()
}
