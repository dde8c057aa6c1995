package nats

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gobanyan/banyan"
	natsgo "github.com/nats-io/nats.go"
)

func TestSubjectMapping(t *testing.T) {
	for _, c := range []struct{ topic, subject string }{
		{"sensors/temp", "banyan.sensors.temp"},
		{"a.b c", "banyan.a%2Eb%20c"},
		{"température", "banyan.temp%C3%A9rature"},
		{"", "banyan.%"},
		{"/x/", "banyan.%.x.%"},
		{"a//b", "banyan.a.%.b"},
		{"*/>", "banyan.%2A.%3E"},
		{"100%", "banyan.100%25"},
		{"%", "banyan.%25"},
		{"tab\there\nnl", "banyan.tab%09here%0Anl"},
		{"日本", "banyan.%E6%97%A5%E6%9C%AC"},
		{"Mixed-Case_9", "banyan.Mixed-Case_9"},
	} {
		s, err := Subject(DefaultSubjectPrefix, c.topic)
		if err != nil || s != c.subject {
			t.Errorf("Subject(%q) = %q, %v; want %q", c.topic, s, err, c.subject)
		}
		if got, err := Topic(DefaultSubjectPrefix, s); err != nil || got != c.topic {
			t.Errorf("Topic(%q) = %q, %v; want %q", s, got, err, c.topic)
		}
		if got, ok := topicFromHeader(headerTopic(c.topic)); !ok || got != c.topic {
			t.Errorf("header round trip of %q: %q %v", c.topic, got, ok)
		}
		if strings.ContainsAny(headerTopic(c.topic), " \r\n\t") {
			t.Errorf("header of %q holds white space: %q", c.topic, headerTopic(c.topic))
		}
	}
	// Subjects other programs chose: read as they are, a bad escape kept.
	for subject, topic := range map[string]string{
		"banyan.x.%4":  "x/%4",
		"banyan.%ZZ":   "%ZZ",
		"sensors.temp": "sensors/temp", // no prefix: taken whole
		"banyan.a%2Fb": "a/b",          // an escaped '/' is a '/'
	} {
		if got, err := Topic(DefaultSubjectPrefix, subject); err != nil || got != topic {
			t.Errorf("Topic(%q) = %q, %v; want %q", subject, got, err, topic)
		}
	}
	if _, err := Topic(DefaultSubjectPrefix, "banyan.%FF"); !errors.Is(err, ErrSubject) {
		t.Errorf("a subject whose topic is not UTF-8: %v", err)
	}
	if _, err := Subject(DefaultSubjectPrefix, strings.Repeat("x", MaxTopicLen+1)); !errors.Is(err, ErrSubject) {
		t.Errorf("a topic over MaxTopicLen: %v", err)
	}
	if _, err := Subject(DefaultSubjectPrefix, "\xff"); !errors.Is(err, ErrSubject) {
		t.Errorf("a topic that is not UTF-8: %v", err)
	}
	for _, p := range []string{"banyan", "a..", "*.", "a.>.", "a b."} {
		if err := checkPrefix(p); !errors.Is(err, ErrOptions) {
			t.Errorf("prefix %q accepted", p)
		}
	}
	for _, f := range []string{"", "a..b", "a.>.b", "a b"} {
		if err := checkFilter(f); !errors.Is(err, ErrOptions) {
			t.Errorf("subject %q accepted", f)
		}
	}
}

// Every topic maps to a subject NATS takes (no empty token, no wildcard
// token, nothing but [A-Za-z0-9_%.-]) and back to itself; any subject or
// header value is read without a panic.
func FuzzMapping(f *testing.F) {
	for _, s := range []string{"sensors/temp", "", "/", "a.b", "%", "%4", "*", ">", "日本", "\x00", "banyan.%ZZ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if utf8.ValidString(s) && len(s) <= MaxTopicLen {
			subj, err := Subject("site1.", s)
			if err != nil {
				t.Fatalf("Subject(%q): %v", s, err)
			}
			for _, tok := range strings.Split(subj, ".") {
				if tok == "" || tok == "*" || tok == ">" {
					t.Fatalf("Subject(%q) = %q: token %q", s, subj, tok)
				}
				for i := 0; i < len(tok); i++ {
					if !tokenByte(tok[i]) && tok[i] != '%' {
						t.Fatalf("Subject(%q) = %q: byte %q", s, subj, tok[i])
					}
				}
			}
			if back, err := Topic("site1.", subj); err != nil || back != s {
				t.Fatalf("Topic(Subject(%q)) = %q, %v", s, back, err)
			}
			if back, ok := topicFromHeader(headerTopic(s)); !ok || back != s {
				t.Fatalf("header round trip of %q: %q", s, back)
			}
		}
		Topic("banyan.", s)
		topicFromHeader(s)
	})
}

// Any subject, header values and payload from NATS are read without a
// panic, and whatever is accepted is a UTF-8 topic that is not reserved
// with a well-formed msgpack payload.
func FuzzImport(f *testing.F) {
	f.Add("banyan.x", "x", "msgpack", []byte{0x01})
	f.Add("banyan.%", "", "json", []byte(`{"a":[1,{"$bin":"aGk="}]}`))
	f.Add("banyan.a%2", "%ZZ", "yaml", []byte{0xc1})
	o, err := Options{}.withDefaults()
	if err != nil {
		f.Fatal(err)
	}
	b := &Bridge{o: o}
	f.Fuzz(func(t *testing.T, subject, topic, enc string, data []byte) {
		h := natsgo.Header{HeaderTopic: {topic}, HeaderEncoding: {enc}}
		got, err := b.topicOf(subject, h)
		if err == nil && (!utf8.ValidString(got) || strings.HasPrefix(got, banyan.ReservedPrefix)) {
			t.Fatalf("topic %q accepted", got)
		}
		p, err := b.fromNATS(h, data)
		if err == nil && banyan.Validate(p) != nil {
			t.Fatalf("payload % x accepted as % x", data, p)
		}
	})
}
