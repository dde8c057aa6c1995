// Package zmtp speaks ZeroMQ's wire protocol, ZMTP 3.0 and 3.1 over TCP with
// the NULL mechanism, for the two socket types Banyan needs: PUB and SUB.
//
// It follows RFC 23 (ZMTP 3.0), RFC 37 (ZMTP 3.1) and RFC 29 (PUB-SUB):
//
//   - a full 64-byte greeting, accepting any 3.x peer; a READY exchange whose
//     Socket-Type is checked (PUB talks to SUB/XSUB, SUB to PUB/XPUB) and an
//     ERROR command and a close for anything else;
//   - subscriptions as 3.1 SUBSCRIBE/CANCEL commands to 3.1 peers and as 3.0
//     messages (first byte 1 or 0) to 3.0 peers; both forms accepted always;
//   - PUB filters by prefix per peer with reference-counted subscriptions and
//     keeps a bounded queue per peer (the high-water mark): a full queue drops
//     for that peer only and counts it, so a stalled peer never slows others;
//   - SUB filters again on receipt, re-sends its subscriptions on every new
//     connection, and fair-queues messages from all its peers;
//   - Connect is asynchronous and reconnects with backoff until Close;
//   - PING is answered with PONG, unknown commands are ignored, a corrupt frame
//     or an oversized message closes that connection with a logged reason.
//
// A message travels as one immutable byte slice in wire form (Msg), so a
// forwarder passes what it received to its PUB untouched, and every peer's
// queue shares the same bytes. Writers batch: each peer's writer flushes its
// buffer only when its queue runs dry.
//
// The package is internal: users reach it through the banyan and backplane
// packages.
package zmtp
