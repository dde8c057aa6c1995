// Package benchmark holds the load generators behind `banyan bench`.
//
// Run is the engine of `banyan bench` itself: publishers and subscribers
// on any Bus (Banyan, our component library against any Banyan
// backplane; NATS and MQTT from the bench/peers module), every message
// stamped with a sequence number and its send time, latency recorded in
// HDR histograms, loss and order counted per publisher, and the
// forwarder's CPU and memory read from /proc when its process is known.
// WriteSummary, WriteJSON and WriteCSV print a RunResult; Bar draws
// progress on a terminal.
//
// Forward and Throughput are the older, fixed load generators behind
// `banyan bench forward` and `banyan bench throughput`, which the
// bench/compare-*.sh scripts run.
package benchmark
