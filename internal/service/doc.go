// Package service is the skeleton the bridges (bridge/mqtt, bridge/nats,
// bridge/tcp, bridge/ws) share, so that they are built alike:
//
//   - Lifecycle: Run at most once (ErrRunning), Close once and from any
//     goroutine, Run after Close refused (banyan.ErrClosed), and Run's
//     end (End: close, and banyan.ErrClosed when Close is what ended it);
//   - Queue: the bounded per-peer writer (a TCP device, a browser): frames
//     offered without blocking, dropped and counted when the queue is
//     full, written by one goroutine until the peer goes;
//   - FirstWarn: a problem logged at Warn the first time and at Debug
//     after, so that a flood of bad frames does not flood the log;
//   - BadCertificate: a TLS failure that retrying the server cannot cure.
package service
