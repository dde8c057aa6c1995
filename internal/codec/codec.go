package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/vmihailenco/msgpack/v5"
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
// by a Python receiver. banyan.MaxNesting is this constant.
const MaxNesting = 1024

// Marshal encodes v as one msgpack value, byte for byte as Python Banyan's
// msgpack.packb(v, use_bin_type=True) encodes the corresponding Python value.
// banyan.Marshal is this function; its documentation lists the encoding
// rules. Errors wrap ErrInvalidUTF8, ErrNonStringKey, ErrExtType, ErrTooDeep
// or, for a custom encoder whose output is malformed, ErrBadPayload.
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

// MarshalPooled encodes v as Marshal does, but into a pooled buffer: use is
// called with the encoded bytes, which are valid only during the call (use
// must copy what it keeps), and its error is returned. Nothing is allocated
// for the encoding itself once the pool is warm. Encoding errors are
// Marshal's, and use is not called then. Component.Publish sends with it.
func MarshalPooled(v any, use func(payload []byte) error) error {
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
// valid only until the state returns to the pool (MarshalPooled).
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
// non-nil pointer. The payload is first checked as Validate checks it, so a
// bad payload leaves v untouched; a payload that does not fit v is an error
// wrapping ErrTypeMismatch. banyan.Unmarshal is this function; its
// documentation lists the decoding rules.
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
	if err := Validate(data); err != nil {
		return err
	}
	r := reader{data: data}
	elem := rv.Elem()
	if err := r.into(elem, typeInfoOf(elem.Type())); err != nil {
		return fmt.Errorf("banyan: unmarshal into %T: %w", v, err)
	}
	return nil
}

// DecodeMap decodes a payload whose top-level value is a msgpack map, by the
// rules of DecodeValue. Any other top-level value (including nil) is an
// error wrapping ErrBadPayload and ErrNotMap. banyan.DecodeMap is this
// function.
func DecodeMap(data []byte) (map[string]any, error) {
	if len(data) > 0 && !isMapCode(data[0]) {
		// Report the type without decoding a possibly large non-map value.
		if err := Validate(data); err != nil {
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

// DecodeValue decodes one msgpack value of any type into generic Go values
// (nil, bool, int64, uint64 above math.MaxInt64, float64, string, []byte,
// []any, map[string]any), matching what Python's msgpack.unpackb(data,
// raw=False) returns. Every failure wraps ErrBadPayload. banyan.DecodeValue
// is this function; its documentation lists the rules, numpy payloads
// included.
func DecodeValue(data []byte) (any, error) {
	c := checker{data: data}
	if err := c.top(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	r := reader{data: data}
	r.reserve(c.strBytes)
	return r.value(), nil
}

// Validate checks that data is exactly one well-formed msgpack value that a
// Python Banyan receiver (unpackb(raw=False), strict map keys) would accept,
// by the rules of checker, which DecodeValue, DecodeMap and Unmarshal apply
// too. It does not allocate when data is valid. The error wraps
// ErrBadPayload, and the specific sentinel when one applies. banyan.Validate
// is this function.
func Validate(data []byte) error {
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
