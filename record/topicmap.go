package record

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBadMapping is a topic mapping that is not "old=new".
var ErrBadMapping = errors.New("record: topic mapping must be old=new")

// TopicMap renames topics on replay. A topic equal to a key of Exact
// becomes its value; otherwise the longest key of Prefix that starts the
// topic is replaced by its value (an empty key matches every topic, so
// {"": "replay/"} prefixes them all). Other topics are unchanged. The zero
// value changes nothing.
type TopicMap struct {
	Exact  map[string]string
	Prefix map[string]string
}

// Apply returns the topic a recorded topic is replayed on.
func (m TopicMap) Apply(topic string) string {
	if to, ok := m.Exact[topic]; ok {
		return to
	}
	best, found := "", false
	for from := range m.Prefix {
		if strings.HasPrefix(topic, from) && (!found || len(from) > len(best)) {
			best, found = from, true
		}
	}
	if !found {
		return topic
	}
	return m.Prefix[best] + topic[len(best):]
}

// AddExact adds an "old=new" mapping to Exact.
func (m *TopicMap) AddExact(pair string) error {
	from, to, err := parsePair(pair)
	if err != nil {
		return err
	}
	if m.Exact == nil {
		m.Exact = map[string]string{}
	}
	m.Exact[from] = to
	return nil
}

// AddPrefix adds an "old=new" mapping to Prefix.
func (m *TopicMap) AddPrefix(pair string) error {
	from, to, err := parsePair(pair)
	if err != nil {
		return err
	}
	if m.Prefix == nil {
		m.Prefix = map[string]string{}
	}
	m.Prefix[from] = to
	return nil
}

func parsePair(s string) (string, string, error) {
	from, to, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", fmt.Errorf("%w: %q", ErrBadMapping, s)
	}
	return from, to, nil
}
