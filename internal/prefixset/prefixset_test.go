package prefixset

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// model is the obvious implementation a Set is checked against.
type model map[string]bool

func (m model) match(topic []byte) bool { return m.matchAtLeast(topic, 0) }

func (m model) matchAtLeast(topic []byte, min int) bool {
	for k := range m {
		if len(k) >= min && strings.HasPrefix(string(topic), k) {
			return true
		}
	}
	return false
}

// check walks the trie and fails t unless it has the invariants the code
// relies on, holds exactly the members of want, and is fully compressed.
func check(t testing.TB, s *Set, want model) {
	t.Helper()
	if s.Len() != len(want) {
		t.Fatalf("Len %d, want %d", s.Len(), len(want))
	}
	r := s.root.Load()
	if r == nil {
		if len(want) != 0 {
			t.Fatalf("empty trie, want %d members", len(want))
		}
		return
	}
	if r.end != 0 || r.key != "" {
		t.Fatalf("root end %d key %q", r.end, r.key)
	}
	if !r.term && len(r.kids) == 0 {
		t.Fatal("empty root should be nil")
	}
	got := map[string]bool{}
	nodes := 0
	var walk func(n *node, path string)
	walk = func(n *node, path string) {
		nodes++
		if !strings.HasPrefix(n.key, path) || len(path) != n.end {
			t.Fatalf("node key %q end %d under path %q", n.key, n.end, path)
		}
		if n.term {
			if n.key != path {
				t.Fatalf("terminal node key %q, want %q", n.key, path)
			}
			got[path] = true
		} else if n.end != 0 {
			if len(n.kids) < 2 {
				t.Fatalf("node %q: not terminal, %d children", path, len(n.kids))
			}
			if n.key != n.kids[0].key {
				t.Fatalf("node %q: key %q, first child's %q", path, n.key, n.kids[0].key)
			}
		}
		for i := range n.kids {
			c := &n.kids[i]
			if c.end <= n.end {
				t.Fatalf("node %q: child %d has empty label", path, i)
			}
			if c.key[n.end] != c.b || i > 0 && n.kids[i-1].b >= c.b {
				t.Fatalf("node %q: child %d has b %q, label %q", path, i, c.b, c.key[n.end:c.end])
			}
			walk(c, c.key[:c.end])
		}
	}
	walk(r, "")
	if len(got) != len(want) {
		t.Fatalf("trie holds %d members, want %d", len(got), len(want))
	}
	for k := range want {
		if !got[k] {
			t.Fatalf("trie lacks %q", k)
		}
	}
	// Compressed: at most one inner node per member besides the leaves.
	if nodes > 2*len(want)+1 {
		t.Fatalf("%d nodes for %d members", nodes, len(want))
	}
}

func TestZeroValue(t *testing.T) {
	var s Set
	if s.Match(nil) || s.Match([]byte("x")) || s.Has("") || s.Len() != 0 {
		t.Fatal("zero Set is not empty")
	}
	if s.Remove("") || s.Remove("x") {
		t.Fatal("Remove on empty set reported a member")
	}
	s.Clear()
	check(t, &s, model{})
}

func TestTable(t *testing.T) {
	long := strings.Repeat("0123456789abcdef", 4096) // 64 KiB
	tests := []struct {
		name    string
		members []string
		match   []string
		nomatch []string
	}{
		{"empty prefix", []string{""}, []string{"", "a", "\x00", "\xff\xff"}, nil},
		{"one", []string{"abc"}, []string{"abc", "abcd"}, []string{"", "a", "ab", "abd", "b", "xabc"}},
		{"overlapping", []string{"a", "ab", "abc"}, []string{"a", "ab", "abc", "abd", "az"}, []string{"", "b", "\x00a"}},
		{"siblings", []string{"ab", "ac", "b"}, []string{"ab", "acx", "b", "bz"}, []string{"a", "ad", "c", ""}},
		{"split", []string{"abcd", "abxy"}, []string{"abcd", "abxyz"}, []string{"ab", "abc", "abx", "abcx", "abxz"}},
		{"binary", []string{"\x00", "\xff", "a\x00b", "\x00\xff"}, []string{"\x00", "\x00\x00", "\xff", "\xffa", "a\x00b"}, []string{"", "a", "a\x00", "a\x00c", "\xfe", "\x01"}},
		{"all bytes", allBytes(), []string{"\x00", "\x7f", "\x80", "\xff", "zz"}, []string{""}},
		{"long", []string{long, long[:100], long + "!"}, []string{long, long + "?", long[:100] + "x"}, []string{long[:99], "1" + long[:99]}},
		{"sensors", []string{"sensor/00001/", "sensor/00002/", "sensor/00010/"}, []string{"sensor/00001/temp", "sensor/00010/"}, []string{"sensor/00001", "sensor/00003/", "sensor/", "sensor/00100/"}},
		{"empty and others", []string{"", "a", "abc"}, []string{"", "b", "abc"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Set
			want := model{}
			for _, m := range tt.members {
				if !s.Add(m) {
					t.Fatalf("Add(%.20q) reported not new", m)
				}
				if s.Add(m) {
					t.Fatalf("second Add(%.20q) reported new", m)
				}
				want[m] = true
				check(t, &s, want)
			}
			for _, m := range tt.members {
				if !s.Has(m) {
					t.Errorf("Has(%.20q) false", m)
				}
				if s.Has(m+"\x00") != want[m+"\x00"] {
					t.Errorf("Has(%.20q+NUL) wrong", m)
				}
			}
			for _, x := range tt.match {
				if !s.Match([]byte(x)) {
					t.Errorf("Match(%.20q) false", x)
				}
			}
			for _, x := range tt.nomatch {
				if s.Match([]byte(x)) {
					t.Errorf("Match(%.20q) true", x)
				}
			}
			// Remove in the first few rotations of the insertion order, in
			// descending and ascending order, and shuffled.
			orders := [][]string{}
			for r := range min(len(tt.members), 4) {
				orders = append(orders, append(append([]string{}, tt.members[r:]...), tt.members[:r]...))
			}
			sorted := append([]string{}, tt.members...)
			sort.Strings(sorted)
			rev := append([]string{}, sorted...)
			sort.Sort(sort.Reverse(sort.StringSlice(rev)))
			shuffled := append([]string{}, tt.members...)
			rand.New(rand.NewPCG(5, 6)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			orders = append(orders, sorted, rev, shuffled)
			for _, order := range orders {
				var s Set
				want := model{}
				for _, m := range tt.members {
					s.Add(m)
					want[m] = true
				}
				for _, m := range order {
					if !s.Remove(m) {
						t.Fatalf("Remove(%.20q) reported absent", m)
					}
					if s.Remove(m) || s.Has(m) {
						t.Fatalf("%.20q still present after Remove", m)
					}
					delete(want, m)
					check(t, &s, want)
					for _, x := range append(tt.match, tt.nomatch...) {
						if got := s.Match([]byte(x)); got != want.match([]byte(x)) {
							t.Fatalf("after removing %.20q: Match(%.20q) = %v", m, x, got)
						}
					}
				}
				if s.root.Load() != nil {
					t.Fatal("trie not empty after removing everything")
				}
			}
		})
	}
}

func allBytes() []string {
	var m []string
	for b := 255; b >= 0; b-- {
		m = append(m, string([]byte{byte(b)}))
	}
	return m
}

func TestRemoveAbsent(t *testing.T) {
	var s Set
	want := model{}
	for _, m := range []string{"abc", "abd", "x"} {
		s.Add(m)
		want[m] = true
	}
	root := s.root.Load()
	for _, m := range []string{"", "a", "ab", "abcd", "abe", "abx", "b", "xy", "\x00"} {
		if s.Remove(m) {
			t.Errorf("Remove(%q) reported present", m)
		}
	}
	if s.root.Load() != root {
		t.Error("failed Remove replaced the root")
	}
	check(t, &s, want)
}

func TestClear(t *testing.T) {
	var s Set
	for i := range 100 {
		s.Add(fmt.Sprint(i))
	}
	s.Add("")
	s.Clear()
	check(t, &s, model{})
	if s.Match([]byte("1")) {
		t.Fatal("Match after Clear")
	}
	s.Add("1")
	check(t, &s, model{"1": true})
}

// TestChurn checks that adding and removing does not grow the trie: after
// many rounds it has the same shape as a set built from scratch.
func TestChurn(t *testing.T) {
	var s Set
	rng := rand.New(rand.NewPCG(1, 2))
	want := model{}
	for i := range 20000 {
		p := fmt.Sprintf("t/%d/%d", rng.IntN(50), rng.IntN(50))
		if rng.IntN(2) == 0 {
			if s.Add(p) == want[p] {
				t.Fatalf("Add(%q) wrong", p)
			}
			want[p] = true
		} else {
			if s.Remove(p) != want[p] {
				t.Fatalf("Remove(%q) wrong", p)
			}
			delete(want, p)
		}
		if i%1000 == 0 {
			check(t, &s, want)
		}
	}
	check(t, &s, want)
	var fresh Set
	for k := range want {
		fresh.Add(k)
	}
	if a, b := countNodes(s.root.Load()), countNodes(fresh.root.Load()); a != b {
		t.Fatalf("churned trie has %d nodes, fresh one %d", a, b)
	}
}

func countNodes(n *node) int {
	if n == nil {
		return 0
	}
	c := 1
	for i := range n.kids {
		c += countNodes(&n.kids[i])
	}
	return c
}

// TestKeepsNoRemovedKey checks that no node refers to the string of a
// removed member, which would keep it alive.
func TestKeepsNoRemovedKey(t *testing.T) {
	var s Set
	big := strings.Repeat("x", 1<<20)
	s.Add("ab")
	s.Add("abc")
	s.Add("abd" + big)
	s.Add("abe")
	s.Remove("abd" + big)
	var walk func(n *node)
	walk = func(n *node) {
		if len(n.key) > 10 {
			t.Fatalf("node still refers to a %d-byte key", len(n.key))
		}
		for i := range n.kids {
			walk(&n.kids[i])
		}
	}
	walk(s.root.Load())
}

// TestAddCopies checks that the set does not alias the caller's string.
func TestAddCopies(t *testing.T) {
	b := []byte("abc")
	var s Set
	s.Add(string(b))
	b[0] = 'x'
	if !s.Has("abc") || !s.Match([]byte("abcd")) {
		t.Fatal("lost member")
	}
}

func TestMatchAllocs(t *testing.T) {
	sets := map[string]*Set{"empty": {}, "all": {}, "one": {}, "many": {}}
	sets["all"].Add("")
	sets["one"].Add("sensor/00001/")
	for i := range 10000 {
		sets["many"].Add(fmt.Sprintf("sensor/%05d/", i))
	}
	topics := [][]byte{[]byte("sensor/00001/temp"), []byte("sensor/99999/x"), []byte("other"), nil}
	for name, s := range sets {
		for _, topic := range topics {
			if n := testing.AllocsPerRun(100, func() { s.Match(topic) }); n != 0 {
				t.Errorf("%s: Match(%q) allocates %v times", name, topic, n)
			}
		}
	}
}

// TestConcurrent has one writer adding and removing prefixes, many of them
// sharing paths with a fixed set that is never removed, while readers check
// that the fixed prefixes always match and never-added topics never do.
// Run it with -race.
func TestConcurrent(t *testing.T) {
	var s Set
	keep := []string{"a/1/", "a/12/", "a/2/", "b", "c/x/y/z"}
	for _, k := range keep {
		s.Add(k)
	}
	churn := []string{"a", "a/", "a/1", "a/1/x", "a/10/", "a/12", "a/123/", "a/2", "a/3/", "b/", "bb", "c/", "c/x/", "c/x/y/", "c/x/y/z/w", "d", "e/f"}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var failures atomic.Int64
	for r := range 4 {
		wg.Go(func() {
			i := r
			for !stop.Load() {
				k := keep[i%len(keep)]
				if !s.Match([]byte(k+"topic")) || !s.Match([]byte(k)) || !s.Has(k) {
					failures.Add(1)
				}
				if s.Match([]byte("zzz")) || s.Match([]byte("cx")) {
					failures.Add(1)
				}
				if n := s.Len(); n < len(keep) || n > len(keep)+len(churn) {
					failures.Add(1)
				}
				i++
			}
		})
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50000 {
		p := churn[rng.IntN(len(churn))]
		if rng.IntN(2) == 0 {
			s.Add(p)
		} else {
			s.Remove(p)
		}
	}
	stop.Store(true)
	wg.Wait()
	if n := failures.Load(); n != 0 {
		t.Fatalf("%d failed reads", n)
	}
	want := model{}
	for _, k := range keep {
		want[k] = true
	}
	for _, c := range churn {
		if s.Has(c) {
			want[c] = true
		}
	}
	check(t, &s, want)
}

// FuzzSet runs a sequence of operations decoded from the input against a
// Set and a map. Each operation is one byte: its low two bits choose Add,
// Remove, Match or Has (Clear when the byte is 0xff), the next three bits
// the argument's length, and that many following bytes the argument, so
// short arguments that share prefixes are common.
func FuzzSet(f *testing.F) {
	f.Add([]byte("\x0cabc\x0dabc\x0eabcd"))
	f.Add([]byte("\x04a\x08ab\x0cabc\x05a\x0eabcd\x09ab\x0aab"))
	f.Add([]byte("\x00\x02\x06x\x01\x02\x06x"))
	f.Add([]byte("\x08\x00\xff\x08\xff\x00\x0c\x00\x00\x00\x0e\x00\x00\x00\x0d\x00\x00\x00\xff\x02"))
	f.Add([]byte("\x10abcd\x10abxy\x0cabx\x11abcd\x0eabxz\x0dabx\x0eabxy"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Set
		want := model{}
		for len(data) > 0 {
			op := data[0]
			n := min(int(op>>2&7), len(data)-1)
			arg := string(data[1 : 1+n])
			data = data[1+n:]
			switch {
			case op == 0xff:
				s.Clear()
				clear(want)
			case op&3 == 0:
				if got := s.Add(arg); got == want[arg] {
					t.Fatalf("Add(%q) = %v", arg, got)
				}
				want[arg] = true
			case op&3 == 1:
				if got := s.Remove(arg); got != want[arg] {
					t.Fatalf("Remove(%q) = %v", arg, got)
				}
				delete(want, arg)
			case op&3 == 2:
				if got := s.Match([]byte(arg)); got != want.match([]byte(arg)) {
					t.Fatalf("Match(%q) = %v with %q", arg, got, keys(want))
				}
				for min := 0; min <= len(arg)+1; min++ {
					if got := s.MatchAtLeast([]byte(arg), min); got != want.matchAtLeast([]byte(arg), min) {
						t.Fatalf("MatchAtLeast(%q, %d) = %v with %q", arg, min, got, keys(want))
					}
				}
			default:
				if got := s.Has(arg); got != want[arg] {
					t.Fatalf("Has(%q) = %v", arg, got)
				}
			}
			check(t, &s, want)
		}
		for k := range want {
			if !s.Has(k) || !s.Match([]byte(k)) {
				t.Fatalf("lost %q", k)
			}
		}
	})
}

func keys(m model) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestMatchAtLeast(t *testing.T) {
	var s Set
	for _, p := range []string{"", "__banyan/", "__banyan/probe/1/", "echo"} {
		s.Add(p)
	}
	for _, c := range []struct {
		topic string
		min   int
		want  bool
	}{
		{"__banyan/probe/1/ready", 9, true},
		{"__banyan/probe/1/ready", 10, true},
		{"__banyan/probe/1/ready", 18, false},
		{"__banyan/x", 9, true},
		{"__banyan/x", 10, false},
		{"echo", 4, true},
		{"echo", 5, false},
		{"other", 0, true},
		{"other", 1, false},
		{"", 0, true},
		{"", 1, false},
	} {
		if got := s.MatchAtLeast([]byte(c.topic), c.min); got != c.want {
			t.Errorf("MatchAtLeast(%q, %d) = %v, want %v", c.topic, c.min, got, c.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { s.MatchAtLeast([]byte("__banyan/probe/1/x"), 9) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
