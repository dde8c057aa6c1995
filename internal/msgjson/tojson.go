package msgjson

import (
	"cmp"
	"encoding/base64"
	"math"
	"slices"
	"strconv"

	"github.com/gobanyan/banyan/internal/codec"
	"github.com/gobanyan/banyan/internal/pyfloat"
)

// AppendJSON appends to dst the JSON text of the one msgpack value in src
// and returns the extended buffer. With the zero Options the text is what
// encoding/json (with SetEscapeHTML(false)) writes for the values
// banyan.DecodeValue returns, keys in their order; Options choose:
//
//   - Style: Compact (encoding/json's text: strings with '"', '\\',
//     control characters, U+2028 and U+2029 escaped; float32 as the
//     float64 of the same value) or PythonDumps (json.dumps's);
//   - Bin: a base64 string (standard alphabet, padded), {"$bin": ...}, or
//     refused; a bin map key is a string of its bytes, those that are not
//     UTF-8 as U+FFFD (refused with BinRefuse);
//   - NonFinite: NaN and the infinities as null, refused, as strings, or
//     as Python's bare tokens;
//   - Ext: refused, or {"$ext": [type, "<base64>"]};
//   - SortKeys: map keys sorted as encoding/json sorts a map's;
//   - Field: the values of a top-level map written by the caller;
//   - Map: maps, at any depth, written by the caller;
//   - BinKey: the text of bin map keys given by the caller.
//
// Integers are exact over [-2^63, 2^64-1]. Refused, with dst returned
// unchanged in length: malformed msgpack (truncated, trailing bytes, the
// reserved code 0xc1: ErrSyntax), str that is not UTF-8 (ErrUTF8), map
// keys other than str and bin and what Options refuse (ErrUnsupported),
// nesting deeper than Options.MaxDepth (ErrDepth), input longer than
// Options.MaxSize or 4 GiB (ErrTooLarge).
//
// The input is checked in a first pass that builds nothing; with SortKeys
// it also records, for each map whose keys are not already in order, the
// offsets of its keys (4 bytes per entry and 16 per map). Then the text
// is written in one pass. src must not change during the call.
func AppendJSON(dst, src []byte, o Options) ([]byte, error) {
	maxDepth, maxSize := o.limits()
	if len(src) > maxSize || uint64(len(src)) > math.MaxUint32 {
		return dst, errAt(ErrTooLarge, 0, "input of %d bytes, more than %d", len(src), min(uint64(maxSize), math.MaxUint32))
	}
	c := checker{src: src, maxDepth: maxDepth, sortKeys: o.SortKeys, bin: o.Bin, ext: o.Ext, nonFinite: o.NonFinite}
	if err := c.check(); err != nil {
		return dst, err
	}
	w := toJSON{src: src, dst: dst, maps: c.maps, entries: c.entries, field: o.Field, mapHook: o.Map, binKey: o.BinKey,
		style: o.Style, bin: o.Bin, nonFinite: o.NonFinite, comma: ",", colon: ":"}
	if o.Style == PythonDumps {
		w.comma, w.colon = ", ", ": "
	}
	w.value(0, 0)
	return w.dst, nil
}

// toJSON writes checked msgpack as JSON.
type toJSON struct {
	src       []byte
	dst       []byte
	maps      []sortedMap // maps to write in key order, by offset
	entries   []uint32
	field     func(dst, key, value []byte) ([]byte, bool)
	mapHook   func(dst, m []byte) ([]byte, bool)
	binKey    func(buf, key []byte) []byte
	keyBuf    []byte // binKey's scratch
	style     Style
	bin       Bin
	nonFinite NonFinite
	comma     string // between elements
	colon     string // between a key and its value
}

// value writes the value at src[i], depth levels deep, and returns the
// offset after it.
func (w *toJSON) value(i, depth int) int {
	src := w.src
	code := src[i]
	switch {
	case code <= 0x7f:
		w.dst = strconv.AppendUint(w.dst, uint64(code), 10)
		return i + 1
	case code >= 0xe0:
		w.dst = strconv.AppendInt(w.dst, int64(int8(code)), 10)
		return i + 1
	}
	it, _ := codec.Head(src, i) // checked input: the fault is OK
	data := i + it.Size
	switch it.Type {
	case codec.TypeStr:
		w.str(src[data : data+it.N])
		return data + it.N
	case codec.TypeBin:
		if w.bin == BinObject {
			w.dst = append(append(append(w.dst, `{"$bin"`...), w.colon...), '"')
		} else {
			w.dst = append(w.dst, '"')
		}
		w.dst = base64.StdEncoding.AppendEncode(w.dst, src[data:data+it.N])
		w.dst = append(w.dst, '"')
		if w.bin == BinObject {
			w.dst = append(w.dst, '}')
		}
		return data + it.N
	case codec.TypeExt:
		w.dst = append(append(append(w.dst, `{"$ext"`...), w.colon...), '[')
		w.dst = strconv.AppendInt(w.dst, int64(int8(src[data-1])), 10)
		w.dst = append(append(w.dst, w.comma...), '"')
		w.dst = base64.StdEncoding.AppendEncode(w.dst, src[data:data+it.N])
		w.dst = append(w.dst, `"]}`...)
		return data + it.N
	case codec.TypeArray:
		w.dst = append(w.dst, '[')
		for k := range it.N {
			if k > 0 {
				w.dst = append(w.dst, w.comma...)
			}
			data = w.value(data, depth+1)
		}
		w.dst = append(w.dst, ']')
		return data
	case codec.TypeMap:
		if w.mapHook == nil {
			return w.mapBody(i, data, it.N, depth)
		}
		mark := len(w.dst)
		end := w.mapBody(i, data, it.N, depth)
		if out, ok := w.mapHook(w.dst[:mark], src[i:end]); ok {
			w.dst = out
		}
		return end
	}
	switch it.Type {
	case codec.TypeNil:
		w.dst = append(w.dst, "null"...)
	case codec.TypeBool:
		if it.V != 0 {
			w.dst = append(w.dst, "true"...)
		} else {
			w.dst = append(w.dst, "false"...)
		}
	case codec.TypeFloat32:
		w.float(float64(math.Float32frombits(uint32(it.V))))
	case codec.TypeFloat64:
		w.float(math.Float64frombits(it.V))
	case codec.TypeUint:
		w.dst = strconv.AppendUint(w.dst, it.V, 10)
	case codec.TypeInt:
		w.dst = strconv.AppendInt(w.dst, int64(it.V), 10)
	default:
		panic("msgjson: msgpack changed while it was converted")
	}
	return i + it.Size
}

// mapBody writes the map at src[at] of n pairs starting at src[i], in key
// order if the checker indexed it, and returns the offset after it.
func (w *toJSON) mapBody(at, i, n, depth int) int {
	w.dst = append(w.dst, '{')
	if n > 1 && len(w.maps) > 0 {
		if k, ok := slices.BinarySearchFunc(w.maps, uint32(at), func(m sortedMap, at uint32) int { return cmp.Compare(m.at, at) }); ok {
			m := w.maps[k]
			for j, off := range w.entries[m.first : m.first+m.n] {
				if j > 0 {
					w.dst = append(w.dst, w.comma...)
				}
				w.entry(int(off), depth)
			}
			w.dst = append(w.dst, '}')
			return int(m.end)
		}
	}
	for j := range n {
		if j > 0 {
			w.dst = append(w.dst, w.comma...)
		}
		i = w.entry(i, depth)
	}
	w.dst = append(w.dst, '}')
	return i
}

// entry writes the map entry whose key is at src[i] and returns the
// offset after its value.
func (w *toJSON) entry(i, depth int) int {
	key, v := keyAt(w.src, i)
	if c := w.src[i]; w.binKey != nil && c >= 0xc4 && c <= 0xc6 { // bin8, bin16, bin32
		w.keyBuf = w.binKey(w.keyBuf[:0], key)
		w.str(w.keyBuf)
	} else {
		w.str(key)
	}
	w.dst = append(w.dst, w.colon...)
	mark := len(w.dst)
	end := w.value(v, depth+1)
	if depth == 0 && w.field != nil {
		if out, ok := w.field(w.dst[:mark], key, w.src[v:end]); ok {
			w.dst = out
		}
	}
	return end
}

// str writes a string (or the bytes of a bin key) in the text's style.
func (w *toJSON) str(s []byte) { w.dst = AppendString(w.dst, s, w.style) }

// AppendString appends s as a JSON string in the given style, as
// AppendJSON writes a msgpack str: for what a Map hook writes in the
// text's style. A byte of s that is not part of valid UTF-8 is written as
// \ufffd.
func AppendString(dst, s []byte, style Style) []byte {
	if style == PythonDumps {
		return appendPyString(dst, s)
	}
	return appendString(dst, s)
}

// float writes a float in the text's style, NaN and the infinities as
// Options.NonFinite says (NonFiniteRefuse was checked before).
func (w *toJSON) float(f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		var word string
		switch {
		case math.IsNaN(f):
			word = "NaN"
		case f > 0:
			word = "Infinity"
		default:
			word = "-Infinity"
		}
		switch w.nonFinite {
		case NonFiniteString:
			w.dst = append(append(append(w.dst, '"'), word...), '"')
		case NonFiniteLiteral:
			w.dst = append(w.dst, word...)
		default:
			w.dst = append(w.dst, "null"...)
		}
		return
	}
	if w.style == PythonDumps {
		w.dst = pyfloat.Append(w.dst, f)
	} else {
		w.dst = appendNumber(w.dst, f)
	}
}
