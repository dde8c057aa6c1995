package codec

import (
	"errors"
	"fmt"
	"slices"
)

// Rewriting msgpack to the old spec (before 2013) that javabanyan's
// msgpack-java-lite reads: strings and bytes are both "raw" (fixraw 0xa0-0xbf,
// raw16 0xda, raw32 0xdb); there is no str8 (0xd9), no bin (0xc4-0xc6) and
// no ext (0xc7-0xc9, 0xd4-0xd8).

// ErrNoLegacyForm reports a msgpack ext value given to AppendLegacy: the old
// spec has no ext types, so such a payload cannot be sent to a reader of it.
// (Banyan never emits ext values; msgpack-numpy sends arrays as bin, which
// has a legacy form.) The error also wraps ErrExtType.
var ErrNoLegacyForm = errors.New("banyan: msgpack value has no legacy (pre-2013 spec) form")

// AppendLegacy appends to dst the msgpack value src rewritten to the old
// msgpack spec, as msgpack.packb(v, use_bin_type=False) writes it: every
// str8 becomes a fixraw (fewer than 32 bytes) or a raw16, and every bin8,
// bin16 and bin32 becomes the smallest raw (fixraw, raw16, raw32) holding
// the same bytes, at any depth, map keys included. Everything else is
// copied as it is; a src already in the old spec is appended unchanged.
//
// src must be exactly one well-formed msgpack value nested at most
// MaxNesting levels deep; otherwise the error wraps ErrBadPayload (and
// ErrTooDeep when that is the problem). An ext value anywhere makes the
// error wrap ErrNoLegacyForm and ErrExtType. Nothing else is checked: str
// contents need not be UTF-8 and map keys may have any type. Errors give
// the offset of the offending value. On error dst is returned with its
// original length.
//
// AppendLegacy walks src once and allocates nothing when src needs no
// rewriting (apart from dst's growth by len(src)), nor when dst has room.
func AppendLegacy(dst, src []byte) ([]byte, error) {
	return walkLegacy(dst, src, false)
}

// IsLegacy reports whether b is exactly one well-formed msgpack value,
// nested at most MaxNesting levels deep, that uses only the old spec's
// types: no str8, no bin, no ext. For such b, AppendLegacy(dst, b) appends
// b unchanged.
func IsLegacy(b []byte) bool {
	_, err := walkLegacy(nil, b, true)
	return err == nil
}

// errNotLegacy stops IsLegacy's walk at the first value needing a rewrite.
var errNotLegacy = errors.New("not legacy")

// walkLegacy is AppendLegacy, or (checkOnly) IsLegacy, which appends
// nothing and returns errNotLegacy at the first str8 or bin. It reads
// every header through Head, so no length is used before it is checked
// against the bytes present, and copies runs of unchanged bytes lazily:
// dst grows only at a rewrite, and by bytes of src.
func walkLegacy(dst, src []byte, checkOnly bool) ([]byte, error) {
	n0 := len(dst)
	// left[d] is how many values are still to be read in the d-th open
	// container; left[0] counts the top-level value. Deep input grows it
	// beyond the array (to MaxNesting+1 entries at most).
	var small [32]int
	left := append(small[:0], 1)
	from := 0 // start of the bytes of src not yet appended to dst
	grown := false
	i := 0
	for len(left) > 0 {
		t, f := Head(src, i)
		if f != OK {
			return dst[:n0], badPayload(headFault(src, i, t, f))
		}
		left[len(left)-1]--
		switch t.Type {
		case TypeStr, TypeBin:
			if t.Type == TypeBin || src[i] == 0xd9 {
				if checkOnly {
					return dst, errNotLegacy
				}
				if !grown {
					// The first rewrite: the output is about len(src) long.
					dst, grown = slices.Grow(dst, len(src)+8), true
				}
				dst = append(dst, src[from:i]...)
				dst = appendRawHeader(dst, t.N)
				from = i + t.Size // the data stays in the next run
			}
			i += t.Size + t.N
		case TypeExt:
			ce := &codecError{off: i, err: ErrExtType, msg: fmt.Sprintf("msgpack ext type %d (%d bytes of data) has no legacy form", int8(src[i+t.Size-1]), t.N)}
			return dst[:n0], fmt.Errorf("%w: %w", ErrNoLegacyForm, ce)
		case TypeArray, TypeMap:
			if len(left)-1 >= MaxNesting {
				ce := &codecError{off: i, err: ErrTooDeep, msg: fmt.Sprintf("maps and arrays nested deeper than %d levels", MaxNesting)}
				return dst[:n0], badPayload(ce)
			}
			n := t.N
			if t.Type == TypeMap {
				n *= 2 // Head checked that 2*N bytes remain
			}
			i += t.Size
			if n > 0 {
				left = append(left, n)
			}
		default:
			i += t.Size
		}
		for len(left) > 0 && left[len(left)-1] == 0 {
			left = left[:len(left)-1]
		}
	}
	if i != len(src) {
		return dst[:n0], badPayload(&codecError{off: i, msg: fmt.Sprintf("%d trailing bytes after the value", len(src)-i)})
	}
	if checkOnly {
		return dst, nil
	}
	return append(dst, src[from:]...), nil
}

func badPayload(ce *codecError) error { return fmt.Errorf("%w: %w", ErrBadPayload, ce) }

// headFault describes what Head found wrong at src[i].
func headFault(src []byte, i int, t Token, f Fault) *codecError {
	switch {
	case i >= len(src) && i == 0:
		return &codecError{off: i, msg: "empty payload"}
	case i >= len(src):
		return &codecError{off: i, msg: fmt.Sprintf("truncated: a value is missing (payload is %d bytes)", len(src))}
	case f == Reserved:
		return &codecError{off: i, msg: fmt.Sprintf("reserved msgpack code 0x%02x", src[i])}
	case f == ShortHeader:
		return &codecError{off: i, msg: fmt.Sprintf("truncated %s header (payload is %d bytes)", codeTypeName(src[i]), len(src))}
	}
	return &codecError{off: i, msg: fmt.Sprintf("truncated %s: its header claims %d, only %d bytes follow", codeTypeName(src[i]), t.V, len(src)-i-t.Size)}
}

// appendRawHeader appends the smallest old-spec raw header for n bytes
// (n < 1<<32: it comes from a str or bin header).
func appendRawHeader(dst []byte, n int) []byte {
	switch {
	case n < 32:
		return append(dst, 0xa0|byte(n))
	case n <= 0xffff:
		return append(dst, 0xda, byte(n>>8), byte(n))
	}
	return append(dst, 0xdb, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}
