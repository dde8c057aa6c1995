// Package zmtp speaks ZeroMQ's wire protocol over TCP with the NULL
// mechanism (or CURVE, see below), for the two socket types Banyan needs: PUB and SUB. It speaks
// ZMTP 3.1 and 3.0, and, with the peers that need them, ZMTP 2.0 (libzmq
// 3.x, JeroMQ 0.3) and ZMTP 1.0 (libzmq 2.x), as acceptor and as connector,
// as libzmq 4 does.
//
// It follows RFC 23 (ZMTP 3.0), RFC 37 (ZMTP 3.1), RFC 15 (ZMTP 2.0), RFC 13
// (ZMTP 1.0) and RFC 29 (PUB-SUB):
//
//   - the greeting in steps, finding the peer's version as RFC 23's
//     "Backwards Interoperability" and libzmq's zmtp_engine.cpp do: a
//     10-byte signature (to a 1.0 peer, our empty identity frame), our major
//     version once the peer's signature shows it is 2.0 or later, then the
//     rest of the 3.x greeting, or for a 2.0 peer the socket-type byte and an
//     identity frame; Options.Version makes a socket greet as an older
//     version;
//   - with a 3.x peer, a READY exchange whose Socket-Type is checked (PUB
//     talks to SUB/XSUB, SUB to PUB/XPUB) and an ERROR command and a close
//     for anything else; with a 2.0 peer the socket-type byte is checked the
//     same way (a close, no ERROR); a 1.0 peer names no type;
//   - 2.0 frames are 3.x frames without commands, so messages go to 2.0
//     peers as they are; 1.0 frames (a length that counts the flags byte)
//     are re-framed on the way in and out, with the same limits;
//   - subscriptions as 3.1 SUBSCRIBE/CANCEL commands to 3.1 peers and as
//     messages (first byte 1 or 0) to 3.0 and 2.0 peers; both forms accepted
//     always; a 1.0 peer without a revision byte (libzmq 2.x) sends none and
//     is sent none: a PUB treats it as subscribed to everything, as libzmq
//     does, and a SUB filters anyway;
//   - PUB filters by prefix per peer with reference-counted subscriptions and
//     keeps a bounded queue per peer (the high-water mark): a full queue drops
//     for that peer only and counts it, so a stalled peer never slows others;
//   - SUB filters again on receipt, re-sends its subscriptions on every new
//     connection, and fair-queues messages from all its peers;
//   - Connect is asynchronous and reconnects with backoff until Close;
//   - PING is answered with PONG (and Sub.Sync sends it to 3.1 peers only),
//     unknown commands are ignored, a corrupt frame or an oversized message
//     closes that connection with a logged reason.
//
// With Options.Curve a socket speaks CURVE (RFC 26, with internal/curve),
// interoperable with libzmq's: it is the CURVE server on the connections it
// accepts and a client on those it dials. The greeting names CURVE (a peer
// with another mechanism, or older than ZMTP 3.0, is refused and counted),
// HELLO, WELCOME, INITIATE and READY replace the READY exchange, and after
// it every frame travels as one MESSAGE box, as libzmq 4.3 sends them: a
// data frame whose box holds the frame's MORE and COMMAND flags. A layer
// below the frame reader opens the boxes back into plain frames, so reading
// is the same code as NULL's; the writer seals each frame under the
// connection's write lock, so nonces go out in order, and a CURVE peer gets
// no direct writes (always its writer goroutine). A box that fails to open
// or replays a nonce closes that connection only. A box larger than the
// message size limit plus its overhead closes the connection (a NULL
// connection reads past such a message: with CURVE its end is inside
// boxes not yet opened). Pub.CloseWhere and Sub.CloseWhere close peers by
// their PeerInfo.CurveKey, for a server whose authorized keys change.
//
// A message travels as one immutable byte slice in wire form (Msg), so a
// forwarder passes what it received to its PUB untouched, and every peer's
// queue shares the same bytes. Writers batch: each peer's writer flushes its
// buffer only when its queue runs dry.
//
// The package is internal: users reach it through the banyan and backplane
// packages.
package zmtp
