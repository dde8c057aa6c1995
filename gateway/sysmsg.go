package gateway

import "github.com/gobanyan/banyan"

// SysMsgTopic is the topic of system messages: news about a gateway and
// its link to the board rather than about a pin. Python's ESP8266 gateway
// publishes {"sys_msg": "system_up"} there when it starts.
const SysMsgTopic = "sys_msg"

// SystemMessage is news about the gateway or its board's link: connected,
// lost, reconnected, a firmware that closed the link. A board publishes it
// through its report function (ReportSource); the gateway sends it on
// SysMsgTopic, not on its report topic, as {"sys_msg": Text, "gateway":
// <report topic>, "timestamp": <float>} ("gateway" and "timestamp" are
// this package's additions, which Python clients ignore).
type SystemMessage struct {
	Text      string
	Timestamp float64 // seconds since the epoch; 0 lets the gateway fill it
	gateway   string
}

// ReportName returns "sys_msg".
func (SystemMessage) ReportName() string { return SysMsgTopic }

// Map returns the payload.
func (r SystemMessage) Map() map[string]any {
	m := map[string]any{"sys_msg": r.Text}
	if r.gateway != "" {
		m["gateway"] = r.gateway
	}
	if r.Timestamp != 0 {
		m["timestamp"] = r.Timestamp
	}
	return m
}

// MarshalMsgpack encodes the message (Map) with banyan.Marshal.
func (r SystemMessage) MarshalMsgpack() ([]byte, error) { return banyan.Marshal(r.Map()) }

// RawReport is a report a board passes through as it is, for reports
// outside the spec's four (the ESP8266 firmware's {"report": "connected",
// "info": ...}). Its "report" key names it; the gateway publishes it on
// its report topic unchanged.
type RawReport map[string]any

// ReportName returns the "report" value, or "" when there is none.
func (r RawReport) ReportName() string {
	s, _ := r["report"].(string)
	return s
}

// Map returns the payload itself.
func (r RawReport) Map() map[string]any { return r }

// MarshalMsgpack encodes the payload with banyan.Marshal.
func (r RawReport) MarshalMsgpack() ([]byte, error) { return banyan.Marshal(map[string]any(r)) }
