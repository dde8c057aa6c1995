package banyan

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
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
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.UseCompactInts(true)
	enc.UseCompactFloats(false)
	enc.SetSortMapKeys(true)
	enc.SetCustomStructTag("json")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("banyan: marshal %T: %w", v, err)
	}
	out := buf.Bytes()
	s := scanner{data: out, marshal: true}
	if err := s.check(); err != nil {
		var ce *codecError
		if errors.As(err, &ce) && ce.err == nil {
			// Only custom encoders and RawMessage can produce malformed output.
			return nil, fmt.Errorf("banyan: marshal %T: encoder produced invalid msgpack: %w: %w", v, ErrBadPayload, err)
		}
		return nil, fmt.Errorf("banyan: marshal %T: %w", v, err)
	}
	if len(s.float32At) > 0 {
		out = widenFloat32(out, s.float32At)
	}
	return out, nil
}

// widenFloat32 rewrites every msgpack float32 at the given offsets into a
// float64 of the same value. Container headers count elements, not bytes, so
// nothing else changes.
func widenFloat32(b []byte, at []int) []byte {
	out := make([]byte, 0, len(b)+4*len(at))
	prev := 0
	for _, o := range at {
		out = append(out, b[prev:o]...)
		f := math.Float32frombits(binary.BigEndian.Uint32(b[o+1 : o+5]))
		out = append(out, 0xcb)
		out = binary.BigEndian.AppendUint64(out, math.Float64bits(float64(f)))
		prev = o + 5
	}
	return append(out, b[prev:]...)
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
	s := scanner{data: data}
	if err := s.check(); err != nil {
		return fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	s = scanner{data: data, build: true}
	if err := s.into(rv.Elem(), 0); err != nil {
		return fmt.Errorf("banyan: unmarshal into %T: %w", v, err)
	}
	return nil
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

func (s *scanner) mismatch(start int, what string, t reflect.Type) error {
	return &codecError{off: start, err: ErrTypeMismatch, msg: fmt.Sprintf("cannot decode msgpack %s into Go %s", what, t)}
}

// skip steps over one (already validated) value and returns its bytes.
func (s *scanner) skip(depth int) ([]byte, error) {
	start := s.pos
	build := s.build
	s.build = false
	_, err := s.value(depth)
	s.build = build
	return s.data[start:s.pos], err
}

// containerLen reads a map or array header; ok is false (and nothing is
// consumed) when the next value is not of that kind.
func (s *scanner) containerLen(wantMap bool) (n int, ok bool, err error) {
	start := s.pos
	c := s.data[s.pos]
	var size int
	switch {
	case wantMap && c&0xf0 == 0x80, !wantMap && c&0xf0 == 0x90:
		s.pos++
		return int(c & 0x0f), true, nil
	case wantMap && (c == 0xde || c == 0xdf):
		size = 2 << (c - 0xde)
	case !wantMap && (c == 0xdc || c == 0xdd):
		size = 2 << (c - 0xdc)
	default:
		return 0, false, nil
	}
	s.pos++
	n, err = s.length(start, size, "header")
	return n, err == nil, err
}

// into decodes the next value into v, which is settable or addressable.
func (s *scanner) into(v reflect.Value, depth int) error {
	t := v.Type()
	start := s.pos
	if start >= len(s.data) {
		return s.truncated(start, "value")
	}
	if decodesItself(t) {
		raw, err := s.skip(depth)
		if err != nil {
			return err
		}
		if err := libDecoder(raw).DecodeValue(v); err != nil {
			return &codecError{off: start, err: fmt.Errorf("%w: %w", ErrTypeMismatch, err), msg: fmt.Sprintf("decoding Go %s: %v", t, err)}
		}
		return nil
	}
	c := s.data[start]
	if c == 0xc0 {
		s.pos++
		v.Set(reflect.Zero(t))
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		return s.into(v.Elem(), depth)
	case reflect.Interface:
		if !v.IsNil() {
			if e := v.Elem(); e.Kind() == reflect.Pointer && !e.IsNil() {
				return s.into(e.Elem(), depth)
			}
		}
		val, err := s.value(depth)
		if err != nil {
			return err
		}
		rv := reflect.ValueOf(val)
		if !rv.Type().AssignableTo(t) {
			return s.mismatch(start, genericTypeName(val), t)
		}
		v.Set(rv)
		return nil
	case reflect.Map:
		return s.intoMap(v, start, depth)
	case reflect.Struct:
		return s.intoStruct(v, start, depth)
	case reflect.Slice, reflect.Array:
		return s.intoList(v, start, depth)
	}
	val, err := s.value(depth)
	if err != nil {
		return err
	}
	return s.assignScalar(v, start, val)
}

func (s *scanner) assignScalar(v reflect.Value, start int, val any) error {
	t := v.Type()
	switch t.Kind() {
	case reflect.Bool:
		if b, ok := val.(bool); ok {
			v.SetBool(b)
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch n := val.(type) {
		case int64:
			if !v.OverflowInt(n) {
				v.SetInt(n)
				return nil
			}
			return s.mismatch(start, "int "+strconv.FormatInt(n, 10), t)
		case uint64:
			return s.mismatch(start, "int "+strconv.FormatUint(n, 10), t)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		switch n := val.(type) {
		case int64:
			if n >= 0 && !v.OverflowUint(uint64(n)) {
				v.SetUint(uint64(n))
				return nil
			}
			return s.mismatch(start, "int "+strconv.FormatInt(n, 10), t)
		case uint64:
			if !v.OverflowUint(n) {
				v.SetUint(n)
				return nil
			}
			return s.mismatch(start, "int "+strconv.FormatUint(n, 10), t)
		}
	case reflect.Float32, reflect.Float64:
		switch n := val.(type) {
		case int64:
			v.SetFloat(float64(n))
			return nil
		case uint64:
			v.SetFloat(float64(n))
			return nil
		case float64:
			if math.IsInf(n, 0) || math.IsNaN(n) || !v.OverflowFloat(n) {
				v.SetFloat(n)
				return nil
			}
			return s.mismatch(start, "float "+strconv.FormatFloat(n, 'g', -1, 64), t)
		}
	case reflect.String:
		switch x := val.(type) {
		case string:
			v.SetString(x)
			return nil
		case []byte:
			v.SetString(string(x))
			return nil
		}
	}
	return s.mismatch(start, genericTypeName(val), t)
}

func (s *scanner) intoMap(v reflect.Value, start, depth int) error {
	t := v.Type()
	n, ok, err := s.containerLen(true)
	if err != nil {
		return err
	}
	if !ok {
		return s.mismatch(start, codeTypeName(s.data[start]), t)
	}
	if t.Key().Kind() != reflect.String {
		return s.mismatch(start, "map", t)
	}
	if err := s.enter(start, n, 2, depth, "map"); err != nil {
		return err
	}
	if v.IsNil() {
		v.Set(reflect.MakeMapWithSize(t, n))
	}
	kt, et := t.Key(), t.Elem()
	for range n {
		key, err := s.key()
		if err != nil {
			return err
		}
		ev := reflect.New(et).Elem()
		if err := s.into(ev, depth+1); err != nil {
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

func (s *scanner) intoList(v reflect.Value, start, depth int) error {
	t := v.Type()
	c := s.data[start]
	if t.Elem().Kind() == reflect.Uint8 && (c&0xe0 == 0xa0 || c >= 0xd9 && c <= 0xdb || c >= 0xc4 && c <= 0xc6) {
		val, err := s.value(depth)
		if err != nil {
			return err
		}
		var b []byte
		switch x := val.(type) {
		case []byte:
			b = x
		case string:
			b = []byte(x)
		}
		if t.Kind() == reflect.Slice {
			v.SetBytes(b)
			return nil
		}
		if len(b) > v.Len() {
			return s.mismatch(start, fmt.Sprintf("%s of %d bytes", genericTypeName(val), len(b)), t)
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
	n, ok, err := s.containerLen(false)
	if err != nil {
		return err
	}
	if !ok {
		return s.mismatch(start, codeTypeName(c), t)
	}
	if err := s.enter(start, n, 1, depth, "array"); err != nil {
		return err
	}
	if t.Kind() == reflect.Slice {
		sl := reflect.MakeSlice(t, n, n)
		for i := range n {
			if err := s.into(sl.Index(i), depth+1); err != nil {
				return within(err, "["+strconv.Itoa(i)+"]")
			}
		}
		v.Set(sl)
		return nil
	}
	for i := range n {
		if i >= v.Len() {
			if _, err := s.skip(depth + 1); err != nil {
				return err
			}
			continue
		}
		if err := s.into(v.Index(i), depth+1); err != nil {
			return within(err, "["+strconv.Itoa(i)+"]")
		}
	}
	for i := n; i < v.Len(); i++ {
		v.Index(i).SetZero()
	}
	return nil
}

func (s *scanner) intoStruct(v reflect.Value, start, depth int) error {
	t := v.Type()
	fs := s.structFields(t)
	n, isMap, err := s.containerLen(true)
	if err != nil {
		return err
	}
	if !isMap {
		var isArray bool
		n, isArray, err = s.containerLen(false)
		if err != nil {
			return err
		}
		if !isArray {
			return s.mismatch(start, codeTypeName(s.data[start]), t)
		}
		if n != len(fs.list) {
			return s.mismatch(start, fmt.Sprintf("array of %d elements", n), t)
		}
		if err := s.enter(start, n, 1, depth, "array"); err != nil {
			return err
		}
		for i, f := range fs.list {
			if err := s.intoField(v, f, depth); err != nil {
				return within(err, "["+strconv.Itoa(i)+"]")
			}
		}
		return nil
	}
	if err := s.enter(start, n, 2, depth, "map"); err != nil {
		return err
	}
	for range n {
		key, err := s.key()
		if err != nil {
			return err
		}
		f := fs.byName[string(key)]
		if f == nil {
			if _, err := s.skip(depth + 1); err != nil {
				return err
			}
			continue
		}
		if err := s.intoField(v, f, depth); err != nil {
			return within(err, keySegment(key))
		}
	}
	return nil
}

// intoField decodes into the field at f.index of the struct v, allocating
// embedded struct pointers on the way.
func (s *scanner) intoField(v reflect.Value, f *structField, depth int) error {
	for i, idx := range f.index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return &codecError{off: s.pos, err: ErrTypeMismatch, msg: fmt.Sprintf("cannot allocate unexported embedded %s for field %q", v.Type(), f.name)}
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(idx)
	}
	if !v.CanSet() {
		return &codecError{off: s.pos, err: ErrTypeMismatch, msg: fmt.Sprintf("field %q is not settable", f.name)}
	}
	return s.into(v, depth+1)
}

// structField is a decodable struct field: its msgpack name and index path.
type structField struct {
	name  string
	index []int
}

type structInfo struct {
	byName map[string]*structField
	list   []*structField
}

func (fs *structInfo) add(f *structField) {
	fs.byName[f.name] = f
	fs.list = append(fs.list, f)
}

// structFields returns the fields of struct type t, named as
// github.com/vmihailenco/msgpack/v5 names them when encoding with "json" as
// the fallback tag (so Unmarshal reads what Marshal writes). Results are
// cached for the duration of one Unmarshal call.
func (s *scanner) structFields(t reflect.Type) *structInfo {
	if fs, ok := s.structs[t]; ok {
		return fs
	}
	fs := buildStructFields(t)
	if s.structs == nil {
		s.structs = make(map[reflect.Type]*structInfo)
	}
	s.structs[t] = fs
	return fs
}

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
		field := &structField{name: tag.Name, index: f.Index}
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
		fs.add(&structField{name: f.name, index: append(append([]int(nil), parent.index...), f.index...)})
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

// DecodeMap decodes a payload whose top-level value is a msgpack map, the
// normal shape of a Banyan message, by the rules of DecodeValue. Any other
// top-level value (including nil) is an error wrapping ErrBadPayload and
// ErrNotMap.
func DecodeMap(data []byte) (map[string]any, error) {
	if len(data) > 0 && !isMapCode(data[0]) {
		// Report the type without decoding a possibly large non-map value.
		s := scanner{data: data}
		if err := s.check(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
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
	s := scanner{data: data, build: true}
	v, err := s.top()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	return v, nil
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

// scanner walks one msgpack value. With build set it constructs the generic
// Go value; otherwise it only validates (and, for Marshal, records where
// float32 values are).
type scanner struct {
	data      []byte
	pos       int
	build     bool
	marshal   bool  // record float32 offsets; wording of errors
	float32At []int // offsets of 0xca codes (marshal only)

	structs map[reflect.Type]*structInfo // Unmarshal's field cache
}

// check validates that data holds exactly one acceptable value.
func (s *scanner) check() error {
	_, err := s.top()
	return err
}

func (s *scanner) top() (any, error) {
	if len(s.data) == 0 {
		return nil, &codecError{off: 0, msg: "empty payload"}
	}
	v, err := s.value(0)
	if err != nil {
		return nil, err
	}
	if s.pos != len(s.data) {
		return nil, &codecError{off: s.pos, msg: fmt.Sprintf("%d trailing bytes after the value", len(s.data)-s.pos)}
	}
	return v, nil
}

func (s *scanner) truncated(start int, what string) error {
	return &codecError{off: start, msg: fmt.Sprintf("truncated %s (payload is %d bytes)", what, len(s.data))}
}

// take returns the next n bytes.
func (s *scanner) take(start, n int, what string) ([]byte, error) {
	if n < 0 || n > len(s.data)-s.pos {
		return nil, s.truncated(start, what)
	}
	b := s.data[s.pos : s.pos+n]
	s.pos += n
	return b, nil
}

// length reads a big-endian length field of size bytes.
func (s *scanner) length(start, size int, what string) (int, error) {
	b, err := s.take(start, size, what)
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
		if uint64(n) > uint64(len(s.data)) {
			return 0, s.truncated(start, what)
		}
		return int(n), nil
	}
}

func (s *scanner) value(depth int) (any, error) {
	start := s.pos
	if s.pos >= len(s.data) {
		return nil, s.truncated(start, "value")
	}
	c := s.data[s.pos]
	s.pos++
	switch {
	case c <= 0x7f:
		if !s.build {
			return nil, nil
		}
		return int64(c), nil
	case c >= 0xe0:
		if !s.build {
			return nil, nil
		}
		return int64(int8(c)), nil
	case c&0xf0 == 0x80:
		return s.mapBody(start, int(c&0x0f), depth)
	case c&0xf0 == 0x90:
		return s.arrayBody(start, int(c&0x0f), depth)
	case c&0xe0 == 0xa0:
		return s.str(start, int(c&0x1f))
	}
	switch c {
	case 0xc0:
		return nil, nil
	case 0xc2:
		return false, nil
	case 0xc3:
		return true, nil
	case 0xc4, 0xc5, 0xc6:
		n, err := s.length(start, 1<<(c-0xc4), "bin")
		if err != nil {
			return nil, err
		}
		b, err := s.take(start, n, "bin")
		if err != nil || !s.build {
			return nil, err
		}
		return bytes.Clone(b), nil
	case 0xc7, 0xc8, 0xc9:
		n, err := s.length(start, 1<<(c-0xc7), "ext")
		if err != nil {
			return nil, err
		}
		return nil, s.ext(start, n)
	case 0xca:
		if _, err := s.take(start, 4, "float32"); err != nil {
			return nil, err
		}
		if s.marshal {
			s.float32At = append(s.float32At, start)
		}
		if !s.build {
			return nil, nil
		}
		return float64(math.Float32frombits(binary.BigEndian.Uint32(s.data[start+1:]))), nil
	case 0xcb:
		b, err := s.take(start, 8, "float64")
		if err != nil || !s.build {
			return nil, err
		}
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case 0xcc, 0xcd, 0xce, 0xcf:
		size := 1 << (c - 0xcc)
		b, err := s.take(start, size, "uint")
		if err != nil || !s.build {
			return nil, err
		}
		var u uint64
		for _, x := range b {
			u = u<<8 | uint64(x)
		}
		if u > math.MaxInt64 {
			return u, nil
		}
		return int64(u), nil
	case 0xd0, 0xd1, 0xd2, 0xd3:
		size := 1 << (c - 0xd0)
		b, err := s.take(start, size, "int")
		if err != nil || !s.build {
			return nil, err
		}
		switch size {
		case 1:
			return int64(int8(b[0])), nil
		case 2:
			return int64(int16(binary.BigEndian.Uint16(b))), nil
		case 4:
			return int64(int32(binary.BigEndian.Uint32(b))), nil
		default:
			return int64(binary.BigEndian.Uint64(b)), nil
		}
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return nil, s.ext(start, 1<<(c-0xd4))
	case 0xd9, 0xda, 0xdb:
		n, err := s.length(start, 1<<(c-0xd9), "str")
		if err != nil {
			return nil, err
		}
		return s.str(start, n)
	case 0xdc, 0xdd:
		n, err := s.length(start, 2<<(c-0xdc), "array")
		if err != nil {
			return nil, err
		}
		return s.arrayBody(start, n, depth)
	case 0xde, 0xdf:
		n, err := s.length(start, 2<<(c-0xde), "map")
		if err != nil {
			return nil, err
		}
		return s.mapBody(start, n, depth)
	}
	return nil, &codecError{off: start, msg: fmt.Sprintf("reserved msgpack code 0x%02x", c)}
}

func (s *scanner) ext(start, n int) error {
	// Read the type byte only to name it; the data is never used.
	if _, err := s.take(start, 1+n, "ext"); err != nil {
		return err
	}
	typ := int8(s.data[s.pos-n-1])
	return &codecError{off: start, err: ErrExtType, msg: fmt.Sprintf("msgpack ext type %d (%d bytes of data) is not supported", typ, n)}
}

func (s *scanner) str(start, n int) (any, error) {
	b, err := s.take(start, n, "str")
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(b) {
		msg := "str is not valid UTF-8"
		if s.marshal {
			msg = "string is not valid UTF-8 (Python receivers would raise UnicodeDecodeError; send binary data as []byte)"
		}
		return nil, &codecError{off: start, err: ErrInvalidUTF8, msg: msg}
	}
	if !s.build {
		return nil, nil
	}
	return string(b), nil
}

func (s *scanner) enter(start, n, minSize, depth int, what string) error {
	if depth >= MaxNesting {
		return &codecError{off: start, err: ErrTooDeep, msg: fmt.Sprintf("maps and arrays nested deeper than %d levels", MaxNesting)}
	}
	// Every element takes at least one byte: reject impossible counts before
	// allocating for them.
	if n > (len(s.data)-s.pos)/minSize {
		return &codecError{off: start, msg: fmt.Sprintf("truncated %s: %d elements cannot fit in the remaining %d bytes", what, n, len(s.data)-s.pos)}
	}
	return nil
}

func (s *scanner) arrayBody(start, n, depth int) (any, error) {
	if err := s.enter(start, n, 1, depth, "array"); err != nil {
		return nil, err
	}
	var arr []any
	if s.build {
		arr = make([]any, n)
	}
	for i := range n {
		v, err := s.value(depth + 1)
		if err != nil {
			return nil, within(err, "["+strconv.Itoa(i)+"]")
		}
		if s.build {
			arr[i] = v
		}
	}
	if !s.build {
		return nil, nil
	}
	return arr, nil
}

func (s *scanner) mapBody(start, n, depth int) (any, error) {
	if err := s.enter(start, n, 2, depth, "map"); err != nil {
		return nil, err
	}
	var m map[string]any
	if s.build {
		m = make(map[string]any, n)
	}
	for range n {
		key, err := s.key()
		if err != nil {
			return nil, err
		}
		v, err := s.value(depth + 1)
		if err != nil {
			return nil, within(err, keySegment(key))
		}
		if s.build {
			m[string(key)] = v
		}
	}
	if !s.build {
		return nil, nil
	}
	return m, nil
}

// key reads a map key, which must be a str or a bin, and returns its bytes
// (aliasing data).
func (s *scanner) key() ([]byte, error) {
	start := s.pos
	if s.pos >= len(s.data) {
		return nil, s.truncated(start, "map key")
	}
	c := s.data[s.pos]
	var n int
	var err error
	isStr := true
	switch {
	case c&0xe0 == 0xa0:
		s.pos++
		n = int(c & 0x1f)
	case c == 0xd9 || c == 0xda || c == 0xdb:
		s.pos++
		n, err = s.length(start, 1<<(c-0xd9), "str")
	case c == 0xc4 || c == 0xc5 || c == 0xc6:
		s.pos++
		isStr = false
		n, err = s.length(start, 1<<(c-0xc4), "bin")
	default:
		hint := "keys must be str or bin"
		if s.marshal {
			hint = "Python receivers accept only string map keys"
		}
		return nil, &codecError{off: start, err: ErrNonStringKey, msg: fmt.Sprintf("map key has msgpack type %s; %s", codeTypeName(c), hint)}
	}
	if err != nil {
		return nil, err
	}
	b, err := s.take(start, n, "map key")
	if err != nil {
		return nil, err
	}
	if isStr && !utf8.Valid(b) {
		return nil, &codecError{off: start, err: ErrInvalidUTF8, msg: "map key str is not valid UTF-8"}
	}
	return b, nil
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
