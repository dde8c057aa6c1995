// Package msgjson converts JSON text to msgpack and msgpack to JSON
// without building Go values: both directions scan their input once and
// append to a destination buffer, so a conversion takes memory in
// proportion to its input (a small constant times it), whatever the input
// holds. One message of a million empty objects costs no more than one of
// a million digits.
//
// # JSON to msgpack (AppendMsgpack)
//
// The bytes are those Python's msgpack.packb(json.loads(text),
// use_bin_type=True) writes, which are also the bytes of the Banyan codec
// (banyan.Marshal) for the same data, except that object keys keep their
// order (Python's dicts keep it; Marshal sorts map keys):
//
//   - objects: msgpack maps (fixmap, map16, map32), keys in input order;
//     a key that appears twice is written twice, and every msgpack reader
//     (Python's dict, banyan.DecodeValue) keeps the last, as json.loads
//     does;
//   - arrays: msgpack arrays (fixarray, array16, array32);
//   - strings: str (fixstr, str8, str16, str32), escapes decoded;
//   - numbers without a fraction or an exponent: integers in the smallest
//     encoding (positive fixint, uint8 to uint64 for non-negative values,
//     negative fixint, int8 to int64 for negative ones), exact over
//     [-2^63, 2^64-1];
//   - other numbers: float64 (0xcb), rounded as strconv.ParseFloat rounds;
//     beyond the float64 range they are ±Inf, as Python's float() gives;
//   - true, false, null: true, false, nil.
//
// The input must be exactly one JSON value (RFC 8259) with optional
// whitespace around it. Refused: anything else (ErrSyntax), including
// Python's extensions NaN and Infinity; bytes that are not UTF-8 in a
// string and \u escapes of lone surrogates (ErrUTF8: msgpack str must be
// UTF-8, and Python's packb raises on them); integers beyond 64 bits
// (ErrRange: Python raises OverflowError); nesting deeper than
// Options.MaxDepth (ErrDepth); input longer than Options.MaxSize
// (ErrTooLarge).
//
// # msgpack to JSON (AppendJSON)
//
// With the zero Options the text is what encoding/json writes for the
// values banyan.DecodeValue returns (bytes as base64, NaN and infinities
// as null), keys in order; what banyan.DecodeValue refuses is refused.
// Options choose what JSON has no form for, so that every caller states
// its choice in one place:
//
//   - Style: Compact (encoding/json) or PythonDumps (json.dumps: ", ",
//     ": ", ensure_ascii, floats as Python's repr);
//   - Bin: BinBase64 ("AQID"), BinObject ({"$bin": "AQID"}, read back by
//     AppendMsgpack) or BinRefuse;
//   - NonFinite: NonFiniteNull, NonFiniteRefuse, NonFiniteString ("NaN",
//     "Infinity", "-Infinity") or NonFiniteLiteral (the bare tokens, as
//     json.dumps writes and json.loads reads them);
//   - Ext: ExtRefuse or ExtObject ({"$ext": [type, "<base64>"]});
//   - SortKeys: keys sorted as encoding/json sorts a map's, or in order;
//   - Field: the caller writes chosen values of a top-level map itself
//     (the WebSocket bridge's timestamp rewrite);
//   - Map: the caller writes chosen maps, at any depth, itself (render's
//     msgpack-numpy arrays as numpy's repr);
//   - BinKey: the caller gives the text of bin map keys (render's
//     Python repr, b'nd').
//
// Integers are exact both ways over [-2^63, 2^64-1].
//
// # Memory
//
// Nothing is allocated per element: a conversion into a destination with
// room enough allocates nothing at all, except for JSON numbers longer
// than 32 bytes (one small allocation each, for strconv.ParseFloat) and,
// with SortKeys, the index of the maps whose keys are out of order (4
// bytes per entry and 16 per map, in slices that grow by doubling). Counts of
// arrays and objects are not known until they close, so AppendMsgpack
// reserves five bytes for each header and, when a shorter header does,
// closes the gaps with one pass over its output at the end. The output
// is at most 2.25 times as long as the input (plus 3 bytes), and needs 5
// more bytes per level of nesting while it is written.
package msgjson
