package prefixset

import (
	"strings"
	"sync/atomic"
)

// Set is a set of prefixes that answers "does any member start the topic?"
// in time independent of the number of members. The zero value is an empty
// set ready to use. A Set must not be copied after first use.
//
// Add, Remove and Clear must not be called concurrently with each other;
// Match may be called concurrently with anything, and so may Has and Len.
type Set struct {
	root atomic.Pointer[node] // nil when empty; what it points to is never modified
	n    atomic.Int64
}

// node is one node of a path-compressed trie. Nodes are values inside
// their parent's kids array, and neither a node nor a kids array is
// modified once it is reachable from a root: writers copy the path they
// change.
//
// The bytes on the path from the root to the end of a node are
// key[:end]; the edge from the parent (whose end is p) into the node is
// labelled key[p:end], and b is its first byte, key[p]. key is the member
// ending here when term is set, and otherwise the key of the first child,
// so keys are members, each stored once. Because a label is only a window
// on key, a child can be hung under a new parent (a split) or pulled up
// over a removed one (a merge) without copying bytes.
//
// The root has end 0 and key "", and its term means the empty prefix, which
// matches everything. Every other node is terminal or has at least two
// children; kids are sorted by b.
type node struct {
	key  string
	kids []node
	end  int
	b    byte
	term bool
}

// linearMax is the largest number of children looked up by a linear scan;
// larger nodes use binary search. BenchmarkFind chose it.
const linearMax = 16

// find returns the child whose label starts with b, or nil.
func (n *node) find(b byte) *node {
	k := n.kids
	if len(k) > linearMax {
		if j, ok := n.search(b); ok {
			return &k[j]
		}
		return nil
	}
	for i := range k {
		if k[i].b == b {
			return &k[i]
		}
	}
	return nil
}

// search returns the index of the child whose label starts with b, or
// where it would be inserted, and whether it is there.
func (n *node) search(b byte) (int, bool) {
	k := n.kids
	lo, hi := 0, len(k)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if k[m].b < b {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(k) && k[lo].b == b
}

// Match reports whether some member of s is a prefix of topic. It does not
// lock or allocate, and its cost is bounded by len(topic), whatever Len is;
// when s holds "" it is one atomic load and a branch.
func (s *Set) Match(topic []byte) bool { return s.MatchAtLeast(topic, 0) }

// MatchAtLeast reports whether some member of s at least min bytes long is
// a prefix of topic: Match that ignores the shorter members (a backplane
// keeps a reserved topic space from subscribers to everything with it).
// MatchAtLeast(topic, 0) is Match(topic). Like Match it does not lock or
// allocate, and its cost is bounded by len(topic).
func (s *Set) MatchAtLeast(topic []byte, min int) bool {
	n := s.root.Load()
	if n == nil {
		return false
	}
	i := 0
	for !n.term || n.end < min {
		if i >= len(topic) {
			return false
		}
		c := n.find(topic[i])
		if c == nil || c.end > len(topic) {
			return false
		}
		// Every member below c starts with all of c's label; its first
		// byte has matched.
		if c.end > i+1 && string(topic[i+1:c.end]) != c.key[i+1:c.end] {
			return false
		}
		i, n = c.end, c
	}
	return true
}

// Has reports whether prefix is a member of s.
func (s *Set) Has(prefix string) bool {
	n := s.root.Load()
	if n == nil {
		return false
	}
	for n.end < len(prefix) {
		c := n.find(prefix[n.end])
		if c == nil || c.end > len(prefix) || prefix[n.end+1:c.end] != c.key[n.end+1:c.end] {
			return false
		}
		n = c
	}
	return n.term
}

// Len returns the number of members of s.
func (s *Set) Len() int { return int(s.n.Load()) }

// Clear removes every member of s.
func (s *Set) Clear() {
	s.root.Store(nil)
	s.n.Store(0)
}

// Add adds prefix to s and reports whether it was not already a member.
// The set keeps its own copy of prefix. Add copies at most the nodes on the
// path to prefix, one per byte at most and each with at most 256
// children, so its cost does not depend on the size of s.
func (s *Set) Add(prefix string) bool {
	r := s.root.Load()
	if r == nil {
		r = &node{}
	}
	nr, ok := insert(r, prefix)
	if ok {
		s.root.Store(&nr)
		s.n.Add(1)
	}
	return ok
}

// insert returns a copy of n with p added and whether p was new; p[:n.end]
// is the path to n.
func insert(n *node, p string) (node, bool) {
	if n.end == len(p) {
		if n.term {
			return *n, false
		}
		m := *n
		m.term, m.key = true, strings.Clone(p)
		return m, true
	}
	b := p[n.end]
	j, found := n.search(b)
	if !found {
		return n.withKid(j, node{key: strings.Clone(p), end: len(p), b: b, term: true}), true
	}
	c := &n.kids[j]
	k, lim := n.end+1, min(c.end, len(p))
	for k < lim && c.key[k] == p[k] {
		k++
	}
	if k == c.end {
		nc, ok := insert(c, p)
		if !ok {
			return *n, false
		}
		return n.replaceKid(j, nc), true
	}
	// p ends or leaves c's label at k: hang c under a new node ending at k.
	lower := *c
	lower.b = c.key[k]
	mid := node{end: k, b: b}
	if k == len(p) {
		mid.key, mid.term = strings.Clone(p), true
		mid.kids = []node{lower}
	} else {
		leaf := node{key: strings.Clone(p), end: len(p), b: p[k], term: true}
		if leaf.b < lower.b {
			mid.kids = []node{leaf, lower}
		} else {
			mid.kids = []node{lower, leaf}
		}
		mid.key = mid.kids[0].key
	}
	return n.replaceKid(j, mid), true
}

// Remove removes prefix from s and reports whether it was a member. Like
// Add, its cost is bounded by len(prefix), and it leaves the trie exactly
// as compact as if prefix had never been added.
func (s *Set) Remove(prefix string) bool {
	r := s.root.Load()
	if r == nil {
		return false
	}
	nr, ok, gone := remove(r, prefix)
	if ok {
		if gone {
			s.root.Store(nil)
		} else {
			s.root.Store(&nr)
		}
		s.n.Add(-1)
	}
	return ok
}

// remove returns a copy of n with p removed and whether p was a member;
// gone means nothing is left of n. p[:n.end] is the path to n.
func remove(n *node, p string) (m node, ok, gone bool) {
	if n.end == len(p) {
		if !n.term {
			return *n, false, false
		}
		m = *n
		m.term = false
	} else {
		j, found := n.search(p[n.end])
		if !found {
			return *n, false, false
		}
		c := &n.kids[j]
		if c.end > len(p) || p[n.end+1:c.end] != c.key[n.end+1:c.end] {
			return *n, false, false
		}
		nc, ok, gone := remove(c, p)
		if !ok {
			return *n, false, false
		}
		if gone {
			m = n.dropKid(j)
		} else {
			m = n.replaceKid(j, nc)
		}
	}
	// m is a fresh copy: restore the invariants in it.
	switch {
	case m.end == 0: // the root stays unless the set is empty
		if !m.term && len(m.kids) == 0 {
			return m, true, true
		}
		m.key = ""
	case m.term: // m.key is m's own member, not p
	case len(m.kids) == 0:
		return m, true, true
	case len(m.kids) == 1: // merge: the child's label now starts where m's did
		k := m.kids[0]
		k.b = m.b
		return k, true, false
	default: // m.key may have been p
		m.key = m.kids[0].key
	}
	return m, true, false
}

// withKid returns a copy of n with c inserted as child j.
func (n *node) withKid(j int, c node) node {
	kids := make([]node, len(n.kids)+1)
	copy(kids, n.kids[:j])
	kids[j] = c
	copy(kids[j+1:], n.kids[j:])
	m := *n
	m.kids = kids
	if !m.term && m.end != 0 {
		m.key = kids[0].key
	}
	return m
}

// replaceKid returns a copy of n with child j, which starts with the same
// byte as c, replaced by c.
func (n *node) replaceKid(j int, c node) node {
	kids := make([]node, len(n.kids))
	copy(kids, n.kids)
	kids[j] = c
	m := *n
	m.kids = kids
	if !m.term && m.end != 0 {
		m.key = kids[0].key
	}
	return m
}

// dropKid returns a copy of n without child j.
func (n *node) dropKid(j int) node {
	m := *n
	kids := make([]node, 0, len(n.kids)-1)
	m.kids = append(append(kids, n.kids[:j]...), n.kids[j+1:]...)
	return m
}
