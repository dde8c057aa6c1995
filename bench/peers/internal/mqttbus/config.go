package mqttbus

import "fmt"

// Config is a mosquitto configuration for the benchmarks: one listener on
// 127.0.0.1:port, anonymous clients, and no limit on the messages queued
// or in flight per client (the mosquitto.conf defaults are 1000 queued and
// 20 in flight, for QoS 1 and 2), so nothing is dropped for a slow
// subscriber; messages up to the protocol's limit (256 MiB).
func Config(port int) string {
	return fmt.Sprintf(`listener %d 127.0.0.1
allow_anonymous true
max_queued_messages 0
max_inflight_messages 0
message_size_limit 0
persistence false
log_dest none
`, port)
}
