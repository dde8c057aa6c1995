// Package mqttbus is a benchmark.Bus over MQTT: paho clients at QoS 0, one
// client per publisher and per subscriber, against a broker such as
// mosquitto (Config writes a configuration for the benchmarks).
//
// Banyan topics are MQTT topic names as they are ("bench/0"), except for
// the wildcard characters "+" and "#", spelled "_". A Banyan prefix
// subscription has no exact MQTT counterpart, since MQTT matches whole
// levels only: a prefix ending in "/" becomes a "#" filter ("bench/" is
// "bench/#"), any other prefix the exact topic it names.
package mqttbus
