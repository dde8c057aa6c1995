// Package render turns msgpack payloads into JSON for people and tools
// (monitor --json, sub --json), keys in wire order. Python's repr, what
// Python Banyan's monitor prints, is package pyrepr's.
package render
