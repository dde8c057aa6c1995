package mqtt

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gobanyan/banyan"
)

// maxTopicLen is MQTT's limit on a topic name or filter (a 16-bit length).
const maxTopicLen = 65535

// checkPubTopic checks an MQTT topic name we are about to publish to:
// non-empty, UTF-8, no NUL, no wildcard characters, at most 65535 bytes.
// A broker disconnects a client that publishes to an invalid topic, so
// these are refused before they reach the wire.
func checkPubTopic(t string) error {
	switch {
	case t == "":
		return fmt.Errorf("%w: empty MQTT topic", ErrTopic)
	case len(t) > maxTopicLen:
		return fmt.Errorf("%w: MQTT topic longer than %d bytes", ErrTopic, maxTopicLen)
	case !utf8.ValidString(t):
		return fmt.Errorf("%w: MQTT topic %q is not UTF-8", ErrTopic, t)
	case strings.ContainsAny(t, "+#\x00"):
		return fmt.Errorf("%w: MQTT topic %q contains a wildcard or NUL", ErrTopic, t)
	}
	return nil
}

// checkFilter checks an MQTT topic filter for SUBSCRIBE: '+' and '#' only
// as whole levels, '#' only last.
func checkFilter(f string) error {
	if f == "" || len(f) > maxTopicLen || !utf8.ValidString(f) || strings.ContainsRune(f, 0) {
		return fmt.Errorf("%w: invalid MQTT topic filter %q", ErrOptions, f)
	}
	levels := strings.Split(f, "/")
	for i, l := range levels {
		if strings.ContainsAny(l, "+#") && len(l) != 1 {
			return fmt.Errorf("%w: MQTT topic filter %q: a wildcard must be a whole level", ErrOptions, f)
		}
		if l == "#" && i != len(levels)-1 {
			return fmt.Errorf("%w: MQTT topic filter %q: '#' must be the last level", ErrOptions, f)
		}
	}
	return nil
}

// matchFilter reports whether the MQTT topic name matches the filter, with
// MQTT 3.1.1's rules (section 4.7): '+' matches one level, '#' the parent
// and any number of levels below, and topics starting with '$' are not
// matched by a filter starting with a wildcard. A shared subscription
// ($share/group/filter) matches as its filter.
func matchFilter(filter, topic string) bool {
	if rest, ok := strings.CutPrefix(filter, "$share/"); ok {
		if _, f, ok := strings.Cut(rest, "/"); ok {
			filter = f
		}
	}
	if strings.HasPrefix(topic, "$") && (strings.HasPrefix(filter, "+") || strings.HasPrefix(filter, "#")) {
		return false
	}
	for {
		fl, frest, fmore := strings.Cut(filter, "/")
		if fl == "#" {
			return true
		}
		tl, trest, tmore := strings.Cut(topic, "/")
		if fl != "+" && fl != tl {
			return false
		}
		if !fmore || !tmore {
			// Both must end here, except that "a/#" also matches "a".
			return fmore == tmore || (fmore && frest == "#")
		}
		filter, topic = frest, trest
	}
}

// mqttTopic is the MQTT topic for a message from Banyan topic t.
func (b *Bridge) mqttTopic(t string) (string, error) {
	if !b.o.MapToMQTT {
		return b.o.MQTTPubTopic, nil
	}
	m := b.o.MQTTPrefix + strings.TrimPrefix(t, b.o.BanyanPrefix)
	if err := checkPubTopic(m); err != nil {
		return "", fmt.Errorf("Banyan topic %q: %w", t, err)
	}
	return m, nil
}

// banyanTopic is the Banyan topic for a message from MQTT topic t.
func (b *Bridge) banyanTopic(t string) (string, error) {
	if !b.o.MapFromMQTT {
		return b.o.BanyanPubTopic, nil
	}
	m := b.o.BanyanPrefix + strings.TrimPrefix(t, b.o.MQTTPrefix)
	if strings.HasPrefix(m, banyan.ReservedPrefix) {
		return "", fmt.Errorf("%w: MQTT topic %q maps to the reserved Banyan topic %q", ErrTopic, t, m)
	}
	return m, nil
}

// echoesFromMQTT reports whether the broker sends a message we publish on
// MQTT topic t back to us (one of our filters matches it).
func (b *Bridge) echoesFromMQTT(t string) bool {
	for _, f := range b.o.MQTTSubTopics {
		if matchFilter(f, t) {
			return true
		}
	}
	return false
}

// echoesFromBanyan reports whether the backplane sends a message we publish
// on Banyan topic t back to us (one of our subscriptions is a prefix of it).
func (b *Bridge) echoesFromBanyan(t string) bool {
	for _, s := range b.o.BanyanSubTopics {
		if strings.HasPrefix(t, s) {
			return true
		}
	}
	return false
}
