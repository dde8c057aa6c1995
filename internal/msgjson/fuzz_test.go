package msgjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/msgjson"
)

// fuzzDepth is the MaxDepth of the fuzzer, low enough for it to reach.
const fuzzDepth = 20

// FuzzJSONToMsgpack checks AppendMsgpack against encoding/json and the
// Banyan codec: it never panics; every error wraps one sentinel; what it
// accepts is valid msgpack (banyan.Validate) and exactly the bytes of the
// reference conversion (encoding/json's tokens written by banyan.Marshal,
// keys in order); what encoding/json decodes agrees in value with what
// banyan.DecodeValue reads back, numbers compared as ints or floats bit
// for bit; and it refuses only what encoding/json refuses, or what
// msgpack cannot carry (bytes that are not UTF-8 and lone surrogates,
// which encoding/json replaces; integers beyond 64 bits; nesting beyond
// MaxDepth).
func FuzzJSONToMsgpack(f *testing.F) {
	for _, js := range referenceCorpus {
		f.Add([]byte(js))
	}
	f.Add([]byte(`"\ud800"`))
	f.Add([]byte("\"\xff\""))
	f.Add([]byte(`[99999999999999999999]`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := msgjson.AppendMsgpack([]byte("prefix"), data, msgjson.Options{MaxDepth: fuzzDepth})
		valid := json.Valid(data)
		if err != nil {
			n := 0
			for _, s := range []error{msgjson.ErrSyntax, msgjson.ErrUTF8, msgjson.ErrRange, msgjson.ErrDepth, msgjson.ErrTooLarge} {
				if errors.Is(err, s) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%q: error %v wraps %d sentinels", data, err, n)
			}
			if string(out) != "prefix" {
				t.Fatalf("%q: failed but dst became %q", data, out)
			}
			if !valid {
				return
			}
			_, rerr := refMsgpack(data)
			switch {
			case errors.Is(err, msgjson.ErrUTF8) && (!utf8.Valid(data) || bytes.Contains(data, []byte(`\`))):
			case errors.Is(err, msgjson.ErrRange) && errors.Is(rerr, errRefRange):
			case errors.Is(err, msgjson.ErrDepth) && depth(data) > fuzzDepth:
			default:
				t.Fatalf("%q: refused (%v), but encoding/json accepts it (reference: %v)", data, err, rerr)
			}
			return
		}
		if !valid {
			t.Fatalf("%q: accepted, but encoding/json refuses it", data)
		}
		out = out[len("prefix"):]
		if err := banyan.Validate(out); err != nil {
			t.Fatalf("%q: invalid msgpack % x: %v", data, out, err)
		}
		want, err := refMsgpack(data)
		if err != nil {
			t.Fatalf("%q: accepted, but the reference fails: %v", data, err)
		}
		if !bytes.Equal(out, want) {
			t.Fatalf("%q:\n got % x\nwant % x", data, out, want)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var jv any
		if err := dec.Decode(&jv); err != nil {
			t.Fatalf("%q: encoding/json: %v", data, err)
		}
		mv, err := banyan.DecodeValue(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := sameValue(jv, mv); err != nil {
			t.Fatalf("%q: %v", data, err)
		}
	})
}

// depth is the deepest nesting of brackets in data outside strings.
func depth(data []byte) int {
	d, deepest, inStr := 0, 0, false
	for i := 0; i < len(data); i++ {
		switch b := data[i]; {
		case inStr && b == '\\':
			i++
		case b == '"':
			inStr = !inStr
		case inStr:
		case b == '[' || b == '{':
			d++
			deepest = max(deepest, d)
		case b == ']' || b == '}':
			d--
		}
	}
	return deepest
}

// FuzzMsgpackToJSON checks AppendJSON against the Banyan codec and
// encoding/json: it never panics; every error wraps one sentinel; it
// accepts exactly what banyan.DecodeValue accepts, and with SortKeys
// writes byte for byte what encoding/json writes for the decoded values
// (the WebSocket gateway's conversion before msgjson); without SortKeys
// the text is valid JSON with the same values.
func FuzzMsgpackToJSON(f *testing.F) {
	for _, p := range toJSONCorpus(f) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := msgjson.AppendJSON([]byte("prefix"), data, sorted)
		_, derr := banyan.DecodeValue(data)
		if err != nil {
			n := 0
			for _, s := range []error{msgjson.ErrSyntax, msgjson.ErrUTF8, msgjson.ErrUnsupported, msgjson.ErrDepth, msgjson.ErrTooLarge} {
				if errors.Is(err, s) {
					n++
				}
			}
			if n != 1 || string(got) != "prefix" {
				t.Fatalf("% x: error %v wraps %d sentinels, dst %q", data, err, n, got)
			}
			if derr == nil {
				t.Fatalf("% x: refused (%v), but banyan.DecodeValue accepts it", data, err)
			}
			return
		}
		if derr != nil {
			t.Fatalf("% x: accepted, but banyan.DecodeValue refuses it: %v", data, derr)
		}
		got = got[len("prefix"):]
		want, err := refJSON(data)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("% x:\n got %s\nwant %s", data, got, want)
		}
		ordered, err := msgjson.AppendJSON(nil, data, msgjson.Options{MaxDepth: banyan.MaxNesting})
		if err != nil {
			t.Fatalf("% x: without SortKeys: %v", data, err)
		}
		var a, b any
		if err := json.Unmarshal(ordered, &a); err != nil {
			t.Fatalf("% x: %s is not JSON: %v", data, ordered, err)
		}
		if duplicateKeys(ordered) {
			// Distinct msgpack keys can be one JSON key (bytes that are not
			// UTF-8 are written as U+FFFD, as encoding/json does); then which
			// value a JSON reader keeps depends on the order, by design.
			return
		}
		if err := json.Unmarshal(want, &b); err != nil {
			t.Fatal(err)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Fatalf("% x: in order %s, sorted %s", data, ordered, want)
		}
	})
}

// duplicateKeys reports whether some JSON object in b has a key twice.
func duplicateKeys(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	type frame struct {
		obj    bool
		keys   map[string]bool
		expect bool // the next string token in this object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if top != nil && top.obj {
					top.expect = true
				}
				stack = append(stack, &frame{obj: v == '{', keys: map[string]bool{}, expect: v == '{'})
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if top != nil && top.obj && top.expect {
				if top.keys[v] {
					return true
				}
				top.keys[v] = true
				top.expect = false
				continue
			}
			if top != nil && top.obj {
				top.expect = true
			}
		default:
			if top != nil && top.obj {
				top.expect = true
			}
		}
	}
}
