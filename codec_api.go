package banyan

import "github.com/gobanyan/banyan/internal/codec"

// The Python-compatible msgpack codec is implemented in internal/codec;
// these are its exported names, thin wrappers that the compiler inlines.

// Codec errors. Every error returned by DecodeMap, DecodeValue and Unmarshal
// for a payload that cannot be decoded wraps ErrBadPayload; the more specific
// sentinels below are wrapped as well when they apply, so both
// errors.Is(err, ErrBadPayload) and, for example, errors.Is(err, ErrNonStringKey)
// hold. Marshal wraps only the specific sentinel.
var (
	// ErrBadPayload reports a payload that is not one well-formed msgpack
	// value acceptable to Banyan: truncated or trailing data, reserved codes,
	// or any of the more specific problems below.
	ErrBadPayload = codec.ErrBadPayload

	// ErrNonStringKey reports a map key that is neither a msgpack str nor a
	// msgpack bin. Python's msgpack (strict_map_key=True, the default since
	// 1.0) rejects such keys with ValueError, which kills a Python Banyan
	// receive loop, so Marshal never emits them and the decoders refuse them.
	ErrNonStringKey = codec.ErrNonStringKey

	// ErrInvalidUTF8 reports a msgpack str (a Go string) that is not valid
	// UTF-8. Python (raw=False) raises UnicodeDecodeError on such a str, so
	// Marshal refuses to emit one (send binary data as []byte, which becomes
	// msgpack bin) and the decoders refuse to accept one.
	ErrInvalidUTF8 = codec.ErrInvalidUTF8

	// ErrExtType reports a msgpack ext value (for example a time.Time, which
	// the underlying library encodes as the timestamp extension). Python
	// Banyan never sends ext values and the JavaScript and Java sister
	// implementations cannot decode them, so they are neither emitted nor
	// accepted.
	ErrExtType = codec.ErrExtType

	// ErrNotMap reports a payload whose top-level value is not a map where a
	// map is required (DecodeMap, Unmarshal into *map[string]any).
	ErrNotMap = codec.ErrNotMap

	// ErrTooDeep reports maps and arrays nested more than MaxNesting levels
	// deep. Python's unpacker fails on such payloads (StackError).
	ErrTooDeep = codec.ErrTooDeep

	// ErrTypeMismatch reports a well-formed payload that does not fit the
	// Go value given to Unmarshal (a str for an int field, 300 for a uint8,
	// ...).
	ErrTypeMismatch = codec.ErrTypeMismatch

	// ErrNoLegacyForm reports a payload that WithMsgpack(MsgpackLegacy)
	// cannot send: it holds an ext value, which the old spec lacks.
	ErrNoLegacyForm = codec.ErrNoLegacyForm
)

// MaxNesting is the deepest nesting of maps and arrays that the codec emits
// or accepts: a top-level map counts as one level. It equals the limit of
// Python msgpack's C unpacker, so everything Marshal produces can be unpacked
// by a Python receiver.
const MaxNesting = 1024

// MaxNesting is spelled out so that its documentation shows the value; this
// does not compile unless it equals the codec's.
const _ = uint(MaxNesting-codec.MaxNesting) + uint(codec.MaxNesting-MaxNesting)

// Marshal encodes v as one msgpack value, byte for byte as Python Banyan's
// msgpack.packb(v, use_bin_type=True) encodes the corresponding Python value.
//
// Encoding rules:
//   - string: msgpack str (fixstr, str8, str16, str32, the smallest that
//     fits). It must be valid UTF-8, otherwise the error wraps ErrInvalidUTF8.
//   - []byte and [N]byte: msgpack bin (bin8, bin16, bin32). A nil []byte is
//     encoded as nil.
//   - Every Go integer type: the smallest encoding, as Python does for an
//     int: non-negative values as positive fixint, uint8, uint16, uint32 or
//     uint64; negative values as negative fixint, int8, int16, int32 or int64.
//     The Go type does not matter: int8(5), uint64(5) and int(5) all encode as
//     the single byte 0x05. time.Duration is an integer (nanoseconds).
//   - float64: always float64 (0xcb), bit for bit, including NaN payloads,
//     infinities and negative zero. float32 is widened to float64, as Python
//     has only one float type (use_single_float=False); this also applies to
//     float32 values written by custom encoders.
//   - bool, nil (nil pointers, maps, slices and interfaces): true/false, nil.
//   - Slices and arrays (other than of bytes): msgpack array.
//   - Maps: msgpack map. Keys must encode as msgpack str (any Go string
//     type) or bin (Go byte arrays); any other key type (ints, bools, nil,
//     ...) is an error wrapping ErrNonStringKey.
//     map[string]any, map[string]string and map[string]bool are written with
//     their keys sorted, so the output is deterministic; other map types are
//     written in Go's map iteration order (Python receivers do not care).
//   - Structs: msgpack map of their exported fields in declaration order,
//     named by the `msgpack` struct tag, falling back to the `json` tag and
//     then to the Go field name. Tag options of
//     github.com/vmihailenco/msgpack/v5 apply (omitempty, inline, as_array;
//     "-" skips a field).
//   - Values implementing msgpack.CustomEncoder or msgpack.Marshaler encode
//     themselves. Their output is checked by the same rules, except that bin
//     map keys are allowed, since that is how msgpack-numpy writes its arrays
//     (keys nd, type, kind, shape, data).
//   - msgpack.RawMessage is copied verbatim after the same checks.
//   - Anything that would produce a msgpack ext value (time.Time, registered
//     extensions) is an error wrapping ErrExtType; channels, functions and
//     complex numbers are errors from the underlying encoder.
//   - Nesting deeper than MaxNesting is an error wrapping ErrTooDeep.
//
// Cyclic values are not detected (as in github.com/vmihailenco/msgpack/v5)
// and exhaust the stack.
func Marshal(v any) ([]byte, error) { return codec.Marshal(v) }

// Unmarshal decodes one msgpack value from data into v, which must be a
// non-nil pointer.
//
// The payload is first checked by the same rules as DecodeValue: exactly one
// well-formed value, map keys str or bin, str valid UTF-8, no ext values,
// nesting at most MaxNesting. A payload that fails the check yields an error
// wrapping ErrBadPayload (and the specific sentinel), and v is left
// untouched.
//
// The value is then stored into v by these rules (a mismatch is an error
// wrapping ErrTypeMismatch that names the path and the types; fields set
// before the mismatch keep their new values):
//   - nil sets the target to its zero value (nil pointer, map, slice or
//     interface; 0; ""; a zero struct).
//   - An interface-typed target (any, a struct field of type any, the
//     elements of []any or map[string]any) receives exactly what DecodeValue
//     returns. An interface already holding a non-nil pointer is decoded
//     through that pointer.
//   - Integers of every wire width go into any Go integer type that can hold
//     the value (overflow is a mismatch) and into float types. Floats go into
//     float64 and float32 (rounded; a finite value beyond float32's range is
//     a mismatch), never into integer types.
//   - str and bin are interchangeable for string and []byte targets (a bin
//     copied into a string is not checked for UTF-8). A [N]byte takes at most
//     N bytes and is zero-filled.
//   - Arrays go into slices and Go arrays (extra elements are skipped,
//     missing ones zeroed). Maps go into Go maps with a string key type
//     (entries are added to an existing map) and into structs.
//   - Struct fields are matched by the names Marshal writes: the `msgpack`
//     tag, falling back to the `json` tag, then the Go field name, with the
//     tag options of github.com/vmihailenco/msgpack/v5 (alias, inline,
//     noinline; embedded structs are inlined as that library does). Keys
//     without a field are ignored; an array fills the fields in order
//     (as_array structs).
//   - Pointers are allocated as needed.
//   - Types implementing msgpack.CustomDecoder, msgpack.Unmarshaler,
//     encoding.BinaryUnmarshaler or encoding.TextUnmarshaler (directly or
//     through a pointer) are handed their part of the payload through a
//     github.com/vmihailenco/msgpack/v5 Decoder; msgpack.RawMessage receives
//     the raw bytes.
//   - Channels, functions and complex numbers are unsupported.
func Unmarshal(data []byte, v any) error { return codec.Unmarshal(data, v) }

// DecodeMap decodes a payload whose top-level value is a msgpack map, the
// normal shape of a Banyan message, by the rules of DecodeValue. Any other
// top-level value (including nil) is an error wrapping ErrBadPayload and
// ErrNotMap.
func DecodeMap(data []byte) (map[string]any, error) { return codec.DecodeMap(data) }

// DecodeValue decodes one msgpack value of any type into generic Go values,
// matching what Python's msgpack.unpackb(data, raw=False) returns:
//   - nil → nil; true/false → bool.
//   - Every integer form → int64, except values above math.MaxInt64 (only
//     possible as msgpack uint64), which become uint64. The wire width never
//     matters: 200 sent as uint8 and 200 sent as int16 both give int64(200).
//   - float64 → float64, bit for bit (NaN payloads, infinities, -0);
//     float32 → float64 of the same value.
//   - str → string (must be valid UTF-8, else ErrInvalidUTF8).
//   - bin → []byte (a copy; data may be reused afterwards).
//   - array → []any.
//   - map → map[string]any at every nesting level. Keys may be str or bin;
//     a bin key becomes a string of the same bytes (it is not checked for
//     UTF-8). Any other key type is an error wrapping ErrNonStringKey that
//     names the key's msgpack type. Duplicate keys keep the last value, as a
//     Python dict does; the str key "a" and the bin key b"a" collide.
//   - ext → error wrapping ErrExtType.
//
// The payload must hold exactly one value (trailing bytes are an error, as
// Python's ExtraData), nested at most MaxNesting deep. Every failure wraps
// ErrBadPayload and names the offending position; malformed input never
// panics and never makes DecodeValue allocate much more than len(data).
//
// numpy payloads: msgpack-numpy writes an ndarray as a map with bin keys
// nd, type, kind, shape and data, and a numpy scalar as a map with keys nd
// (false), type and data. DecodeValue returns such a map as an ordinary
// map[string]any, for example {"nd": true, "type": "<f8", "kind": []byte{},
// "shape": []any{int64(2)}, "data": []byte{...}}; the ndarray package
// rebuilds typed arrays from these maps.
func DecodeValue(data []byte) (any, error) { return codec.DecodeValue(data) }
