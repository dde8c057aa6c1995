package ndarray

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"slices"
	"strconv"
)

// maxItemSize bounds the item size of a dtype, which keeps every size
// computation far from integer overflow.
const maxItemSize = 1 << 30 // fits a 32-bit int (GOARCH=arm)

// DType is a numpy data type: either a plain type named by its
// array-protocol string (numpy's dtype.str, such as "<f8", "|u1", ">i4",
// "<c16", "|b1", "|S5", "<U3" or "<M8[ns]"), or a structured type (kind 'V')
// made of named fields.
//
// The zero DType is invalid; build one with ParseDType, DTypeOf or
// Structured. A DType is immutable.
type DType struct {
	str     string // as given, for byte-exact round trips; "|V<n>" when structured
	kind    byte   // numpy kind: b i u f c m M S U V ('a' is folded into 'S')
	order   byte   // '<', '>', '|', '=' or 0 when the string had no prefix
	size    int    // item size in bytes
	fields  []Field
	offsets []int
}

// Field is one field of a structured dtype, as in numpy's dtype.descr entry
// (name, type) or (name, type, shape).
type Field struct {
	// Name is the field name. An empty name marks padding, which numpy
	// emits in descr for aligned or offset layouts (as ('', '|V3')).
	Name string
	// Title is numpy's optional field title, sent as a [title, name] pair in
	// place of the name. msgpack-numpy 0.4.8 itself cannot decode titles.
	Title string
	// DType is the field's element type; it may itself be structured.
	DType DType
	// Shape is the field's subarray shape; nil (or empty) for a scalar field.
	Shape []int
}

// ParseDType parses a numpy array-protocol type string such as "<f8". The
// byte-order prefix is one of '<' (little-endian), '>' (big-endian), '|'
// (not applicable) or '=' (native); numpy's dtype.str always has one, and
// '|' or '=' on a multi-byte numeric type is read in the host's byte order,
// as numpy does. Object dtypes ("|O") are refused with ErrObjectArray.
func ParseDType(s string) (DType, error) {
	d := DType{str: s}
	i := 0
	if i < len(s) && (s[i] == '<' || s[i] == '>' || s[i] == '|' || s[i] == '=') {
		d.order = s[i]
		i++
	}
	if i >= len(s) {
		return DType{}, fmt.Errorf("%w: %q has no kind", ErrDType, s)
	}
	d.kind = s[i]
	i++
	if d.kind == 'O' {
		return DType{}, fmt.Errorf("%w: dtype %q", ErrObjectArray, s)
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i || j-i > 10 {
		return DType{}, fmt.Errorf("%w: %q has no valid item size", ErrDType, s)
	}
	n, err := strconv.Atoi(s[i:j])
	if err != nil || n >= maxItemSize {
		return DType{}, fmt.Errorf("%w: %q has no valid item size", ErrDType, s)
	}
	rest := s[j:]
	d.size = n
	ok := false
	switch d.kind {
	case 'b':
		ok = n == 1
	case 'i', 'u':
		ok = n == 1 || n == 2 || n == 4 || n == 8
	case 'f':
		ok = n == 2 || n == 4 || n == 8 || n == 12 || n == 16
	case 'c':
		ok = n == 8 || n == 16 || n == 24 || n == 32
	case 'S', 'a':
		d.kind = 'S'
		ok = true
	case 'U':
		ok = n < maxItemSize/4
		d.size = 4 * n
	case 'V':
		ok = true
		// A plain void has no byte order: numpy spells "<V4" as "|V4"
		// (dtype.str), and so do we, so that it round-trips through the
		// descr form [["", "|V4"]] unchanged.
		if d.order != 0 && d.order != '|' && rest == "" {
			d.order = '|'
			d.str = "|" + s[i-1:]
		}
	case 'M', 'm':
		ok = n == 8 && validUnit(rest)
		rest = ""
	}
	if !ok || rest != "" {
		return DType{}, fmt.Errorf("%w: unsupported type string %q", ErrDType, s)
	}
	return d, nil
}

// validUnit accepts a datetime unit suffix such as "", "[ns]" or "[10ms]".
func validUnit(u string) bool {
	if u == "" {
		return true
	}
	if len(u) < 3 || u[0] != '[' || u[len(u)-1] != ']' {
		return false
	}
	for _, c := range u[1 : len(u)-1] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// Structured returns a structured dtype (kind 'V') with the given fields laid
// out back to back, as numpy does for a descr list: the item size is the sum
// of the field sizes, and padding is expressed by fields with an empty name.
// Named fields must be unique; object fields are refused with ErrObjectArray.
func Structured(fields []Field) (DType, error) {
	d := DType{kind: 'V', order: '|', fields: make([]Field, len(fields)), offsets: make([]int, len(fields))}
	seen := make(map[string]bool, len(fields))
	for i, f := range fields {
		if f.DType.IsZero() {
			return DType{}, fmt.Errorf("%w: field %d (%q) has no dtype", ErrDType, i, f.Name)
		}
		if f.Name != "" {
			if seen[f.Name] {
				return DType{}, fmt.Errorf("%w: duplicate field name %q", ErrDType, f.Name)
			}
			seen[f.Name] = true
		}
		count, err := elementCount(f.Shape)
		if err != nil {
			return DType{}, fmt.Errorf("field %q: %w", f.Name, err)
		}
		hi, sz := bits.Mul64(uint64(count), uint64(f.DType.size))
		if hi != 0 || sz >= maxItemSize || uint64(d.size)+sz >= maxItemSize {
			return DType{}, fmt.Errorf("%w: structured item size too large", ErrDType)
		}
		d.offsets[i] = d.size
		d.size += int(sz)
		f.Shape = slices.Clone(f.Shape)
		if len(f.Shape) == 0 {
			f.Shape = nil
		}
		d.fields[i] = f
	}
	d.str = "|V" + strconv.Itoa(d.size)
	return d, nil
}

// DTypeOf returns the little-endian dtype matching the Go element type T
// (for example "<f8" for float64, "|b1" for bool, "<i8" for int on 64-bit
// platforms). These are the dtypes FromSlice produces.
func DTypeOf[T Element]() DType {
	t := reflect.TypeFor[T]()
	var kind byte
	switch t.Kind() {
	case reflect.Bool:
		kind = 'b'
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		kind = 'i'
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		kind = 'u'
	case reflect.Float32, reflect.Float64:
		kind = 'f'
	case reflect.Complex64, reflect.Complex128:
		kind = 'c'
	}
	size := int(t.Size())
	order := byte('<')
	if size == 1 {
		order = '|'
	}
	return DType{str: string([]byte{order, kind}) + strconv.Itoa(size), kind: kind, order: order, size: size}
}

// String returns the array-protocol type string: the string the dtype was
// parsed from, or "|V<itemsize>" for a structured dtype (as numpy's
// dtype.str does).
func (d DType) String() string { return d.str }

// Kind returns numpy's kind character: 'b' bool, 'i' signed, 'u' unsigned,
// 'f' float, 'c' complex, 'm' timedelta, 'M' datetime, 'S' bytes, 'U'
// unicode, 'V' void or structured. It is 0 for the zero DType.
func (d DType) Kind() byte { return d.kind }

// ItemSize returns the size of one element in bytes.
func (d DType) ItemSize() int { return d.size }

// ByteOrder returns the byte order of the data: little-endian for '<',
// big-endian for '>', and the host's order otherwise (single-byte types,
// '|', '=').
func (d DType) ByteOrder() binary.ByteOrder {
	switch d.order {
	case '<':
		return binary.LittleEndian
	case '>':
		return binary.BigEndian
	}
	return binary.NativeEndian
}

// littleEndian reports whether multi-byte values are stored little-endian.
func (d DType) littleEndian() bool {
	switch d.order {
	case '<':
		return true
	case '>':
		return false
	}
	return hostLittleEndian()
}

// hostLittleEndian reports whether the host stores integers little-endian.
func hostLittleEndian() bool { return binary.NativeEndian.Uint16([]byte{1, 0}) == 1 }

// IsStructured reports whether d is a structured dtype with fields.
func (d DType) IsStructured() bool { return d.fields != nil }

// IsZero reports whether d is the zero (invalid) DType.
func (d DType) IsZero() bool { return d.kind == 0 }

// Fields returns a copy of the fields of a structured dtype (nil otherwise).
func (d DType) Fields() []Field {
	if d.fields == nil {
		return nil
	}
	out := make([]Field, len(d.fields))
	for i, f := range d.fields {
		f.Shape = slices.Clone(f.Shape)
		out[i] = f
	}
	return out
}

// Equal reports whether d and o are the same dtype: the same type string,
// or structured with equal fields.
func (d DType) Equal(o DType) bool {
	if d.str != o.str || d.kind != o.kind || d.size != o.size || len(d.fields) != len(o.fields) || (d.fields == nil) != (o.fields == nil) {
		return false
	}
	for i, f := range d.fields {
		g := o.fields[i]
		if f.Name != g.Name || f.Title != g.Title || !slices.Equal(f.Shape, g.Shape) || !f.DType.Equal(g.DType) {
			return false
		}
	}
	return true
}

// field returns the index of the named field, or -1.
func (d DType) field(name string) int {
	for i, f := range d.fields {
		if f.Name != "" && f.Name == name {
			return i
		}
	}
	return -1
}

// elementCount returns the product of the dimensions of shape, checking for
// negative dimensions and overflow.
func elementCount(shape []int) (int, error) {
	n := uint64(1)
	for _, s := range shape {
		if s < 0 {
			return 0, fmt.Errorf("%w: negative dimension in %v", ErrShape, shape)
		}
		hi, lo := bits.Mul64(n, uint64(s))
		if hi != 0 || lo > math.MaxInt {
			return 0, fmt.Errorf("%w: shape %v is too large", ErrShape, shape)
		}
		n = lo
	}
	return int(n), nil
}
