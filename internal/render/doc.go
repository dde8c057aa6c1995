// Package render turns msgpack payloads into JSON for people and tools
// (monitor --json, sub --json), keys in wire order, through
// internal/msgjson with the settings in JSONOptions; what msgjson has no
// form for (msgpack-numpy arrays, bin keys) is written through its Map
// and BinKey hooks. Python's repr, what Python Banyan's monitor prints,
// is package pyrepr's.
package render
