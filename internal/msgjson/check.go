package msgjson

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"math"
	"slices"
	"unicode/utf8"
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

// readItem reads the header at src[i], which must exist, and checks that
// the item's header and data fit in src.
func readItem(src []byte, i int) (item, error) {
	code := src[i]
	var it item
	switch {
	case code <= 0x7f || code >= 0xe0:
		return item{kind: kindScalar, hdr: 1}, nil
	case code <= 0x8f:
		return item{kind: kindMap, hdr: 1, n: int(code & 0x0f)}, nil
	case code <= 0x9f:
		return item{kind: kindArray, hdr: 1, n: int(code & 0x0f)}, nil
	case code <= 0xbf:
		it = item{kind: kindStr, hdr: 1, n: int(code & 0x1f)}
	default:
		switch code {
		case codeNil, codeFalse, codeTrue:
			return item{kind: kindScalar, hdr: 1}, nil
		case codePad:
			return item{kind: kindReserved, hdr: 1}, nil
		case 0xc4, 0xc5, 0xc6:
			it = item{kind: kindBin, hdr: 1 + 1<<(code-0xc4)}
		case 0xc7, 0xc8, 0xc9:
			it = item{kind: kindExt, hdr: 2 + 1<<(code-0xc7)}
		case 0xca:
			it = item{kind: kindScalar, hdr: 5}
		case codeFloat64:
			it = item{kind: kindScalar, hdr: 9}
		case codeUint8, codeUint16, codeUint32, codeUint64:
			it = item{kind: kindScalar, hdr: 1 + 1<<(code-codeUint8)}
		case codeInt8, codeInt16, codeInt32, codeInt64:
			it = item{kind: kindScalar, hdr: 1 + 1<<(code-codeInt8)}
		case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
			it = item{kind: kindExt, hdr: 2, n: 1 << (code - 0xd4)}
		case codeStr8, codeStr16, codeStr32:
			it = item{kind: kindStr, hdr: 1 + 1<<(code-codeStr8)}
		case codeArray16, codeArray32:
			it = item{kind: kindArray, hdr: 1 + 2<<(code-codeArray16)}
		case codeMap16, codeMap32:
			it = item{kind: kindMap, hdr: 1 + 2<<(code-codeMap16)}
		}
		if it.hdr > len(src)-i {
			return it, errAt(ErrSyntax, i, "truncated msgpack header")
		}
		// The length field, if any, ends the header (ext: before the type).
		switch lenBytes := lengthBytes(code); lenBytes {
		case 1:
			it.n = int(src[i+1])
		case 2:
			it.n = int(binary.BigEndian.Uint16(src[i+1:]))
		case 4:
			it.n = int(binary.BigEndian.Uint32(src[i+1:]))
		}
	}
	if it.kind == kindStr || it.kind == kindBin || it.kind == kindExt {
		if it.n < 0 || it.n > len(src)-i-it.hdr { // n < 0: a 32-bit length beyond int on 32-bit platforms
			return it, errAt(ErrSyntax, i, "truncated msgpack str, bin or ext")
		}
	}
	return it, nil
}

// lengthBytes is the size of the length field after code (0 for codes
// without one).
func lengthBytes(code byte) int {
	switch code {
	case 0xc4, 0xc7, codeStr8:
		return 1
	case 0xc5, 0xc8, codeStr16, codeArray16, codeMap16:
		return 2
	case 0xc6, 0xc9, codeStr32, codeArray32, codeMap32:
		return 4
	}
	return 0
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
					return errAt(ErrSyntax, start, "truncated msgpack: %d elements cannot fit in %d bytes", uint32(it.n), len(src)-pos)
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
	switch {
	case src[i] == 0xca && len(src)-i >= 5:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(src[i+1:]))), true
	case src[i] == codeFloat64 && len(src)-i >= 9:
		return math.Float64frombits(binary.BigEndian.Uint64(src[i+1:])), true
	}
	return 0, false
}
