// Package interop holds only tests: Go Banyan against real peers of each
// sister framework, written the way js-banyan, rb_banyan and javabanyan use
// their libraries (testdata/sisters): npm's zeromq (through its v5-compat
// API) with msgpack-lite, Ruby's ffi-rzmq with msgpack, Java's JeroMQ 0.3.6
// (ZMTP 2.0) with an old-spec msgpack codec like msgpack-java-lite, and
// pyzmq for Python.
//
// For each sister it checks that
//   - its echo server works on our backplane, for a Go client (strings of
//     10 and 40 bytes, ints, floats, nested maps; for Java only what the old
//     msgpack spec carries, with the client in MsgpackLegacy mode);
//   - our echo server works on its backplane;
//   - a subscribe-all monitor of it (and Python's) sees exactly the messages
//     users published while Go components connect, subscribe, SubscribeSync
//     and close: none of our own, on our backplane and on its.
//
// The peers are installed by `make peers` (part of `make test`); without
// them the tests skip, or fail under BANYAN_REQUIRE_PEERS=1 (see
// internal/testpeer).
package interop
