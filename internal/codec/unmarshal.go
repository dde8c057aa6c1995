package codec

import (
	"bytes"
	"encoding"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/tagparser/v2"
)

// Unmarshal into Go types, with a process-wide cache of type information.

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
