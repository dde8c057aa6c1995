package msgjson

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/gobanyan/banyan/internal/codec"
)

// Checking msgpack before AppendJSON writes it, and finding the maps whose
// keys must be sorted.

// kind is the type of a msgpack item.
type kind uint8

const (
	kindScalar kind = iota // nil, bool, int, float: header is the whole item
	kindStr
	kindBin
	kindArray
	kindMap
	kindExt
	kindReserved // 0xc1
)

// item is the header of the msgpack item at some offset.
type item struct {
	kind kind
	hdr  int // bytes of the header (of the whole item for a scalar)
	n    int // str, bin, ext: bytes of data; array: elements; map: pairs
}

// kindOf maps codec's types to the kinds that matter here.
var kindOf = [...]kind{
	codec.TypeNil: kindScalar, codec.TypeBool: kindScalar, codec.TypeInt: kindScalar,
	codec.TypeUint: kindScalar, codec.TypeFloat32: kindScalar, codec.TypeFloat64: kindScalar,
	codec.TypeStr: kindStr, codec.TypeBin: kindBin, codec.TypeExt: kindExt,
	codec.TypeArray: kindArray, codec.TypeMap: kindMap, codec.TypeReserved: kindReserved,
}

// readItem reads the header at src[i], which must exist, through
// codec.Head, and checks that the item's header and data fit in src. An
// array or map whose count cannot fit has n -1; check reports it after
// its own checks of keys and depth.
func readItem(src []byte, i int) (item, error) {
	t, f := codec.Head(src, i)
	it := item{kind: kindOf[t.Type], hdr: t.Size, n: t.N}
	switch f {
	case codec.ShortHeader:
		return it, errAt(ErrSyntax, i, "truncated msgpack header")
	case codec.ShortBody:
		if it.kind == kindArray || it.kind == kindMap {
			it.n = -1
			return it, nil
		}
		return it, errAt(ErrSyntax, i, "truncated msgpack str, bin or ext")
	}
	return it, nil
}

// keyAt returns the bytes of the map key (a str or a bin) at src[i] and
// the offset of the value after it, in msgpack already checked.
func keyAt(src []byte, i int) (key []byte, value int) {
	it, _ := readItem(src, i)
	start := i + it.hdr
	return src[start : start+it.n], start + it.n
}

// sortedMap is a map whose keys are not in strictly increasing order, with
// the offsets of its keys in that order, the last of equal keys only, in
// entries[first : first+n].
type sortedMap struct {
	at, end  uint32 // offsets of the map and of what follows it
	first, n uint32
}

// checker walks one msgpack value: it checks that it is well-formed, holds
// nothing JSON cannot carry, and nests at most maxDepth deep, and (with
// sortKeys) indexes the maps whose keys must be reordered.
type checker struct {
	src      []byte
	maxDepth int
	sortKeys bool
	// What Options refuse.
	bin       Bin
	ext       Ext
	nonFinite NonFinite
	work      []uint32    // key offsets of the open maps being indexed
	maps      []sortedMap // sorted by offset when check returns
	entries   []uint32
}

// checkFrame is an array or map being checked.
type checkFrame struct {
	left  int // items left: elements, or keys and values
	isMap bool
	at    int // offset of its header
	// Maps indexed for sortKeys: where their keys start in work (-1 when
	// not indexed), the previous key's offset, whether keys are strictly
	// increasing so far.
	work, prev int
	sorted     bool
}

// check walks the whole input.
func (c *checker) check() error {
	src := c.src
	if len(src) == 0 {
		return errAt(ErrSyntax, 0, "empty msgpack")
	}
	var buf [32]checkFrame
	stack := buf[:0]
	pos := 0
	for {
		if pos >= len(src) {
			return errAt(ErrSyntax, pos, "truncated msgpack: %d more items expected", stack[len(stack)-1].left)
		}
		it, err := readItem(src, pos)
		if err != nil {
			return err
		}
		start := pos
		if n := len(stack); n > 0 && stack[n-1].isMap && stack[n-1].left%2 == 0 {
			top := &stack[n-1]
			if it.kind != kindStr && it.kind != kindBin {
				return errAt(ErrUnsupported, pos, "map key is not a str or bin")
			}
			if it.kind == kindBin && c.bin == BinRefuse {
				return errAt(ErrUnsupported, pos, "map key is bin (bytes); JSON keys are strings")
			}
			pos += it.hdr + it.n
			key := src[start+it.hdr : pos]
			if it.kind == kindStr && !utf8.Valid(key) {
				return errAt(ErrUTF8, start, "map key str is not UTF-8")
			}
			if top.work >= 0 {
				if top.sorted && top.prev >= 0 {
					prev, _ := keyAt(src, top.prev)
					top.sorted = top.sorted && bytes.Compare(prev, key) < 0
				}
				top.prev = start
				c.work = append(c.work, uint32(start))
			}
		} else {
			switch it.kind {
			case kindExt:
				if c.ext != ExtObject {
					return errAt(ErrUnsupported, pos, "msgpack ext value")
				}
				pos += it.hdr + it.n
			case kindReserved:
				return errAt(ErrSyntax, pos, "reserved msgpack code 0xc1")
			case kindStr:
				if !utf8.Valid(src[pos+it.hdr : pos+it.hdr+it.n]) {
					return errAt(ErrUTF8, pos, "str is not UTF-8")
				}
				pos += it.hdr + it.n
			case kindBin:
				if c.bin == BinRefuse {
					return errAt(ErrUnsupported, pos, "bin (bytes) value")
				}
				pos += it.hdr + it.n
			case kindScalar:
				if it.hdr > len(src)-pos {
					return errAt(ErrSyntax, pos, "truncated msgpack number")
				}
				if c.nonFinite == NonFiniteRefuse {
					if f, ok := floatAt(src, pos); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
						return errAt(ErrUnsupported, pos, "float %v", f)
					}
				}
				pos += it.hdr
			case kindArray, kindMap:
				if len(stack) >= c.maxDepth {
					return errAt(ErrDepth, pos, "arrays and maps nested deeper than %d", c.maxDepth)
				}
				pos += it.hdr
				// Each element takes a byte at least, each pair two: a
				// count beyond that is truncated input (and 2n fits an int).
				if minSize := 1 + int(it.kind-kindArray); it.n < 0 || it.n > (len(src)-pos)/minSize {
					t, _ := codec.Head(src, start)
					return errAt(ErrSyntax, start, "truncated msgpack: %d elements cannot fit in %d bytes", t.V, len(src)-pos)
				}
				if it.n > 0 {
					f := checkFrame{left: it.n, isMap: it.kind == kindMap, at: start, work: -1, prev: -1}
					if f.isMap {
						f.left *= 2
						if c.sortKeys && it.n > 1 {
							f.work, f.sorted = len(c.work), true
						}
					}
					stack = append(stack, f)
					continue
				}
			}
		}
		// An item is done: count it, and end the containers it completes.
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.left--; top.left > 0 {
				break
			}
			if top.work >= 0 {
				c.finishMap(top, pos)
			}
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			if pos != len(src) {
				return errAt(ErrSyntax, pos, "%d bytes after the msgpack value", len(src)-pos)
			}
			slices.SortFunc(c.maps, func(a, b sortedMap) int { return cmp.Compare(a.at, b.at) })
			return nil
		}
	}
}

// finishMap indexes the map of frame f, which ends at end, if its keys are
// not strictly increasing: sorted by their bytes, of equal keys the last.
func (c *checker) finishMap(f *checkFrame, end int) {
	keys := c.work[f.work:]
	c.work = c.work[:f.work]
	if f.sorted {
		return
	}
	src := c.src
	slices.SortFunc(keys, func(a, b uint32) int {
		ka, _ := keyAt(src, int(a))
		kb, _ := keyAt(src, int(b))
		if d := bytes.Compare(ka, kb); d != 0 {
			return d
		}
		return cmp.Compare(a, b)
	})
	first := len(c.entries)
	for i, off := range keys {
		if i+1 < len(keys) {
			k, _ := keyAt(src, int(off))
			next, _ := keyAt(src, int(keys[i+1]))
			if bytes.Equal(k, next) {
				continue // a later entry has the same key
			}
		}
		c.entries = append(c.entries, off)
	}
	c.maps = append(c.maps, sortedMap{at: uint32(f.at), end: uint32(end), first: uint32(first), n: uint32(len(c.entries) - first)})
}

// floatAt returns the float at src[i] if it is a float32 or float64 whose
// bytes are all in src.
func floatAt(src []byte, i int) (float64, bool) {
	t, f := codec.Head(src, i)
	switch {
	case f != codec.OK:
		return 0, false
	case t.Type == codec.TypeFloat32:
		return float64(math.Float32frombits(uint32(t.V))), true
	case t.Type == codec.TypeFloat64:
		return math.Float64frombits(t.V), true
	}
	return 0, false
}
