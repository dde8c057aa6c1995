package chart

import (
	"strings"
	"unicode"
)

// Label is an axis label with units for a results column, or for a
// metric expression such as "ForwarderCPUPerMsg*1048576/Size"; a name it
// does not know is returned as it is.
func Label(name string) string {
	key := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '*' || r == '/' {
			return unicode.ToLower(r)
		}
		return -1
	}, name)
	switch key {
	case "subs":
		return "subscribers"
	case "pubs":
		return "publishers"
	case "size":
		return "message size (bytes)"
	case "subscriptions":
		return "subscriptions per subscriber"
	case "conns":
		return "idle clients (components on banyan and libzmq)"
	case "components":
		return "components"
	case "rate":
		return "publish rate (msg/s)"
	case "deliveredmsgpersec":
		return "delivered (msg/s)"
	case "publishmsgpersec":
		return "published (msg/s)"
	case "deliveredbytespersec":
		return "delivered (bytes/s)"
	case "deliveredbytespersec/1048576":
		return "delivered (MiB/s)"
	case "forwardercpupermsg", "forwardercpuuspermsg":
		return "forwarder CPU per message (µs)"
	case "forwardercpupermsg*1048576/size", "forwardercpuuspermsg*1048576/size":
		return "forwarder CPU per MiB (µs)"
	case "clientcpupermsg", "clientcpuuspermsg":
		return "client CPU per message (µs)"
	case "forwarderpeakrssmib":
		return "peak forwarder RSS (MiB)"
	case "kibperconn", "kibperconnection":
		return "forwarder RSS per connection (KiB)"
	case "kibpercomponent":
		return "forwarder RSS per component (KiB)"
	case "goroutinesperconn":
		return "goroutines per connection"
	case "threadsafter":
		return "forwarder threads"
	case "idlecpupercent":
		return "forwarder CPU while idle (% of a core)"
	}
	for _, p := range []string{"p50", "p90", "p99", "p999", "max", "mean"} {
		if key == "latency"+p || key == p || key == "latency"+p+"us" || key == p+"us" {
			return p + " latency (µs)"
		}
	}
	return name
}
