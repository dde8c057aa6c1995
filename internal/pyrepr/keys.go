package pyrepr

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"math"
	"slices"
)

// keyID identifies a map key as Python's dict compares keys: str and bytes
// by content (a str never equals a bytes), numbers by value across types
// (True == 1 == 1.0, False == 0 == -0.0), None with None, ExtType by code
// and data, Timestamp by time. Each NaN is its own key.
type keyID struct {
	class byte // 's' str, 'b' bytes, 'i' integral number, 'f' other float, 'n' NaN, 'z' None, 'e' ExtType, 't' Timestamp
	a, b  uint64
	s     []byte
}

func compareKeyID(x, y keyID) int {
	if c := cmp.Compare(x.class, y.class); c != 0 {
		return c
	}
	if c := cmp.Compare(x.a, y.a); c != 0 {
		return c
	}
	if c := cmp.Compare(x.b, y.b); c != 0 {
		return c
	}
	return bytes.Compare(x.s, y.s)
}

// keyOf returns the identity of the key at p[i], the n-th of its map
// (which tells NaNs apart). The key was formatted already, so it is valid
// and neither an array nor a map.
func keyOf(p []byte, i, n int) keyID {
	h, _ := readHead(p, i)
	switch h.kind {
	case kStr:
		return keyID{class: 's', s: p[h.body:h.end()]}
	case kBin:
		return keyID{class: 'b', s: p[h.body:h.end()]}
	case kNil:
		return keyID{class: 'z'}
	case kBool:
		if h.b {
			return keyID{class: 'i', b: 1}
		}
		return keyID{class: 'i'}
	case kInt:
		if h.unsigned {
			return keyID{class: 'i', b: h.u}
		}
		if h.i < 0 {
			return keyID{class: 'i', a: 1, b: uint64(-(h.i + 1)) + 1}
		}
		return keyID{class: 'i', b: uint64(h.i)}
	case kFloat:
		f := h.f
		switch {
		case math.IsNaN(f):
			return keyID{class: 'n', a: uint64(n)}
		case f == math.Trunc(f) && math.Abs(f) < 1<<64:
			if f < 0 {
				return keyID{class: 'i', a: 1, b: uint64(-f)}
			}
			return keyID{class: 'i', b: uint64(f)}
		}
		return keyID{class: 'f', a: math.Float64bits(f)}
	}
	data := p[h.body:h.end()]
	if sec, ns, ok := timestamp(h.ext, data); ok {
		return keyID{class: 't', a: uint64(sec), b: uint64(ns)}
	}
	return keyID{class: 'e', a: uint64(uint8(h.ext)), s: data}
}

// finishMap rewrites the map just formatted (its entries es) when
// Python's dict differs from the wire entries (a key repeated: Python
// keeps its first place and its last value), with top when Python
// Banyan's numpy-mode key fix applies (the top-level dict has keys that
// are not str: it is replaced by those keys, bytes decoded as UTF-8, and
// their values), and when a value was left unformatted (see mapValue).
func (w *walker) finishMap(es []entry, top bool) {
	pick := w.duplicates(es)
	filter := top && hasNonStrKey(w.p, es)
	// Entries before from stay as they are.
	from := len(es)
	for i, e := range es {
		if filter || e.oval < 0 || pick != nil && pick[i] != int32(i) {
			from = i
			break
		}
	}
	if from == len(es) {
		return
	}
	keep := es[from].okey // after "{" or ", "
	w.scratch = append(w.scratch[:0], w.out[keep:]...)
	text := func(a, b int) []byte { return w.scratch[a-keep : b-keep] }
	w.out = w.out[:keep]
	first := from == 0
	for i, e := range es[from:] {
		i += from
		last := e
		if pick != nil {
			if pick[i] < 0 {
				continue
			}
			last = es[pick[i]]
		}
		if filter && isStrCode(w.p[e.key]) {
			continue
		}
		if !first && i > from {
			w.out = append(w.out, ", "...)
		}
		first = false
		if filter && isBinCode(w.p[e.key]) {
			h, _ := readHead(w.p, e.key)
			w.out = appendStr(w.out, w.p[h.body:h.end()])
		} else {
			w.out = append(w.out, text(e.okey, e.okend)...)
		}
		w.out = append(w.out, ": "...)
		if last.oval < 0 {
			h, _ := readHead(w.p, last.val)
			w.out = appendScalar(w.out, w.p, h)
		} else {
			w.out = append(w.out, text(last.oval, last.oend)...)
		}
	}
	w.out = append(w.out, '}')
}

// duplicates returns nil when the keys of es are distinct. Otherwise it
// returns, for each entry, the index of the entry whose value the dict
// holds for its key (the last with an equal key) when the entry is the
// first with that key, and -1 when an earlier entry has the key.
func (w *walker) duplicates(es []entry) []int32 {
	n := len(es)
	if n < 2 {
		return nil
	}
	if n <= 8 {
		var ids [8]keyID
		for i, e := range es {
			ids[i] = keyOf(w.p, e.key, i)
		}
		dup := false
		for i := 1; i < n && !dup; i++ {
			for j := range i {
				if compareKeyID(ids[i], ids[j]) == 0 {
					dup = true
					break
				}
			}
		}
		if !dup {
			return nil
		}
		pick := make([]int32, n)
		for i := range n {
			pick[i] = int32(i)
			for j := range i {
				if compareKeyID(ids[i], ids[j]) == 0 {
					pick[i] = -1
					if k := pick[j]; k >= 0 {
						pick[j] = int32(i) // a later value for the key of j
					}
					break
				}
			}
		}
		return pick
	}
	// Larger maps: sort the entry indexes by key, then look at runs of
	// equal keys.
	w.idx = slices.Grow(w.idx[:0], n)[:n]
	for i := range w.idx {
		w.idx[i] = int32(i)
	}
	id := func(i int32) keyID { return keyOf(w.p, es[i].key, int(i)) }
	slices.SortStableFunc(w.idx, func(a, b int32) int { return compareKeyID(id(a), id(b)) })
	var pick []int32
	for r := 0; r < n; {
		s := r + 1
		for s < n && compareKeyID(id(w.idx[r]), id(w.idx[s])) == 0 {
			s++
		}
		if s-r > 1 {
			if pick == nil {
				pick = make([]int32, n)
				for i := range pick {
					pick[i] = int32(i)
				}
			}
			// Stable sort: the run is in wire order.
			pick[w.idx[r]] = w.idx[s-1]
			for _, k := range w.idx[r+1 : s] {
				pick[k] = -1
			}
		}
		r = s
	}
	return pick
}

// isStrCode and isBinCode classify a msgpack header byte.
func isStrCode(c byte) bool { return c >= 0xa0 && c <= 0xbf || c == 0xd9 || c == 0xda || c == 0xdb }
func isBinCode(c byte) bool { return c == 0xc4 || c == 0xc5 || c == 0xc6 }

// hasNonStrKey reports whether any key of es is not a msgpack str.
func hasNonStrKey(p []byte, es []entry) bool {
	for _, e := range es {
		if !isStrCode(p[e.key]) {
			return true
		}
	}
	return false
}

// timestamp decodes msgpack's timestamp extension (type -1) as Python's
// msgpack.Timestamp takes it: 4 bytes of seconds, 8 bytes of 30-bit
// nanoseconds and 34-bit seconds, or 12 bytes of 32-bit nanoseconds and
// signed 64-bit seconds; nanoseconds must be below 10**9.
func timestamp(code int8, data []byte) (sec int64, ns uint32, ok bool) {
	if code != -1 {
		return 0, 0, false
	}
	switch len(data) {
	case 4:
		return int64(binary.BigEndian.Uint32(data)), 0, true
	case 8:
		v := binary.BigEndian.Uint64(data)
		sec, ns = int64(v&(1<<34-1)), uint32(v>>34)
	case 12:
		ns, sec = binary.BigEndian.Uint32(data), int64(binary.BigEndian.Uint64(data[4:]))
	default:
		return 0, 0, false
	}
	return sec, ns, ns < 1e9
}
