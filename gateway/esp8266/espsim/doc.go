// Package espsim simulates an ESP8266 running Python Banyan's MicroPython
// firmware for the OneGPIO ESP8266 gateway, faults included, so that
// package esp8266 (and anyone writing a gateway for that firmware) can be
// tested without the board.
//
// The device speaks the firmware's protocol: JSON text padded with spaces
// to fixed 96-byte frames in both directions, over TCP, as a server (the
// firmware's default, port 31337: Serve) or as a client of a gateway in
// server mode (Connect). It reproduces what the real firmware was measured
// doing, each behaviour commented in device.go with what it is based on:
//
//   - it crashes to the REPL (the link stays open but goes dead) on the
//     commands it cannot take (Crashed says why);
//   - it answers a frame that is not JSON with an {"error": ...} report
//     and closes the socket;
//   - once a peer has disconnected it serves no one (connections are
//     accepted and left silent) until Reset;
//   - its reports are padded to 96 bytes but never cut (an i2c_data
//     report can be longer), and its greeting can be 102 bytes;
//   - without change_diff it reports the analog input on every idle loop;
//   - enable_*_reporting disables reporting, as disable_* does;
//   - a string value such as "0" drives a pin high (Python truthiness).
//
// The tests drive its inputs (SetInput, SetADC, SetDistance) and read its
// state (Pin, Stepper, Received, Crashed).
package espsim
