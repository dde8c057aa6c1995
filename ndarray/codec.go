package ndarray

import (
	"errors"
	"fmt"
	"math"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Keys of msgpack-numpy maps. On the wire they are msgpack bin (Python
// bytes), never str: a Python receiver only recognises bin keys.
const (
	keyND      = "nd"
	keyType    = "type"
	keyKind    = "kind"
	keyShape   = "shape"
	keyData    = "data"
	keyComplex = "complex"
)

// Limits applied to untrusted input.
const (
	maxDims       = 64 // numpy allows 32 (64 since numpy 2.0)
	maxDescrDepth = 32
	readChunk     = 1 << 20
	// maxNesting bounds arrays nested in the entries of a msgpack-numpy
	// map (a descr is a few levels deep); Python msgpack's own limit.
	maxNesting = 1024
	// maxKeyLen is the longest key kept ("complex"); longer ones match
	// nothing and are skipped.
	maxKeyLen = 16
	// maxWireKeys bounds the map allocated for a msgpack-numpy map's
	// entries, whatever count the header claims.
	maxWireKeys = 8
)

// Interface checks.
var (
	_ msgpack.CustomEncoder = Array{}
	_ msgpack.CustomDecoder = (*Array)(nil)
	_ msgpack.CustomEncoder = Scalar{}
	_ msgpack.CustomDecoder = (*Scalar)(nil)
	_ msgpack.CustomEncoder = Complex(0)
	_ msgpack.CustomDecoder = (*Complex)(nil)
)

// EncodeMsgpack implements msgpack.CustomEncoder, writing the array exactly
// as msgpack-numpy does: a 5-entry map with bin keys nd (true), type (the
// dtype string as str, or the structured descr as an array of [name, type]
// or [name, type, shape] arrays), kind (bin: empty, or "V" for structured),
// shape (array of ints) and data (bin). The zero Array encodes as nil.
func (a Array) EncodeMsgpack(enc *msgpack.Encoder) error {
	if a.dtype.IsZero() {
		return enc.EncodeNil()
	}
	kind := ""
	if a.dtype.kind == 'V' {
		kind = "V"
	}
	if err := enc.EncodeMapLen(5); err != nil {
		return err
	}
	if err := encodeKey(enc, keyND); err != nil {
		return err
	}
	if err := enc.EncodeBool(true); err != nil {
		return err
	}
	if err := encodeKey(enc, keyType); err != nil {
		return err
	}
	if err := encodeType(enc, a.dtype); err != nil {
		return err
	}
	if err := encodeKey(enc, keyKind); err != nil {
		return err
	}
	if err := encodeBin(enc, []byte(kind)); err != nil {
		return err
	}
	if err := encodeKey(enc, keyShape); err != nil {
		return err
	}
	if err := encodeInts(enc, a.shape); err != nil {
		return err
	}
	if err := encodeKey(enc, keyData); err != nil {
		return err
	}
	return encodeBin(enc, a.data)
}

// EncodeMsgpack implements msgpack.CustomEncoder, writing the scalar as
// msgpack-numpy does: {nd: False, type, data} with bin keys, type a str and
// data bin. The zero Scalar encodes as nil.
func (s Scalar) EncodeMsgpack(enc *msgpack.Encoder) error {
	if s.dtype.IsZero() {
		return enc.EncodeNil()
	}
	if err := enc.EncodeMapLen(3); err != nil {
		return err
	}
	if err := encodeKey(enc, keyND); err != nil {
		return err
	}
	if err := enc.EncodeBool(false); err != nil {
		return err
	}
	if err := encodeKey(enc, keyType); err != nil {
		return err
	}
	if err := encodeType(enc, s.dtype); err != nil {
		return err
	}
	if err := encodeKey(enc, keyData); err != nil {
		return err
	}
	return encodeBin(enc, s.data)
}

// EncodeMsgpack implements msgpack.CustomEncoder, writing the number as
// msgpack-numpy writes a Python complex: {complex: True, data: repr} with
// bin keys and data a str such as "(1+2j)".
func (c Complex) EncodeMsgpack(enc *msgpack.Encoder) error {
	if err := enc.EncodeMapLen(2); err != nil {
		return err
	}
	if err := encodeKey(enc, keyComplex); err != nil {
		return err
	}
	if err := enc.EncodeBool(true); err != nil {
		return err
	}
	if err := encodeKey(enc, keyData); err != nil {
		return err
	}
	return enc.EncodeString(FormatComplex(complex128(c)))
}

// encodeKey writes a map key as msgpack bin.
func encodeKey(enc *msgpack.Encoder, k string) error { return encodeBin(enc, []byte(k)) }

// encodeBin writes b as msgpack bin, also when empty (the library's
// EncodeBytes writes nil for a nil slice).
func encodeBin(enc *msgpack.Encoder, b []byte) error {
	if err := enc.EncodeBytesLen(len(b)); err != nil {
		return err
	}
	_, err := enc.Writer().Write(b)
	return err
}

func encodeInts(enc *msgpack.Encoder, v []int) error {
	if err := enc.EncodeArrayLen(len(v)); err != nil {
		return err
	}
	for _, n := range v {
		if err := enc.EncodeInt(int64(n)); err != nil {
			return err
		}
	}
	return nil
}

// encodeType writes a dtype as msgpack-numpy's type entry: the type string,
// or for kind 'V' numpy's descr. A plain void type such as "|V3" has the
// descr [["", "|V3"]], as numpy reports it.
func encodeType(enc *msgpack.Encoder, d DType) error {
	switch {
	case d.fields != nil:
		return encodeDescr(enc, d)
	case d.kind == 'V':
		if err := enc.EncodeArrayLen(1); err != nil {
			return err
		}
		if err := enc.EncodeArrayLen(2); err != nil {
			return err
		}
		if err := enc.EncodeString(""); err != nil {
			return err
		}
		return enc.EncodeString(d.str)
	}
	return enc.EncodeString(d.str)
}

// encodeDescr writes a structured dtype as numpy's descr list.
func encodeDescr(enc *msgpack.Encoder, d DType) error {
	if err := enc.EncodeArrayLen(len(d.fields)); err != nil {
		return err
	}
	for _, f := range d.fields {
		n := 2
		if len(f.Shape) > 0 {
			n = 3
		}
		if err := enc.EncodeArrayLen(n); err != nil {
			return err
		}
		if f.Title != "" {
			if err := enc.EncodeArrayLen(2); err != nil {
				return err
			}
			if err := enc.EncodeString(f.Title); err != nil {
				return err
			}
		}
		if err := enc.EncodeString(f.Name); err != nil {
			return err
		}
		var err error
		if f.DType.fields != nil {
			err = encodeDescr(enc, f.DType)
		} else {
			err = enc.EncodeString(f.DType.str)
		}
		if err != nil {
			return err
		}
		if n == 3 {
			if err := encodeInts(enc, f.Shape); err != nil {
				return err
			}
		}
	}
	return nil
}

// DecodeMsgpack implements msgpack.CustomDecoder. It accepts the map
// msgpack-numpy writes for an ndarray (keys may be bin or str) and fails
// with ErrNotArray for scalars, complex numbers and other values,
// ErrObjectArray for object arrays (whose pickled data is skipped unread),
// and ErrDType, ErrShape or ErrMalformed for invalid arrays. msgpack nil
// leaves the zero Array.
func (a *Array) DecodeMsgpack(dec *msgpack.Decoder) error {
	w, err := decodeWire(dec)
	if err != nil || w == nil {
		*a = Array{}
		return err
	}
	switch w.form() {
	case formArray:
	case formObject:
		return fmt.Errorf("%w (kind %q)", ErrObjectArray, "O")
	default:
		return fmt.Errorf("%w: not a numpy array map", ErrNotArray)
	}
	arr, err := w.array()
	if err != nil {
		return err
	}
	*a = *arr
	return nil
}

// DecodeMsgpack implements msgpack.CustomDecoder for msgpack-numpy's
// {nd: False, type, data} scalar map. Other values fail with ErrNotArray.
func (s *Scalar) DecodeMsgpack(dec *msgpack.Decoder) error {
	w, err := decodeWire(dec)
	if err != nil || w == nil {
		*s = Scalar{}
		return err
	}
	if w.form() != formScalar {
		return fmt.Errorf("%w: not a numpy scalar map", ErrNotArray)
	}
	v, err := w.scalar()
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// DecodeMsgpack implements msgpack.CustomDecoder for msgpack-numpy's
// {complex: True, data: "(1+2j)"} map. Other values fail with ErrNotArray.
func (c *Complex) DecodeMsgpack(dec *msgpack.Decoder) error {
	w, err := decodeWire(dec)
	if err != nil || w == nil {
		*c = 0
		return err
	}
	if w.form() != formComplex {
		return fmt.Errorf("%w: not a Python complex map", ErrNotArray)
	}
	v, err := w.complex()
	if err != nil {
		return err
	}
	*c = Complex(v)
	return nil
}

// decodeWire reads one msgpack map into a wire value, or returns nil for
// msgpack nil. Only the entries msgpack-numpy uses (nd, type, kind, shape,
// data, complex) are kept; others are skipped unread. Nothing is allocated
// from a length in the input before the bytes are there: a container's
// claimed count only bounds a loop that fails when the input ends, bytes
// are read in chunks as they arrive, and data is read with its length
// checked against type and shape when they came first (as msgpack-numpy
// orders them). An object array's pickle is discarded unread. The library's
// own generic decoding is used only for fixed-size values, so a hostile
// map cannot make it allocate for counts the input does not hold.
func decodeWire(dec *msgpack.Decoder) (*wire, error) {
	c, err := dec.PeekCode()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotArray, err)
	}
	if c == msgpcode.Nil {
		return nil, dec.DecodeNil()
	}
	n, err := dec.DecodeMapLen()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotArray, err)
	}
	if n < 0 {
		// A map32 count of 2**31 or more seen through a 32-bit int (the
		// library's -1 for nil among them).
		return nil, fmt.Errorf("%w: map of %d entries", ErrMalformed, uint32(n))
	}
	m := make(map[string]any, min(n, maxWireKeys))
	for range n {
		k, err := decodeKey(dec)
		if err != nil {
			return nil, fmt.Errorf("%w: map key: %w", ErrMalformed, err)
		}
		switch k {
		case keyData:
			m[k], err = decodeData(dec, m)
		case keyND, keyType, keyKind, keyShape, keyComplex:
			m[k], err = decodeEntry(dec, 0)
		default:
			err = skipEntry(dec, 0)
		}
		if err != nil {
			return nil, err
		}
	}
	return newWire(m), nil
}

// opaque stands for an entry value that no msgpack-numpy map holds (a map
// or an ext value); it was skipped unread.
type opaque struct{}

// decodeKey reads a str or bin map key. A key longer than any
// msgpack-numpy key is skipped and returned as "", which matches none.
func decodeKey(dec *msgpack.Decoder) (string, error) {
	c, err := dec.PeekCode()
	if err != nil {
		return "", err
	}
	if !msgpcode.IsString(c) && !msgpcode.IsBin(c) {
		return "", fmt.Errorf("msgpack code 0x%02x is not a str or bin", c)
	}
	n, err := dec.DecodeBytesLen()
	if err != nil {
		return "", err
	}
	if n < 0 {
		return "", fmt.Errorf("key of %d bytes", uint32(n))
	}
	if n > maxKeyLen {
		return "", discard(dec, n)
	}
	var buf [maxKeyLen]byte
	if err := dec.ReadFull(buf[:n]); err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// decodeEntry reads one entry value generically, as DecodeInterface would
// (bin as []byte, str as string, arrays as []any, integers and floats as
// the library returns them), but with every length checked and containers
// nested at most maxNesting deep. Maps and ext values are skipped and
// returned as opaque.
func decodeEntry(dec *msgpack.Decoder, depth int) (any, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("%w: nested deeper than %d", ErrMalformed, maxNesting)
	}
	c, err := dec.PeekCode()
	if err != nil {
		return nil, err
	}
	switch {
	case msgpcode.IsString(c) || msgpcode.IsBin(c):
		n, err := dec.DecodeBytesLen()
		if err != nil {
			return nil, err
		}
		b, err := readBytes(dec, n)
		if err != nil {
			return nil, err
		}
		if msgpcode.IsString(c) {
			return string(b), nil
		}
		return b, nil
	case isArrayCode(c):
		n, err := dec.DecodeArrayLen()
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, fmt.Errorf("%w: array of %d elements", ErrMalformed, uint32(n))
		}
		out := make([]any, 0, min(n, maxDims))
		for range n {
			v, err := decodeEntry(dec, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case isMapCode(c) || msgpcode.IsExt(c):
		return opaque{}, skipEntry(dec, depth)
	}
	// nil, bool, integers, floats: fixed size (reserved codes fail).
	return dec.DecodeInterface()
}

// skipEntry steps over one value, with the limits of decodeEntry.
func skipEntry(dec *msgpack.Decoder, depth int) error {
	if depth > maxNesting {
		return fmt.Errorf("%w: nested deeper than %d", ErrMalformed, maxNesting)
	}
	c, err := dec.PeekCode()
	if err != nil {
		return err
	}
	n, items := 0, 0
	switch {
	case msgpcode.IsString(c) || msgpcode.IsBin(c):
		if n, err = dec.DecodeBytesLen(); err != nil {
			return err
		}
	case msgpcode.IsExt(c):
		if _, n, err = dec.DecodeExtHeader(); err != nil {
			return err
		}
	case isArrayCode(c):
		if items, err = dec.DecodeArrayLen(); err != nil {
			return err
		}
	case isMapCode(c):
		if items, err = dec.DecodeMapLen(); err != nil {
			return err
		}
		if items > 0 {
			if items > math.MaxInt/2 {
				return fmt.Errorf("%w: map of %d entries", ErrMalformed, items)
			}
			items *= 2
		}
	default:
		return dec.Skip() // fixed size
	}
	if n < 0 || items < 0 {
		return fmt.Errorf("%w: length does not fit an int", ErrMalformed)
	}
	if n > 0 {
		return discard(dec, n)
	}
	for range items {
		if err := skipEntry(dec, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func isArrayCode(c byte) bool {
	return msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32
}

func isMapCode(c byte) bool {
	return msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32
}

// decodeData reads the data entry, given the entries read so far.
func decodeData(dec *msgpack.Decoder, seen map[string]any) (any, error) {
	c, err := dec.PeekCode()
	if err != nil {
		return nil, err
	}
	if !msgpcode.IsBin(c) && !msgpcode.IsString(c) {
		return decodeEntry(dec, 0)
	}
	isStr := msgpcode.IsString(c)
	n, err := dec.DecodeBytesLen()
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, fmt.Errorf("%w: data of %d bytes does not fit an int", ErrShape, uint32(n))
	}
	w := newWire(seen)
	if w.form() == formObject {
		return nil, discard(dec, n)
	}
	var buf []byte
	if want, ok := w.expectedSize(); ok {
		// The usual case: one allocation of the checked size, one copy.
		if want != n {
			return nil, fmt.Errorf("%w: %d data bytes for dtype %v shape %v", ErrShape, n, seen[keyType], seen[keyShape])
		}
		buf = make([]byte, n)
		if err := dec.ReadFull(buf); err != nil {
			return nil, err
		}
	} else if buf, err = readBytes(dec, n); err != nil {
		return nil, err
	}
	if isStr {
		return string(buf), nil
	}
	return buf, nil
}

// readBytes reads n bytes, growing the buffer as they actually arrive, so
// that a forged length fails at the end of the input instead of
// allocating the claimed size.
func readBytes(dec *msgpack.Decoder, n int) ([]byte, error) {
	if n < 0 {
		return nil, fmt.Errorf("%w: %d bytes do not fit an int", ErrMalformed, uint32(n))
	}
	buf := make([]byte, 0, min(n, readChunk))
	for len(buf) < n {
		step := min(n-len(buf), max(readChunk, len(buf)))
		buf = append(buf, make([]byte, step)...)
		if err := dec.ReadFull(buf[len(buf)-step:]); err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// discard skips n bytes of input in small pieces.
func discard(dec *msgpack.Decoder, n int) error {
	if n < 0 {
		return fmt.Errorf("%w: %d bytes do not fit an int", ErrMalformed, uint32(n))
	}
	buf := make([]byte, min(n, 64<<10))
	for n > 0 {
		step := min(n, len(buf))
		if err := dec.ReadFull(buf[:step]); err != nil {
			return err
		}
		n -= step
	}
	return nil
}

// form classifies a map as msgpack-numpy's decode() does.
type form int

const (
	formNone    form = iota // an ordinary map
	formArray               // nd True with type, shape and data
	formObject              // nd True with kind "O": refused
	formScalar              // nd False with type and data
	formComplex             // complex with data
)

// wire holds the entries of a map that may be a msgpack-numpy value.
type wire struct{ m map[string]any }

func newWire(m map[string]any) *wire { return &wire{m: m} }

// form mirrors msgpack_numpy.decode: a map with an nd key is an array when
// nd is True (type, shape and data present; kind optional) and a scalar when
// nd is False (type and data present); otherwise a map with a complex key
// and data is a Python complex. Maps missing a required key stay ordinary
// maps, as Python's KeyError fallback does. Unlike Python, nd must be a bool.
func (w *wire) form() form {
	m := w.m
	if nd, ok := m[keyND]; ok {
		b, isBool := nd.(bool)
		_, hasType := m[keyType]
		_, hasShape := m[keyShape]
		_, hasData := m[keyData]
		switch {
		case !isBool:
			return formNone
		case b && textOf(m[keyKind]) == "O":
			return formObject
		case b && hasType && hasShape && hasData:
			return formArray
		case !b && hasType && hasData:
			return formScalar
		}
		return formNone
	}
	if _, ok := m[keyComplex]; ok {
		if _, hasData := m[keyData]; hasData {
			return formComplex
		}
	}
	return formNone
}

// textOf returns v as a string when it is a str or bin value.
func textOf(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []byte:
		return string(t)
	}
	return ""
}

// expectedSize returns the data length implied by type and shape when both
// are present and valid.
func (w *wire) expectedSize() (int, bool) {
	if _, ok := w.m[keyShape]; !ok {
		return 0, false
	}
	d, err := w.dtype()
	if err != nil {
		return 0, false
	}
	shape, err := w.shape()
	if err != nil {
		return 0, false
	}
	n, err := dataSize(d, shape)
	return n, err == nil
}

// dtype interprets the type entry: a type string, or a descr list.
func (w *wire) dtype() (DType, error) {
	switch t := w.m[keyType].(type) {
	case string:
		return ParseDType(t)
	case []byte:
		return ParseDType(string(t))
	case []any:
		return parseDescr(t, 0)
	}
	return DType{}, fmt.Errorf("%w: type entry is %T", ErrMalformed, w.m[keyType])
}

func (w *wire) shape() ([]int, error) {
	list, ok := w.m[keyShape].([]any)
	if !ok {
		return nil, fmt.Errorf("%w: shape entry is %T", ErrMalformed, w.m[keyShape])
	}
	return intList(list)
}

func (w *wire) data() ([]byte, error) {
	switch d := w.m[keyData].(type) {
	case []byte:
		return d, nil
	case string:
		return []byte(d), nil
	}
	return nil, fmt.Errorf("%w: data entry is %T", ErrMalformed, w.m[keyData])
}

func (w *wire) array() (*Array, error) {
	if k := textOf(w.m[keyKind]); k == "O" {
		return nil, fmt.Errorf("%w (kind %q)", ErrObjectArray, k)
	}
	d, err := w.dtype()
	if err != nil {
		return nil, err
	}
	shape, err := w.shape()
	if err != nil {
		return nil, err
	}
	data, err := w.data()
	if err != nil {
		return nil, err
	}
	return New(d, shape, data)
}

func (w *wire) scalar() (Scalar, error) {
	d, err := w.dtype()
	if err != nil {
		return Scalar{}, err
	}
	data, err := w.data()
	if err != nil {
		return Scalar{}, err
	}
	return NewScalar(d, data)
}

func (w *wire) complex() (complex128, error) {
	switch d := w.m[keyData].(type) {
	case string:
		return ParseComplex(d)
	case []byte:
		return ParseComplex(string(d))
	}
	return 0, fmt.Errorf("%w: complex data entry is %T", ErrMalformed, w.m[keyData])
}

// intList converts a decoded msgpack array of integers to []int.
func intList(list []any) ([]int, error) {
	if len(list) > maxDims {
		return nil, fmt.Errorf("%w: %d dimensions", ErrShape, len(list))
	}
	out := make([]int, len(list))
	for i, v := range list {
		n, ok := toInt(v)
		if !ok || n < 0 {
			return nil, fmt.Errorf("%w: dimension %d is %v (%T)", ErrShape, i, v, v)
		}
		out[i] = n
	}
	return out, nil
}

// maxDimension bounds a decoded dimension, whatever msgpack integer type
// carried it: a bound that held only for unsigned types would let a signed
// encoding through that re-encodes (as unsigned) to one refused.
const maxDimension = int64(maxItemSize) << 16

// toInt converts any decoded msgpack integer that fits an int and is at
// most maxDimension.
func toInt(v any) (int, bool) {
	var i int64
	switch n := v.(type) {
	case int:
		i = int64(n)
	case int8:
		i = int64(n)
	case int16:
		i = int64(n)
	case int32:
		i = int64(n)
	case int64:
		i = n
	case uint:
		if uint64(n) > uint64(maxDimension) {
			return 0, false
		}
		i = int64(n)
	case uint8:
		i = int64(n)
	case uint16:
		i = int64(n)
	case uint32:
		i = int64(n)
	case uint64:
		if n > uint64(maxDimension) {
			return 0, false
		}
		i = int64(n)
	default:
		return 0, false
	}
	if i > maxDimension || i != int64(int(i)) {
		return 0, false
	}
	return int(i), true
}

// parseDescr converts numpy's descr (as decoded from msgpack) into a
// structured dtype. Entries are [name, type] or [name, type, shape]; the
// name may be [title, name]; the type is a type string or a nested descr.
func parseDescr(list []any, depth int) (DType, error) {
	if depth > maxDescrDepth {
		return DType{}, fmt.Errorf("%w: descr nested deeper than %d", ErrDType, maxDescrDepth)
	}
	fields := make([]Field, len(list))
	for i, e := range list {
		entry, ok := e.([]any)
		if !ok || len(entry) < 2 || len(entry) > 3 {
			return DType{}, fmt.Errorf("%w: descr entry %d is %v", ErrDType, i, e)
		}
		f := &fields[i]
		switch name := entry[0].(type) {
		case string, []byte:
			f.Name = textOf(name)
		case []any:
			if len(name) != 2 || !isText(name[0]) || !isText(name[1]) {
				return DType{}, fmt.Errorf("%w: descr entry %d has name %v", ErrDType, i, name)
			}
			f.Title, f.Name = textOf(name[0]), textOf(name[1])
		default:
			return DType{}, fmt.Errorf("%w: descr entry %d has name %v", ErrDType, i, entry[0])
		}
		var err error
		switch t := entry[1].(type) {
		case string, []byte:
			f.DType, err = ParseDType(textOf(t))
		case []any:
			f.DType, err = parseDescr(t, depth+1)
		default:
			err = fmt.Errorf("%w: field %q has type %v", ErrDType, f.Name, entry[1])
		}
		if err != nil {
			return DType{}, fmt.Errorf("field %q: %w", f.Name, err)
		}
		if len(entry) == 3 {
			s, ok := entry[2].([]any)
			if !ok {
				if n, isInt := toInt(entry[2]); isInt {
					s = []any{n}
				} else {
					return DType{}, fmt.Errorf("%w: field %q has shape %v", ErrDType, f.Name, entry[2])
				}
			}
			if f.Shape, err = intList(s); err != nil {
				return DType{}, fmt.Errorf("field %q: %w", f.Name, err)
			}
		}
	}
	if depth == 0 && len(fields) == 1 && fields[0].Name == "" && fields[0].Title == "" &&
		len(fields[0].Shape) == 0 && fields[0].DType.kind == 'V' && fields[0].DType.fields == nil {
		// [["", "|V3"]] is how numpy describes a plain void type (and
		// how encodeType writes one): it is that type, as numpy reads it.
		return fields[0].DType, nil
	}
	d, err := Structured(fields)
	if err != nil && errors.Is(err, ErrShape) {
		return DType{}, fmt.Errorf("%w: %w", ErrDType, err)
	}
	return d, err
}

func isText(v any) bool {
	switch v.(type) {
	case string, []byte:
		return true
	}
	return false
}
