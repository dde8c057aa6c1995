package prefixset

import (
	"bytes"
	"fmt"
	"testing"
)

// naive is the structure the ZMTP sockets used before Set: every change
// rebuilds a slice from a map, and Match scans the slice.
type naive struct {
	subs     map[string]struct{}
	prefixes [][]byte
}

func (n *naive) add(p string) {
	if n.subs == nil {
		n.subs = map[string]struct{}{}
	}
	n.subs[p] = struct{}{}
	ps := make([][]byte, 0, len(n.subs))
	for k := range n.subs {
		ps = append(ps, []byte(k))
	}
	n.prefixes = ps
}

func (n *naive) match(topic []byte) bool {
	for _, pre := range n.prefixes {
		if bytes.HasPrefix(topic, pre) {
			return true
		}
	}
	return false
}

func sensorPrefix(i int) string { return fmt.Sprintf("sensor/%05d/", i) }

var sink bool

// BenchmarkMatch compares Set with the naive scan for 1, 100 and 10,000
// prefixes like "sensor/00042/": hit cycles through topics matching each
// prefix in turn, hot through 8 of them (so the nodes they need stay in
// cache), and miss is one topic that shares "sensor/" but matches none.
func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		var s Set
		var nv naive
		var buf []byte
		for i := range n {
			s.Add(sensorPrefix(i))
			nv.prefixes = append(nv.prefixes, []byte(sensorPrefix(i))) // no O(n²) build
			buf = fmt.Appendf(buf, "%stemp", sensorPrefix(i))
		}
		const size = len("sensor/00000/temp")
		hits := make([][]byte, n) // contiguous, so loading topics costs little
		for i := range hits {
			hits[i] = buf[i*size : (i+1)*size : (i+1)*size]
		}
		hot := make([][]byte, min(n, 8)) // a few topics spread over the prefixes
		for i := range hot {
			hot[i] = hits[i*n/len(hot)]
		}
		miss := [][]byte{[]byte("sensor/99999/temp")}
		for _, topics := range []struct {
			name string
			list [][]byte
			want bool
		}{{"hit", hits, true}, {"hot", hot, true}, {"miss", miss, false}} {
			for _, impl := range []struct {
				name  string
				match func([]byte) bool
			}{{"naive", nv.match}, {"trie", s.Match}} {
				b.Run(fmt.Sprintf("prefixes=%d/%s/%s", n, impl.name, topics.name), func(b *testing.B) {
					list, match := topics.list, impl.match
					if match(list[0]) != topics.want {
						b.Fatal("wrong answer")
					}
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						sink = match(list[i])
						if i++; i == len(list) {
							i = 0
						}
					}
				})
			}
		}
	}
}

// BenchmarkMatchAll is the common "subscribed to everything" case.
func BenchmarkMatchAll(b *testing.B) {
	var s Set
	s.Add("")
	topic := []byte("sensor/00001/temp")
	b.ReportAllocs()
	for b.Loop() {
		sink = s.Match(topic)
	}
}

// BenchmarkAdd10000 measures adding 10,000 distinct prefixes to an empty
// set, one at a time, as 10,000 SUBSCRIBE commands would.
func BenchmarkAdd10000(b *testing.B) {
	ps := make([]string, 10000)
	for i := range ps {
		ps[i] = sensorPrefix(i)
	}
	b.Run("trie", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var s Set
			for _, p := range ps {
				s.Add(p)
			}
		}
	})
	b.Run("naive", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var nv naive
			for _, p := range ps {
				nv.add(p)
			}
		}
	})
}

// BenchmarkRemove10000 measures removing 10,000 prefixes one at a time.
func BenchmarkRemove10000(b *testing.B) {
	ps := make([]string, 10000)
	var full Set
	for i := range ps {
		ps[i] = sensorPrefix(i)
		full.Add(ps[i])
	}
	b.ReportAllocs()
	for b.Loop() {
		s := Set{}
		s.root.Store(full.root.Load()) // nodes are immutable, so sharing is safe
		s.n.Store(full.n.Load())
		for _, p := range ps {
			s.Remove(p)
		}
	}
}

// BenchmarkFind chose linearMax: it looks up every child of nodes with 2
// to 256 children by linear scan and by binary search.
func BenchmarkFind(b *testing.B) {
	for _, fan := range []int{4, 8, 16, 32, 64, 256} {
		n := &node{kids: make([]node, fan)}
		for i := range n.kids {
			n.kids[i].b = byte(i * 256 / fan)
		}
		for _, impl := range []struct {
			name string
			find func(byte) bool
		}{
			{"linear", func(c byte) bool {
				for i := range n.kids {
					if n.kids[i].b == c {
						return true
					}
				}
				return false
			}},
			{"binary", func(c byte) bool { _, ok := n.search(c); return ok }},
		} {
			b.Run(fmt.Sprintf("fan=%d/%s", fan, impl.name), func(b *testing.B) {
				i := 0
				for b.Loop() {
					sink = impl.find(n.kids[i].b)
					if i++; i == fan {
						i = 0
					}
				}
			})
		}
	}
}
