package nats

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxTopicLen is the longest Banyan topic the bridge maps to a subject, in
// bytes. Escaped, such a topic is at most three times as long, which keeps
// the subject within NATS's 4 KiB protocol line with room for the prefix.
// A longer topic is counted and skipped.
const MaxTopicLen = 1000

// maxSubjectLen is the longest subject (and header value) read back.
const maxSubjectLen = 4096

// emptyToken stands for an empty topic part: "%" is never an escape by
// itself, and NATS allows no empty token.
const emptyToken = "%"

// tokenByte reports whether b may stand for itself in a subject token.
// Everything else, '.', '*', '>', '%', spaces, controls and every byte of a
// non-ASCII character among them, is written %XX.
func tokenByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '-' || b == '_'
}

// headerByte reports whether b may stand for itself in a header value:
// printable ASCII but '%'.
func headerByte(b byte) bool { return b > ' ' && b < 0x7f && b != '%' }

const hexDigits = "0123456789ABCDEF"

// escape appends s to dst with every byte that keep refuses written %XX.
func escape(dst []byte, s string, keep func(byte) bool) []byte {
	for i := 0; i < len(s); i++ {
		if b := s[i]; keep(b) {
			dst = append(dst, b)
		} else {
			dst = append(dst, '%', hexDigits[b>>4], hexDigits[b&15])
		}
	}
	return dst
}

// unescape reverses escape; ok is false if s holds a '%' not followed by
// two hex digits.
func unescape(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			out = append(out, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		hi, lo := unhex(s[i+1]), unhex(s[i+2])
		if hi < 0 || lo < 0 {
			return "", false
		}
		out = append(out, byte(hi<<4|lo))
		i += 2
	}
	return string(out), true
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

// Subject maps a Banyan topic to its NATS subject: prefix, then the
// topic's "/"-separated parts as "."-separated tokens. In a token, ASCII
// letters, digits, '-' and '_' stand for themselves and every other byte
// is written %XX (upper-case hex), so '.', '*', '>', '%', spaces and
// non-ASCII characters never reach a subject raw; an empty part (an empty
// topic, or a leading, trailing or doubled '/') is the token "%". So
// "sensors/temp" is "banyan.sensors.temp", "a.b c" is "banyan.a%2Eb%20c",
// "" is "banyan.%" and "/x/" is "banyan.%.x.%". Topic reverses it.
//
// It fails, with an error wrapping ErrSubject, for a topic longer than
// MaxTopicLen or not UTF-8 (Banyan topics are Python str).
func Subject(prefix, topic string) (string, error) {
	b, err := appendSubject(nil, prefix, topic)
	return string(b), err
}

func appendSubject(dst []byte, prefix, topic string) ([]byte, error) {
	if len(topic) > MaxTopicLen {
		return dst, fmt.Errorf("%w: topic of %d bytes (at most %d)", ErrSubject, len(topic), MaxTopicLen)
	}
	if !utf8.ValidString(topic) {
		return dst, fmt.Errorf("%w: topic %q is not UTF-8", ErrSubject, topic)
	}
	dst = append(dst, prefix...)
	for i, part := range strings.Split(topic, "/") {
		if i > 0 {
			dst = append(dst, '.')
		}
		if part == "" {
			dst = append(dst, emptyToken...)
		} else {
			dst = escape(dst, part, tokenByte)
		}
	}
	return dst, nil
}

// Topic maps a NATS subject back to a Banyan topic, reversing Subject:
// prefix is removed (a subject without it is taken whole), each
// "."-separated token becomes a "/"-separated part, "%" an empty part and
// %XX the byte XX. A token that does not decode (a '%' without two hex
// digits after it: a subject a program other than the bridge chose) is
// taken as it is. It fails, with an error wrapping ErrSubject, for an
// empty subject, one longer than 4096 bytes, or one whose topic is not
// UTF-8.
func Topic(prefix, subject string) (string, error) {
	if subject == "" || len(subject) > maxSubjectLen {
		return "", fmt.Errorf("%w: subject of %d bytes", ErrSubject, len(subject))
	}
	rest := strings.TrimPrefix(subject, prefix)
	if rest == "" {
		rest = subject
	}
	var sb strings.Builder
	sb.Grow(len(rest))
	for i, tok := range strings.Split(rest, ".") {
		if i > 0 {
			sb.WriteByte('/')
		}
		if tok == emptyToken {
			continue
		}
		if s, ok := unescape(tok); ok {
			sb.WriteString(s)
		} else {
			sb.WriteString(tok)
		}
	}
	t := sb.String()
	if !utf8.ValidString(t) {
		return "", fmt.Errorf("%w: subject %q is not a UTF-8 topic", ErrSubject, subject)
	}
	return t, nil
}

// headerTopic is a topic as the Banyan-Topic header carries it: printable
// ASCII as it is, the rest %XX.
func headerTopic(topic string) string { return string(escape(nil, topic, headerByte)) }

// topicFromHeader reads the Banyan-Topic header back; ok is false if it
// is too long, does not decode or is not UTF-8.
func topicFromHeader(h string) (string, bool) {
	if len(h) > maxSubjectLen {
		return "", false
	}
	t, ok := unescape(h)
	return t, ok && len(t) <= MaxTopicLen && utf8.ValidString(t)
}

// checkPrefix checks a subject prefix: empty, or tokens NATS allows in a
// published subject (no wildcard, no white space), ending in '.'.
func checkPrefix(p string) error {
	if p == "" {
		return nil
	}
	if !strings.HasSuffix(p, ".") || len(p) > 256 {
		return fmt.Errorf("%w: subject prefix %q must end in '.' (and be at most 256 bytes)", ErrOptions, p)
	}
	for _, tok := range strings.Split(strings.TrimSuffix(p, "."), ".") {
		if tok == "" || tok == "*" || tok == ">" || strings.ContainsAny(tok, " \t\r\n") {
			return fmt.Errorf("%w: subject prefix %q: token %q is not allowed", ErrOptions, p, tok)
		}
	}
	return nil
}

// checkFilter checks a subject imported (-j): NATS tokens, wildcards
// allowed ('>' only last).
func checkFilter(f string) error {
	if f == "" || len(f) > maxSubjectLen {
		return fmt.Errorf("%w: subject %q", ErrOptions, f)
	}
	toks := strings.Split(f, ".")
	for i, tok := range toks {
		if tok == "" || strings.ContainsAny(tok, " \t\r\n") || tok == ">" && i != len(toks)-1 {
			return fmt.Errorf("%w: subject %q: token %q is not allowed", ErrOptions, f, tok)
		}
	}
	return nil
}
