package msgjson_test

import (
	"bytes"
	"testing"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/msgjson"
)

// FuzzRoundTrip checks that the two directions agree: JSON that
// AppendMsgpack accepts (with {"$bin"} objects and Python's NaN and
// Infinity) is written back by AppendJSON, with the same options and
// Python's style (which keeps 1.0 a float), as text that AppendMsgpack
// turns into the same msgpack bytes; keys, duplicates, 64-bit integers,
// bin and non-finite floats included.
func FuzzRoundTrip(f *testing.F) {
	for _, js := range referenceCorpus {
		f.Add([]byte(js))
	}
	for _, js := range []string{`{"z":1,"a":[NaN,-Infinity,1.0,-0.0]}`, `{"$bin":"AQID"}`, `[18446744073709551615,-9223372036854775808]`, `{"k":1,"k":2}`} {
		f.Add([]byte(js))
	}
	o := msgjson.Options{MaxDepth: fuzzDepth, Style: msgjson.PythonDumps, Bin: msgjson.BinObject, NonFinite: msgjson.NonFiniteLiteral}
	f.Fuzz(func(t *testing.T, in []byte) {
		mp, err := msgjson.AppendMsgpack(nil, in, o)
		if err != nil {
			return
		}
		if err := banyan.Validate(mp); err != nil {
			t.Fatalf("AppendMsgpack(%q) = % x: not valid msgpack: %v", in, mp, err)
		}
		text, err := msgjson.AppendJSON(nil, mp, o)
		if err != nil {
			t.Fatalf("AppendJSON(% x) from %q: %v", mp, in, err)
		}
		back, err := msgjson.AppendMsgpack(nil, text, o)
		if err != nil || !bytes.Equal(back, mp) {
			t.Fatalf("%q -> % x -> %s -> % x, %v", in, mp, text, back, err)
		}
	})
}
