// Package codec is Go Banyan's msgpack codec, byte-compatible with Python
// Banyan: Marshal writes what msgpack.packb(v, use_bin_type=True) writes, and
// DecodeValue, DecodeMap and Unmarshal read what unpackb(raw=False) with
// strict map keys accepts, no more. Package banyan exports these functions,
// errors and limits under the same names as thin wrappers and documents the
// rules; this package holds the implementation, so that the root package is
// the component API.
//
// One checker (check.go) applies the payload rules for every entry point:
// Validate, the decoders and Marshal's check of its own output. It walks the
// bytes without allocating; the reader (read.go) and the typed decoder
// (unmarshal.go) then trust what it accepted. Errors start with "banyan:",
// since callers meet them through package banyan, and wrap ErrBadPayload
// and the specific sentinel.
//
// Head (head.go) is the one low-level header reader for the packages that
// walk msgpack bytes themselves (internal/msgjson, internal/pyrepr): type,
// header size, and a length or count already checked against the bytes
// that remain, without allocating.
//
// AppendLegacy (legacy.go) rewrites a payload to the old msgpack spec that
// javabanyan reads (str8 and bin as raw, no ext), in one pass through Head
// that copies a payload already in that form unchanged.
//
// Two process-wide caches make the hot path allocation-free, as those of
// encoding/json do: a sync.Pool of encoders and buffers (MarshalPooled,
// behind Component.Publish, allocates nothing once warm) and the type
// information Unmarshal derives from a Go type. Neither carries anything a
// caller could observe from one call to the next.
package codec
