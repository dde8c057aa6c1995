// Package curve is CurveZMQ (RFC 26), the CURVE security mechanism of
// ZMTP 3 (RFC 23/37), as libzmq speaks it, independent of sockets: it
// builds and reads the bodies of the handshake's commands (HELLO,
// WELCOME, INITIATE, READY, ERROR) and of the MESSAGE commands that carry
// every frame after it. It also reads and writes the keys: Z85 (RFC 32),
// czmq's certificate files (ZPL, RFC 4) and lists of authorized client
// keys, as czmq's zcertstore reads them.
//
// The cryptography is golang.org/x/crypto's nacl/box and nacl/secretbox.
// Everything read from the wire is checked for size before use; faults
// are wrapped sentinels (ErrMalformed, ErrBoxOpen, ErrReplay, ErrCookie,
// ErrVouch, ErrUnauthorized, ErrRefused, ErrState).
//
// A connection using CURVE greets with mechanism "CURVE" and the
// as-server flag set on the server's side (libzmq 4.3 sends 0 on both
// sides and ignores the flag, so it must not be checked); then, in command
// frames, the client sends Hello,
// the server answers with the WELCOME from ServerHandshake.Hello, the
// client sends Initiate and the server answers with the READY from
// ServerHandshake.Initiate (or ERROR). Afterwards each frame, message or
// command, travels as a MESSAGE command from Session.Seal, alone in a data
// frame with flags 0, read with Session.Open.
package curve
