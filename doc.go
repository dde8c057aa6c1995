// Package banyan is the component library of Go Banyan, a reactive pub/sub
// framework wire-compatible with Python Banyan: components publish msgpack
// messages by topic to a backplane and subscribe to topic prefixes, on one
// machine or across a LAN, sharing the backplane with Python, JavaScript,
// Ruby and Java components.
//
// A component is ready when Connect returns: the backplane has shown, on
// both connections, that it takes what we publish and has our
// subscriptions, so nothing is lost to ZeroMQ's "slow joiner" race; and
// nothing of this is visible to other components (see Connect). Messages are delivered as they
// arrive (no polling), in order, on one goroutine; a message with one frame,
// a non-UTF-8 topic or bad msgpack, and a handler that panics, are logged,
// counted in Stats and skipped. The component reconnects and resubscribes
// when the backplane restarts.
//
// Payloads are encoded as Python's msgpack.packb(use_bin_type=True) does
// (see Marshal) and decoded as unpackb(raw=False) (see Unmarshal, DecodeMap).
//
// Topics beginning with "__banyan/" are reserved for Banyan itself.
package banyan
