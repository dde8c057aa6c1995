package banyan

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/tagparser/v2"
)

// Codec errors. Every error returned by DecodeMap, DecodeValue and Unmarshal
// for a payload that cannot be decoded wraps ErrBadPayload; the more specific
// sentinels below are wrapped as well when they apply, so both
// errors.Is(err, ErrBadPayload) and, for example, errors.Is(err, ErrNonStringKey)
// hold. Marshal wraps only the specific sentinel.
var (
	// ErrBadPayload reports a payload that is not one well-formed msgpack
	// value acceptable to Banyan: truncated or trailing data, reserved codes,
	// or any of the more specific problems below.
	ErrBadPayload = errors.New("banyan: bad msgpack payload")

	// ErrNonStringKey reports a map key that is neither a msgpack str nor a
	// msgpack bin. Python's msgpack (strict_map_key=True, the default since
	// 1.0) rejects such keys with ValueError, which kills a Python Banyan
	// receive loop, so Marshal never emits them and the decoders refuse them.
	ErrNonStringKey = errors.New("banyan: map key is not a string")

	// ErrInvalidUTF8 reports a msgpack str (a Go string) that is not valid
	// UTF-8. Python (raw=False) raises UnicodeDecodeError on such a str, so
	// Marshal refuses to emit one (send binary data as []byte, which becomes
	// msgpack bin) and the decoders refuse to accept one.
	ErrInvalidUTF8 = errors.New("banyan: msgpack str is not valid UTF-8")

	// ErrExtType reports a msgpack ext value (for example a time.Time, which
	// the underlying library encodes as the timestamp extension). Python
	// Banyan never sends ext values and the JavaScript and Java sister
	// implementations cannot decode them, so they are neither emitted nor
	// accepted.
	ErrExtType = errors.New("banyan: msgpack ext types are not supported")

	// ErrNotMap reports a payload whose top-level value is not a map where a
	// map is required (DecodeMap, Unmarshal into *map[string]any).
	ErrNotMap = errors.New("banyan: payload is not a msgpack map")

	// ErrTooDeep reports maps and arrays nested more than MaxNesting levels
	// deep. Python's unpacker fails on such payloads (StackError).
	ErrTooDeep = errors.New("banyan: msgpack nesting too deep")

	// ErrTypeMismatch reports a well-formed payload that does not fit the
	// Go value given to Unmarshal (a str for an int field, 300 for a uint8,
	// ...).
	ErrTypeMismatch = errors.New("banyan: msgpack value does not fit the Go type")
)

// MaxNesting is the deepest nesting of maps and arrays that the codec emits
// or accepts: a top-level map counts as one level. It equals the limit of
// Python msgpack's C unpacker, so everything Marshal produces can be unpacked
// by a Python receiver.
const MaxNesting = 1024

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
func Marshal(v any) ([]byte, error) {
	st := getEncodeState()
	out, err := st.encode(v)
	if err != nil {
		st.release()
		return nil, err
	}
	if cap(out) > maxPooledBuffer {
		// release would drop a buffer this large rather than pool it, so
		// the caller may have it without a copy.
		return out, nil
	}
	out = bytes.Clone(out)
	st.release()
	return out, nil
}

// marshalPooled encodes v as Marshal does, but into a pooled buffer: use is
// called with the encoded bytes, which are valid only during the call (use
// must copy what it keeps), and its error is returned. Nothing is allocated
// for the encoding itself once the pool is warm. Encoding errors are
// Marshal's, and use is not called then.
func marshalPooled(v any, use func(payload []byte) error) error {
	st := getEncodeState()
	out, err := st.encode(v)
	if err == nil {
		err = use(out)
	}
	st.release()
	return err
}

// maxPooledBuffer is the largest buffer kept in encodeStates: one huge
// message must not pin its buffer for the life of the process.
const maxPooledBuffer = 64 << 10

// encodeState is Marshal's reusable scratch space: an encoder writing into
// buf, the offsets of float32 values found by the output check, and the
// buffer for the float64-widened copy.
type encodeState struct {
	buf       bytes.Buffer
	enc       *msgpack.Encoder
	float32At []int
	wide      []byte
}

// encodeStates pools encodeState values across calls and goroutines. Like
// the field cache of encoding/json it is process-wide; that is acceptable
// because a pooled state carries nothing from one call to the next that a
// caller could observe: encode resets the buffer and the encoder's options
// on every use, and the bytes handed out are either copied (Marshal) or
// valid only until the state returns to the pool (marshalPooled).
var encodeStates = sync.Pool{New: func() any {
	st := new(encodeState)
	st.enc = msgpack.NewEncoder(&st.buf)
	return st
}}

func getEncodeState() *encodeState { return encodeStates.Get().(*encodeState) }

// release returns st to the pool unless it has grown too large.
func (st *encodeState) release() {
	if st.buf.Cap() > maxPooledBuffer || cap(st.wide) > maxPooledBuffer {
		return
	}
	encodeStates.Put(st)
}

// encode encodes v and checks the result; the returned bytes belong to st.
func (st *encodeState) encode(v any) ([]byte, error) {
	st.buf.Reset()
	enc := st.enc
	// Reset clears every option, so a custom encoder that changed one on
	// an earlier call cannot affect this one.
	enc.Reset(&st.buf)
	enc.UseCompactInts(true)
	enc.UseCompactFloats(false)
	enc.SetSortMapKeys(true)
	enc.SetCustomStructTag("json")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("banyan: marshal %T: %w", v, err)
	}
	out := st.buf.Bytes()
	c := checker{data: out, marshal: true, float32At: st.float32At[:0]}
	err := c.top()
	st.float32At = c.float32At[:0]
	if err != nil {
		var ce *codecError
		if errors.As(err, &ce) && ce.err == nil {
			// Only custom encoders and RawMessage can produce malformed output.
			return nil, fmt.Errorf("banyan: marshal %T: encoder produced invalid msgpack: %w: %w", v, ErrBadPayload, err)
		}
		return nil, fmt.Errorf("banyan: marshal %T: %w", v, err)
	}
	if len(c.float32At) > 0 {
		st.wide = widenFloat32(st.wide[:0], out, c.float32At)
		out = st.wide
	}
	return out, nil
}

// widenFloat32 appends b to dst with every msgpack float32 at the given
// offsets rewritten into a float64 of the same value. Container headers
// count elements, not bytes, so nothing else changes.
func widenFloat32(dst, b []byte, at []int) []byte {
	dst = slices.Grow(dst, len(b)+4*len(at))
	prev := 0
	for _, o := range at {
		dst = append(dst, b[prev:o]...)
		f := math.Float32frombits(binary.BigEndian.Uint32(b[o+1 : o+5]))
		dst = append(dst, 0xcb)
		dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(float64(f)))
		prev = o + 5
	}
	return append(dst, b[prev:]...)
}

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
func Unmarshal(data []byte, v any) error {
	if p, ok := v.(*any); ok && p != nil && *p == nil {
		val, err := DecodeValue(data)
		if err != nil {
			return err
		}
		*p = val
		return nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("banyan: unmarshal needs a non-nil pointer, not %T", v)
	}
	// Check first, so that a bad payload leaves v untouched; the reader
	// then trusts what the checker accepted.
	if err := checkPayload(data); err != nil {
		return err
	}
	r := reader{data: data}
	elem := rv.Elem()
	if err := r.into(elem, typeInfoOf(elem.Type())); err != nil {
		return fmt.Errorf("banyan: unmarshal into %T: %w", v, err)
	}
	return nil
}

// DecodeMap decodes a payload whose top-level value is a msgpack map, the
// normal shape of a Banyan message, by the rules of DecodeValue. Any other
// top-level value (including nil) is an error wrapping ErrBadPayload and
// ErrNotMap.
func DecodeMap(data []byte) (map[string]any, error) {
	if len(data) > 0 && !isMapCode(data[0]) {
		// Report the type without decoding a possibly large non-map value.
		if err := checkPayload(data); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w: top-level value is %s", ErrBadPayload, ErrNotMap, codeTypeName(data[0]))
	}
	v, err := DecodeValue(data)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

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
func DecodeValue(data []byte) (any, error) {
	c := checker{data: data}
	if err := c.top(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	r := reader{data: data}
	r.reserve(c.strBytes)
	return r.value(), nil
}

// checkPayload applies the payload rules (see checker) to data; the error
// wraps ErrBadPayload.
func checkPayload(data []byte) error {
	c := checker{data: data}
	if err := c.top(); err != nil {
		return fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	return nil
}

// codecError locates a problem in a msgpack byte stream.
type codecError struct {
	off  int      // byte offset of the offending value
	path []string // path segments, innermost first
	msg  string
	err  error // specific sentinel, or nil for structural errors
}

func (e *codecError) Error() string {
	var b strings.Builder
	if len(e.path) > 0 {
		b.WriteString("at $")
		for i := len(e.path) - 1; i >= 0; i-- {
			b.WriteString(e.path[i])
		}
		b.WriteString(" (offset ")
		b.WriteString(strconv.Itoa(e.off))
		b.WriteString("): ")
	} else {
		b.WriteString("at offset ")
		b.WriteString(strconv.Itoa(e.off))
		b.WriteString(": ")
	}
	b.WriteString(e.msg)
	return b.String()
}

func (e *codecError) Unwrap() error { return e.err }

// within prefixes seg to the path of a codecError (called while unwinding).
func within(err error, seg string) error {
	if ce, ok := err.(*codecError); ok {
		ce.path = append(ce.path, seg)
	}
	return err
}

func keySegment(k []byte) string {
	if len(k) == 0 {
		return `[""]`
	}
	for _, c := range k {
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "[" + strconv.Quote(string(k)) + "]"
		}
	}
	return "." + string(k)
}

// ---- checking ----

// checker walks one msgpack value and checks it against Banyan's payload
// rules: exactly one well-formed value, no reserved codes, no ext values,
// str values and map keys valid UTF-8, map keys str or bin, nesting at most
// MaxNesting. It is the one implementation of these rules: Validate,
// DecodeValue, DecodeMap, Unmarshal and Marshal's output check all use it.
// It builds nothing and allocates only to report a failure (and, for
// Marshal, to record float32 offsets).
type checker struct {
	data      []byte
	pos       int
	marshal   bool  // record float32 offsets; wording of errors
	float32At []int // offsets of 0xca codes (marshal only)
	strBytes  int   // bytes of str values and map keys (what DecodeValue copies into strings)
}

func (c *checker) top() error {
	if len(c.data) == 0 {
		return &codecError{off: 0, msg: "empty payload"}
	}
	if err := c.value(0); err != nil {
		return err
	}
	if c.pos != len(c.data) {
		return &codecError{off: c.pos, msg: fmt.Sprintf("%d trailing bytes after the value", len(c.data)-c.pos)}
	}
	return nil
}

// truncated is kept out of line so that take and length, which call it
// only on failure, stay small enough to be inlined.
//
//go:noinline
func (c *checker) truncated(start int, what string) error {
	return &codecError{off: start, msg: fmt.Sprintf("truncated %s (payload is %d bytes)", what, len(c.data))}
}

// need steps over the next n bytes (n >= 0).
func (c *checker) need(start, n int, what string) error {
	if n > len(c.data)-c.pos {
		return c.truncated(start, what)
	}
	c.pos += n
	return nil
}

// take returns the next n bytes.
func (c *checker) take(start, n int, what string) ([]byte, error) {
	if n < 0 || n > len(c.data)-c.pos {
		return nil, c.truncated(start, what)
	}
	b := c.data[c.pos : c.pos+n]
	c.pos += n
	return b, nil
}

// length reads a big-endian length field of size bytes.
func (c *checker) length(start, size int, what string) (int, error) {
	b, err := c.take(start, size, what)
	if err != nil {
		return 0, err
	}
	switch size {
	case 1:
		return int(b[0]), nil
	case 2:
		return int(binary.BigEndian.Uint16(b)), nil
	default:
		n := binary.BigEndian.Uint32(b)
		if uint64(n) > uint64(len(c.data)) {
			return 0, c.truncated(start, what)
		}
		return int(n), nil
	}
}

func (c *checker) value(depth int) error {
	start := c.pos
	if c.pos >= len(c.data) {
		return c.truncated(start, "value")
	}
	code := c.data[c.pos]
	c.pos++
	switch {
	case code <= 0x7f || code >= 0xe0:
		return nil
	case code&0xf0 == 0x80:
		return c.mapBody(start, int(code&0x0f), depth)
	case code&0xf0 == 0x90:
		return c.arrayBody(start, int(code&0x0f), depth)
	case code&0xe0 == 0xa0:
		return c.str(start, int(code&0x1f))
	}
	switch code {
	case 0xc0, 0xc2, 0xc3:
		return nil
	case 0xc4, 0xc5, 0xc6:
		n, err := c.length(start, 1<<(code-0xc4), "bin")
		if err != nil {
			return err
		}
		return c.need(start, n, "bin")
	case 0xc7, 0xc8, 0xc9:
		n, err := c.length(start, 1<<(code-0xc7), "ext")
		if err != nil {
			return err
		}
		return c.ext(start, n)
	case 0xca:
		if err := c.need(start, 4, "float32"); err != nil {
			return err
		}
		if c.marshal {
			c.float32At = append(c.float32At, start)
		}
		return nil
	case 0xcb:
		return c.need(start, 8, "float64")
	case 0xcc, 0xcd, 0xce, 0xcf:
		return c.need(start, 1<<(code-0xcc), "uint")
	case 0xd0, 0xd1, 0xd2, 0xd3:
		return c.need(start, 1<<(code-0xd0), "int")
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return c.ext(start, 1<<(code-0xd4))
	case 0xd9, 0xda, 0xdb:
		n, err := c.length(start, 1<<(code-0xd9), "str")
		if err != nil {
			return err
		}
		return c.str(start, n)
	case 0xdc, 0xdd:
		n, err := c.length(start, 2<<(code-0xdc), "array")
		if err != nil {
			return err
		}
		return c.arrayBody(start, n, depth)
	case 0xde, 0xdf:
		n, err := c.length(start, 2<<(code-0xde), "map")
		if err != nil {
			return err
		}
		return c.mapBody(start, n, depth)
	}
	return &codecError{off: start, msg: fmt.Sprintf("reserved msgpack code 0x%02x", code)}
}

func (c *checker) ext(start, n int) error {
	// Read the type byte only to name it; the data is never used.
	if _, err := c.take(start, 1+n, "ext"); err != nil {
		return err
	}
	typ := int8(c.data[c.pos-n-1])
	return &codecError{off: start, err: ErrExtType, msg: fmt.Sprintf("msgpack ext type %d (%d bytes of data) is not supported", typ, n)}
}

func (c *checker) str(start, n int) error {
	if n > len(c.data)-c.pos {
		return c.truncated(start, "str")
	}
	b := c.data[c.pos : c.pos+n]
	c.pos += n
	if !validUTF8(b) {
		msg := "str is not valid UTF-8"
		if c.marshal {
			msg = "string is not valid UTF-8 (Python receivers would raise UnicodeDecodeError; send binary data as []byte)"
		}
		return &codecError{off: start, err: ErrInvalidUTF8, msg: msg}
	}
	c.strBytes += n
	return nil
}

func (c *checker) enter(start, n, minSize, depth int, what string) error {
	if depth >= MaxNesting {
		return &codecError{off: start, err: ErrTooDeep, msg: fmt.Sprintf("maps and arrays nested deeper than %d levels", MaxNesting)}
	}
	// Every element takes at least one byte: reject impossible counts before
	// anything allocates for them.
	if n > (len(c.data)-c.pos)/minSize {
		return &codecError{off: start, msg: fmt.Sprintf("truncated %s: %d elements cannot fit in the remaining %d bytes", what, n, len(c.data)-c.pos)}
	}
	return nil
}

func (c *checker) arrayBody(start, n, depth int) error {
	if err := c.enter(start, n, 1, depth, "array"); err != nil {
		return err
	}
	for i := range n {
		if err := c.value(depth + 1); err != nil {
			return within(err, "["+strconv.Itoa(i)+"]")
		}
	}
	return nil
}

func (c *checker) mapBody(start, n, depth int) error {
	if err := c.enter(start, n, 2, depth, "map"); err != nil {
		return err
	}
	for range n {
		key, err := c.key()
		if err != nil {
			return err
		}
		if err := c.value(depth + 1); err != nil {
			return within(err, keySegment(key))
		}
	}
	return nil
}

// key checks a map key, which must be a str or a bin, and returns its bytes
// (aliasing data).
func (c *checker) key() ([]byte, error) {
	start := c.pos
	if c.pos >= len(c.data) {
		return nil, c.truncated(start, "map key")
	}
	code := c.data[c.pos]
	var n int
	var err error
	isStr := true
	switch {
	case code&0xe0 == 0xa0:
		c.pos++
		n = int(code & 0x1f)
	case code == 0xd9 || code == 0xda || code == 0xdb:
		c.pos++
		n, err = c.length(start, 1<<(code-0xd9), "str")
	case code == 0xc4 || code == 0xc5 || code == 0xc6:
		c.pos++
		isStr = false
		n, err = c.length(start, 1<<(code-0xc4), "bin")
	default:
		hint := "keys must be str or bin"
		if c.marshal {
			hint = "Python receivers accept only string map keys"
		}
		return nil, &codecError{off: start, err: ErrNonStringKey, msg: fmt.Sprintf("map key has msgpack type %s; %s", codeTypeName(code), hint)}
	}
	if err != nil {
		return nil, err
	}
	if n > len(c.data)-c.pos {
		return nil, c.truncated(start, "map key")
	}
	b := c.data[c.pos : c.pos+n]
	c.pos += n
	if isStr && !validUTF8(b) {
		return nil, &codecError{off: start, err: ErrInvalidUTF8, msg: "map key str is not valid UTF-8"}
	}
	c.strBytes += n
	return b, nil
}

// validUTF8 is utf8.Valid, faster for the short ASCII strings that make up
// most keys and values.
func validUTF8(b []byte) bool {
	if len(b) > 16 {
		return utf8.Valid(b)
	}
	for _, x := range b {
		if x >= utf8.RuneSelf {
			return utf8.Valid(b)
		}
	}
	return true
}

// ---- reading checked payloads ----

// reader decodes a payload that checker has accepted, so it repeats none
// of the checks: a value that is not what the checker saw means that the
// bytes changed underfoot (the caller modified them concurrently), and the
// reader panics.
type reader struct {
	data []byte
	pos  int
	// arena backs the strings that value builds: one allocation for all
	// the str values and keys of a payload instead of one each (see
	// reserve). A string kept from a decoded value keeps the arena alive,
	// which is never more than the str bytes of that payload.
	arena strings.Builder
}

const errChanged = "banyan: msgpack payload changed while it was being decoded"

// reserve sets up the arena for n bytes of strings.
func (r *reader) reserve(n int) {
	r.arena.Reset()
	if n > 0 {
		r.arena.Grow(n)
	}
}

// newString returns b as a string, in the arena if reserve made room.
func (r *reader) newString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if r.arena.Cap()-r.arena.Len() < len(b) {
		return string(b)
	}
	r.arena.Write(b)
	s := r.arena.String()
	return s[len(s)-len(b):]
}

// next returns the next n bytes.
func (r *reader) next(n int) []byte {
	b := r.data[r.pos : r.pos+n]
	r.pos += n
	return b
}

// length reads a big-endian length field of size bytes.
func (r *reader) length(size int) int {
	b := r.next(size)
	switch size {
	case 1:
		return int(b[0])
	case 2:
		return int(binary.BigEndian.Uint16(b))
	case 4:
		return int(binary.BigEndian.Uint32(b))
	}
	panic(errChanged)
}

// key reads a map key (a str or a bin) and returns its bytes.
func (r *reader) key() []byte {
	code := r.data[r.pos]
	r.pos++
	var n int
	switch {
	case code&0xe0 == 0xa0:
		n = int(code & 0x1f)
	case code >= 0xd9 && code <= 0xdb:
		n = r.length(1 << (code - 0xd9))
	case code >= 0xc4 && code <= 0xc6:
		n = r.length(1 << (code - 0xc4))
	default:
		panic(errChanged)
	}
	return r.next(n)
}

// skip steps over the next value and returns how many bytes of strings
// (str values and map keys) building it takes.
func (r *reader) skip() int {
	code := r.data[r.pos]
	r.pos++
	switch {
	case code <= 0x7f || code >= 0xe0:
		return 0
	case code&0xf0 == 0x80:
		return r.skipMap(int(code & 0x0f))
	case code&0xf0 == 0x90:
		return r.skipArray(int(code & 0x0f))
	case code&0xe0 == 0xa0:
		n := int(code & 0x1f)
		r.pos += n
		return n
	}
	switch code {
	case 0xc0, 0xc2, 0xc3:
		return 0
	case 0xc4, 0xc5, 0xc6:
		n := r.length(1 << (code - 0xc4))
		r.pos += n
		return 0
	case 0xca:
		r.pos += 4
		return 0
	case 0xcb:
		r.pos += 8
		return 0
	case 0xcc, 0xcd, 0xce, 0xcf:
		r.pos += 1 << (code - 0xcc)
		return 0
	case 0xd0, 0xd1, 0xd2, 0xd3:
		r.pos += 1 << (code - 0xd0)
		return 0
	case 0xd9, 0xda, 0xdb:
		n := r.length(1 << (code - 0xd9))
		r.pos += n
		return n
	case 0xdc, 0xdd:
		return r.skipArray(r.length(2 << (code - 0xdc)))
	case 0xde, 0xdf:
		return r.skipMap(r.length(2 << (code - 0xde)))
	}
	panic(errChanged)
}

func (r *reader) skipArray(n int) int {
	total := 0
	for range n {
		total += r.skip()
	}
	return total
}

func (r *reader) skipMap(n int) int {
	total := 0
	for range n {
		total += len(r.key())
		total += r.skip()
	}
	return total
}

// buildValue builds the next value as DecodeValue does, with an arena for
// its strings.
func (r *reader) buildValue() any {
	start := r.pos
	n := r.skip()
	r.pos = start
	r.reserve(n)
	return r.value()
}

// value builds the generic Go value of the next value (see DecodeValue).
func (r *reader) value() any {
	code := r.data[r.pos]
	r.pos++
	switch {
	case code <= 0x7f:
		return int64(code)
	case code >= 0xe0:
		return int64(int8(code))
	case code&0xf0 == 0x80:
		return r.mapBody(int(code & 0x0f))
	case code&0xf0 == 0x90:
		return r.arrayBody(int(code & 0x0f))
	case code&0xe0 == 0xa0:
		return r.newString(r.next(int(code & 0x1f)))
	}
	switch code {
	case 0xc0:
		return nil
	case 0xc2:
		return false
	case 0xc3:
		return true
	case 0xc4, 0xc5, 0xc6:
		return bytes.Clone(r.next(r.length(1 << (code - 0xc4))))
	case 0xca:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(r.next(4))))
	case 0xcb:
		return math.Float64frombits(binary.BigEndian.Uint64(r.next(8)))
	case 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3:
		r.pos--
		n, u, big, _ := r.integer()
		if big {
			return u
		}
		return n
	case 0xd9, 0xda, 0xdb:
		return r.newString(r.next(r.length(1 << (code - 0xd9))))
	case 0xdc, 0xdd:
		return r.arrayBody(r.length(2 << (code - 0xdc)))
	case 0xde, 0xdf:
		return r.mapBody(r.length(2 << (code - 0xde)))
	}
	panic(errChanged)
}

func (r *reader) arrayBody(n int) []any {
	arr := make([]any, n)
	for i := range arr {
		arr[i] = r.value()
	}
	return arr
}

func (r *reader) mapBody(n int) map[string]any {
	m := make(map[string]any, n)
	for range n {
		k := r.newString(r.key())
		m[k] = r.value()
	}
	return m
}

// integer reads the next value if it is an integer: n, or u when big (a
// uint64 above math.MaxInt64). ok is false, and nothing is consumed, for
// any other type.
func (r *reader) integer() (n int64, u uint64, big, ok bool) {
	code := r.data[r.pos]
	switch {
	case code <= 0x7f:
		r.pos++
		return int64(code), 0, false, true
	case code >= 0xe0:
		r.pos++
		return int64(int8(code)), 0, false, true
	case code >= 0xcc && code <= 0xcf:
		r.pos++
		b := r.next(1 << (code - 0xcc))
		for _, x := range b {
			u = u<<8 | uint64(x)
		}
		if u > math.MaxInt64 {
			return 0, u, true, true
		}
		return int64(u), 0, false, true
	case code >= 0xd0 && code <= 0xd3:
		r.pos++
		b := r.next(1 << (code - 0xd0))
		switch len(b) {
		case 1:
			n = int64(int8(b[0]))
		case 2:
			n = int64(int16(binary.BigEndian.Uint16(b)))
		case 4:
			n = int64(int32(binary.BigEndian.Uint32(b)))
		default:
			n = int64(binary.BigEndian.Uint64(b))
		}
		return n, 0, false, true
	}
	return 0, 0, false, false
}

// float reads the next value if it is a float.
func (r *reader) float() (float64, bool) {
	switch r.data[r.pos] {
	case 0xca:
		r.pos++
		return float64(math.Float32frombits(binary.BigEndian.Uint32(r.next(4)))), true
	case 0xcb:
		r.pos++
		return math.Float64frombits(binary.BigEndian.Uint64(r.next(8))), true
	}
	return 0, false
}

// strOrBin reads the next value if it is a str or a bin and returns its
// bytes (aliasing data).
func (r *reader) strOrBin() ([]byte, bool) {
	code := r.data[r.pos]
	var n int
	switch {
	case code&0xe0 == 0xa0:
		r.pos++
		n = int(code & 0x1f)
	case code >= 0xd9 && code <= 0xdb:
		r.pos++
		n = r.length(1 << (code - 0xd9))
	case code >= 0xc4 && code <= 0xc6:
		r.pos++
		n = r.length(1 << (code - 0xc4))
	default:
		return nil, false
	}
	return r.next(n), true
}

// containerLen reads a map or array header; ok is false (and nothing is
// consumed) when the next value is not of that kind.
func (r *reader) containerLen(wantMap bool) (n int, ok bool) {
	code := r.data[r.pos]
	switch {
	case wantMap && code&0xf0 == 0x80, !wantMap && code&0xf0 == 0x90:
		r.pos++
		return int(code & 0x0f), true
	case wantMap && (code == 0xde || code == 0xdf):
		r.pos++
		return r.length(2 << (code - 0xde)), true
	case !wantMap && (code == 0xdc || code == 0xdd):
		r.pos++
		return r.length(2 << (code - 0xdc)), true
	}
	return 0, false
}

// ---- Unmarshal into Go types ----

func (r *reader) mismatch(start int, what string, t reflect.Type) error {
	return &codecError{off: start, err: ErrTypeMismatch, msg: fmt.Sprintf("cannot decode msgpack %s into Go %s", what, t)}
}

var (
	anyType          = reflect.TypeFor[any]()
	sliceOfAnyType   = reflect.TypeFor[[]any]()
	mapStringAnyType = reflect.TypeFor[map[string]any]()
)

// into decodes the next value into v, which is settable and of the type
// that ti describes.
func (r *reader) into(v reflect.Value, ti *typeInfo) error {
	t := ti.typ
	start := r.pos
	if ti.self {
		r.skip()
		if err := libDecoder(r.data[start:r.pos]).DecodeValue(v); err != nil {
			return &codecError{off: start, err: fmt.Errorf("%w: %w", ErrTypeMismatch, err), msg: fmt.Sprintf("decoding Go %s: %v", t, err)}
		}
		return nil
	}
	if r.data[start] == 0xc0 {
		r.pos++
		v.SetZero()
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		return r.into(v.Elem(), ti.elemInfo())
	case reflect.Interface:
		if !v.IsNil() {
			if e := v.Elem(); e.Kind() == reflect.Pointer && !e.IsNil() {
				e = e.Elem()
				return r.into(e, typeInfoOf(e.Type()))
			}
		}
		val := r.buildValue()
		if t == anyType && v.CanAddr() {
			// Without the round trip through reflect.Value, which would
			// allocate a copy of val.
			*v.Addr().Interface().(*any) = val
			return nil
		}
		rv := reflect.ValueOf(val)
		if !rv.Type().AssignableTo(t) {
			return r.mismatch(start, genericTypeName(val), t)
		}
		v.Set(rv)
		return nil
	case reflect.Map:
		return r.intoMap(v, ti, start)
	case reflect.Struct:
		return r.intoStruct(v, ti.fields, start)
	case reflect.Slice, reflect.Array:
		return r.intoList(v, ti, start)
	}
	return r.intoScalar(v, start)
}

func (r *reader) intoScalar(v reflect.Value, start int) error {
	t := v.Type()
	code := r.data[start]
	switch t.Kind() {
	case reflect.Bool:
		if code == 0xc2 || code == 0xc3 {
			r.pos++
			v.SetBool(code == 0xc3)
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n, u, big, ok := r.integer(); ok {
			if big {
				return r.mismatch(start, "int "+strconv.FormatUint(u, 10), t)
			}
			if v.OverflowInt(n) {
				return r.mismatch(start, "int "+strconv.FormatInt(n, 10), t)
			}
			v.SetInt(n)
			return nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if n, u, big, ok := r.integer(); ok {
			if !big {
				if n < 0 {
					return r.mismatch(start, "int "+strconv.FormatInt(n, 10), t)
				}
				u = uint64(n)
			}
			if v.OverflowUint(u) {
				return r.mismatch(start, "int "+strconv.FormatUint(u, 10), t)
			}
			v.SetUint(u)
			return nil
		}
	case reflect.Float32, reflect.Float64:
		if n, u, big, ok := r.integer(); ok {
			if big {
				v.SetFloat(float64(u))
			} else {
				v.SetFloat(float64(n))
			}
			return nil
		}
		if f, ok := r.float(); ok {
			if math.IsInf(f, 0) || math.IsNaN(f) || !v.OverflowFloat(f) {
				v.SetFloat(f)
				return nil
			}
			return r.mismatch(start, "float "+strconv.FormatFloat(f, 'g', -1, 64), t)
		}
	case reflect.String:
		// A bin is copied into a string without a UTF-8 check.
		if b, ok := r.strOrBin(); ok {
			v.SetString(string(b))
			return nil
		}
	}
	return r.mismatch(start, codeTypeName(code), t)
}

func (r *reader) intoMap(v reflect.Value, ti *typeInfo, start int) error {
	t := ti.typ
	n, ok := r.containerLen(true)
	if !ok {
		return r.mismatch(start, codeTypeName(r.data[start]), t)
	}
	if t.Key().Kind() != reflect.String {
		return r.mismatch(start, "map", t)
	}
	if t == mapStringAnyType && v.CanAddr() {
		// Every value fits any: build the entries directly.
		body := r.pos
		r.pos = start
		r.reserve(r.skip())
		r.pos = body
		p := v.Addr().Interface().(*map[string]any)
		if *p == nil {
			*p = r.mapBody(n)
			return nil
		}
		for range n {
			k := r.newString(r.key())
			(*p)[k] = r.value()
		}
		return nil
	}
	if v.IsNil() {
		v.Set(reflect.MakeMapWithSize(t, n))
	}
	kt, et, ei := t.Key(), t.Elem(), ti.elemInfo()
	for range n {
		key := r.key()
		ev := reflect.New(et).Elem()
		if err := r.into(ev, ei); err != nil {
			return within(err, keySegment(key))
		}
		kv := reflect.ValueOf(string(key))
		if kt != kv.Type() {
			kv = kv.Convert(kt)
		}
		v.SetMapIndex(kv, ev)
	}
	return nil
}

func (r *reader) intoList(v reflect.Value, ti *typeInfo, start int) error {
	t := ti.typ
	code := r.data[start]
	if t.Elem().Kind() == reflect.Uint8 {
		if b, ok := r.strOrBin(); ok {
			if t.Kind() == reflect.Slice {
				v.SetBytes(append([]byte{}, b...)) // a copy, never nil
				return nil
			}
			if len(b) > v.Len() {
				return r.mismatch(start, fmt.Sprintf("%s of %d bytes", codeTypeName(code), len(b)), t)
			}
			for i := range v.Len() {
				var x byte
				if i < len(b) {
					x = b[i]
				}
				v.Index(i).SetUint(uint64(x)) // element type may be a named byte type
			}
			return nil
		}
	}
	n, ok := r.containerLen(false)
	if !ok {
		return r.mismatch(start, codeTypeName(code), t)
	}
	if t.Kind() == reflect.Slice {
		if t == sliceOfAnyType && v.CanAddr() {
			// Every element fits any: build them directly.
			body := r.pos
			r.pos = start
			r.reserve(r.skip())
			r.pos = body
			*v.Addr().Interface().(*[]any) = r.arrayBody(n)
			return nil
		}
		sl := reflect.MakeSlice(t, n, n)
		ei := ti.elemInfo()
		for i := range n {
			if err := r.into(sl.Index(i), ei); err != nil {
				return within(err, "["+strconv.Itoa(i)+"]")
			}
		}
		v.Set(sl)
		return nil
	}
	ei := ti.elemInfo()
	for i := range n {
		if i >= v.Len() {
			r.skip()
			continue
		}
		if err := r.into(v.Index(i), ei); err != nil {
			return within(err, "["+strconv.Itoa(i)+"]")
		}
	}
	for i := n; i < v.Len(); i++ {
		v.Index(i).SetZero()
	}
	return nil
}

func (r *reader) intoStruct(v reflect.Value, fs *structInfo, start int) error {
	t := v.Type()
	n, isMap := r.containerLen(true)
	if !isMap {
		var isArray bool
		n, isArray = r.containerLen(false)
		if !isArray {
			return r.mismatch(start, codeTypeName(r.data[start]), t)
		}
		if n != len(fs.list) {
			return r.mismatch(start, fmt.Sprintf("array of %d elements", n), t)
		}
		for i, f := range fs.list {
			if err := r.intoField(v, f); err != nil {
				return within(err, "["+strconv.Itoa(i)+"]")
			}
		}
		return nil
	}
	for range n {
		key := r.key()
		f := fs.byName[string(key)]
		if f == nil {
			r.skip()
			continue
		}
		if err := r.intoField(v, f); err != nil {
			return within(err, keySegment(key))
		}
	}
	return nil
}

// intoField decodes into the field at f.index of the struct v, allocating
// embedded struct pointers on the way.
func (r *reader) intoField(v reflect.Value, f *structField) error {
	for i, idx := range f.index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return &codecError{off: r.pos, err: ErrTypeMismatch, msg: fmt.Sprintf("cannot allocate unexported embedded %s for field %q", v.Type(), f.name)}
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(idx)
	}
	if !v.CanSet() {
		return &codecError{off: r.pos, err: ErrTypeMismatch, msg: fmt.Sprintf("field %q is not settable", f.name)}
	}
	return r.into(v, f.typeInfo())
}

// decodesItself reports whether values of t (or *t) decode themselves.
func decodesItself(t reflect.Type) bool {
	if t.Kind() == reflect.Interface {
		return false
	}
	for _, x := range []reflect.Type{t, reflect.PointerTo(t)} {
		if x.NumMethod() == 0 {
			continue
		}
		if x.Implements(reflect.TypeFor[msgpack.CustomDecoder]()) || x.Implements(reflect.TypeFor[msgpack.Unmarshaler]()) ||
			x.Implements(reflect.TypeFor[encoding.BinaryUnmarshaler]()) || x.Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
			return true
		}
	}
	return false
}

// libDecoder returns a github.com/vmihailenco/msgpack/v5 Decoder for data,
// configured like Unmarshal: json tag fallback, and maps reaching an
// interface decoded by DecodeValue's rules.
func libDecoder(data []byte) *msgpack.Decoder {
	dec := msgpack.NewDecoder(bytes.NewReader(data))
	dec.SetCustomStructTag("json")
	dec.UseLooseInterfaceDecoding(true)
	dec.SetMapDecoder(func(d *msgpack.Decoder) (any, error) {
		raw, err := d.DecodeRaw()
		if err != nil {
			return nil, err
		}
		return DecodeValue(raw)
	})
	return dec
}

// typeInfo is what Unmarshal needs to know about a Go type.
type typeInfo struct {
	typ    reflect.Type
	self   bool        // decodes itself (decodesItself)
	fields *structInfo // for struct types that do not decode themselves
	// elem links pointer, slice, array and map types to the typeInfo of
	// their element type, looked up on first use (looking it up here
	// would recurse forever on recursive types).
	elem atomic.Pointer[typeInfo]
}

func (ti *typeInfo) elemInfo() *typeInfo {
	if e := ti.elem.Load(); e != nil {
		return e
	}
	e := typeInfoOf(ti.typ.Elem())
	ti.elem.Store(e)
	return e
}

// typeInfos caches typeInfo by reflect.Type for the whole process, as
// encoding/json caches its struct fields. Sharing it between calls,
// goroutines and components is safe and invisible to callers: an entry is
// derived from the type alone (its methods, fields and struct tags), never
// from a call's data or options, so every call would compute the same
// value; it only saves recomputing it for every message. It grows with the
// number of distinct types decoded into, which a program fixes in its code.
var typeInfos sync.Map // reflect.Type → *typeInfo

func typeInfoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeInfos.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := &typeInfo{typ: t, self: decodesItself(t)}
	if !ti.self && t.Kind() == reflect.Struct {
		ti.fields = buildStructFields(t)
	}
	actual, _ := typeInfos.LoadOrStore(t, ti)
	return actual.(*typeInfo)
}

// structField is a decodable struct field: its msgpack name, index path
// and type.
type structField struct {
	name  string
	index []int
	typ   reflect.Type
	info  atomic.Pointer[typeInfo] // typeInfoOf(typ), set on first use
}

func (f *structField) typeInfo() *typeInfo {
	if ti := f.info.Load(); ti != nil {
		return ti
	}
	ti := typeInfoOf(f.typ)
	f.info.Store(ti)
	return ti
}

type structInfo struct {
	byName map[string]*structField
	list   []*structField
}

func (fs *structInfo) add(f *structField) {
	fs.byName[f.name] = f
	fs.list = append(fs.list, f)
}

// buildStructFields returns the fields of struct type t, named as
// github.com/vmihailenco/msgpack/v5 names them when encoding with "json" as
// the fallback tag (so Unmarshal reads what Marshal writes). Unmarshal
// caches the result (see typeInfos).
func buildStructFields(t reflect.Type) *structInfo {
	fs := &structInfo{byName: make(map[string]*structField, t.NumField())}
	for i := range t.NumField() {
		f := t.Field(i)
		tagStr := f.Tag.Get("msgpack")
		if tagStr == "" {
			tagStr = f.Tag.Get("json")
		}
		tag := tagparser.Parse(tagStr)
		if tag.Name == "-" {
			continue
		}
		if f.PkgPath != "" && !f.Anonymous {
			continue
		}
		field := &structField{name: tag.Name, index: f.Index, typ: f.Type}
		if field.name == "" {
			field.name = f.Name
		}
		if f.Anonymous && !tag.HasOption("noinline") {
			inline := tag.HasOption("inline")
			if inline {
				inlineFields(fs, f.Type, field, false)
			} else {
				inline = inlineFields(fs, f.Type, field, true)
			}
			if inline {
				fs.byName[field.name] = field
				continue
			}
		}
		fs.add(field)
		if alias, ok := tag.Options["alias"]; ok {
			fs.byName[alias] = field
		}
	}
	return fs
}

// inlineFields adds the fields of the embedded struct type typ (behind any
// pointers) to fs. In auto mode it inlines only plain structs whose fields
// do not collide with fields already present, and reports whether it did.
func inlineFields(fs *structInfo, typ reflect.Type, parent *structField, auto bool) bool {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct {
		return false
	}
	if auto && (decodesItself(typ) || encodesItself(typ)) {
		return false
	}
	inner := buildStructFields(typ).list
	if auto {
		for _, f := range inner {
			if _, ok := fs.byName[f.name]; ok {
				return false
			}
		}
	}
	for _, f := range inner {
		if _, ok := fs.byName[f.name]; ok {
			continue // shadowed
		}
		fs.add(&structField{name: f.name, index: append(append([]int(nil), parent.index...), f.index...), typ: f.typ})
	}
	return true
}

// encodesItself reports whether values of t (or *t) encode themselves.
func encodesItself(t reflect.Type) bool {
	for _, x := range []reflect.Type{t, reflect.PointerTo(t)} {
		if x.NumMethod() == 0 {
			continue
		}
		if x.Implements(reflect.TypeFor[msgpack.CustomEncoder]()) || x.Implements(reflect.TypeFor[msgpack.Marshaler]()) ||
			x.Implements(reflect.TypeFor[encoding.BinaryMarshaler]()) || x.Implements(reflect.TypeFor[encoding.TextMarshaler]()) {
			return true
		}
	}
	return false
}

func isMapCode(c byte) bool { return c&0xf0 == 0x80 || c == 0xde || c == 0xdf }

// codeTypeName names the msgpack type family of a leading code byte, in the
// terms of the msgpack specification.
func codeTypeName(c byte) string {
	switch {
	case c <= 0x7f || c >= 0xe0 || c >= 0xcc && c <= 0xd3:
		return "int"
	case isMapCode(c):
		return "map"
	case c&0xf0 == 0x90 || c == 0xdc || c == 0xdd:
		return "array"
	case c&0xe0 == 0xa0 || c >= 0xd9 && c <= 0xdb:
		return "str"
	case c >= 0xc4 && c <= 0xc6:
		return "bin"
	case c == 0xc0:
		return "nil"
	case c == 0xc2 || c == 0xc3:
		return "bool"
	case c == 0xca || c == 0xcb:
		return "float"
	case c >= 0xc7 && c <= 0xc9 || c >= 0xd4 && c <= 0xd8:
		return "ext"
	}
	return fmt.Sprintf("reserved (0x%02x)", c)
}

// genericTypeName names the msgpack type of a value produced by DecodeValue.
func genericTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "bool"
	case int64, uint64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bin"
	case []any:
		return "array"
	case map[string]any:
		return "map"
	}
	return fmt.Sprintf("%T", v)
}
