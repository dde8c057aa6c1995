// Package natsbus is a benchmark.Bus over NATS: nats.go clients, one
// connection per publisher and per subscriber, against a nats-server
// (embedded with Serve, or any other).
//
// Banyan topics become NATS subjects: "/" separates tokens, as "." does
// in NATS ("bench/0" is "bench.0"). A Banyan prefix subscription has no
// exact NATS counterpart, since NATS matches whole tokens only: a prefix
// ending in "/" becomes a ".>" wildcard ("bench/" is "bench.>"), any other
// prefix the exact subject it names.
package natsbus
