package mqttbus

import "strings"

// Topic maps a Banyan topic to an MQTT topic name: the wildcards "+" and
// "#", which a published topic may not contain, become "_".
func Topic(topic string) string {
	if !strings.ContainsAny(topic, "+#") {
		return topic
	}
	return strings.NewReplacer("+", "_", "#", "_").Replace(topic)
}

// Filter maps a Banyan prefix subscription to the nearest MQTT topic
// filter: "" is "#", a prefix ending in "/" is itself followed by "#",
// any other prefix the exact topic Topic gives.
func Filter(prefix string) string {
	switch {
	case prefix == "":
		return "#"
	case strings.HasSuffix(prefix, "/"):
		return Topic(prefix) + "#"
	default:
		return Topic(prefix)
	}
}
