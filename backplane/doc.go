// Package backplane is Banyan's message hub: a forwarder with a SUB socket
// subscribed to everything, bound on the publisher port (43124), and a PUB
// socket bound on the subscriber port (43125). Components connect their PUB
// to the first and their SUB to the second; every message is forwarded
// untouched, and the PUB filters by topic prefix per subscriber.
//
// It speaks ZMTP 3.1, 3.0, 2.0 and 1.0 (as libzmq does), so Python,
// JavaScript, Ruby, Java (JeroMQ old and new) and Go components share one
// backplane. Topics under "__banyan/" (reserved for Banyan itself) reach
// only subscribers that subscribed into that space: a subscriber to
// everything never sees them. Unlike Python's, it binds every interface by default
// (loopback and LAN both work), reports a port in use in one line, counts
// what it forwards and drops, and gives each subscriber its own bounded
// queue so that one stalled subscriber never slows the others.
//
// # Lifecycle
//
// A Backplane has the shape of httptest.Server, not of http.Server.Serve:
// New binds the ports and starts forwarding, Close stops it.
//
//	bp, err := backplane.New(opts)
//	if err != nil { ... }
//	defer bp.Close()
//
// Why: the forwarder has no loop of its own to lend the caller's goroutine
// to (the sockets accept and forward on goroutines they start when they
// bind), and callers need the bound ports, a FreePort's number included,
// before anything connects; so binding is starting, and there is nothing
// left for a Serve to do. Run(ctx) exists for the CLI, which blocks until
// it is told to stop: it waits for ctx, then calls Close.
package backplane
