package natsbus

import "strings"

// Subject maps a Banyan topic to a NATS subject: "/" becomes ".", and a
// token NATS would refuse in a published subject (empty, or containing
// ".", "*", ">" or white space) is spelled "_" instead of the refused
// characters.
func Subject(topic string) string {
	tokens := strings.Split(topic, "/")
	for i, t := range tokens {
		tokens[i] = token(t)
	}
	return strings.Join(tokens, ".")
}

// Filter maps a Banyan prefix subscription to the nearest NATS
// subscription subject: "" is ">", a prefix ending in "/" is its subject
// followed by ".>", any other prefix the exact subject Subject gives.
func Filter(prefix string) string {
	switch {
	case prefix == "":
		return ">"
	case strings.HasSuffix(prefix, "/"):
		return Subject(strings.TrimSuffix(prefix, "/")) + ".>"
	default:
		return Subject(prefix)
	}
}

func token(t string) string {
	if t == "" {
		return "_"
	}
	if !strings.ContainsAny(t, ".*> \t\r\n") {
		return t
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '.', '*', '>', ' ', '\t', '\r', '\n':
			return '_'
		}
		return r
	}, t)
}

// Topic maps a NATS subject back to a Banyan topic: "." becomes "/". For
// a topic Subject left as it was, Topic(Subject(t)) is t.
func Topic(subject string) string { return strings.ReplaceAll(subject, ".", "/") }
