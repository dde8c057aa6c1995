// Package render turns msgpack payloads into text for people: Python's repr
// style (what Python Banyan's monitor prints) and JSON, both in wire order.
package render

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/ndarray"
	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Python renders a msgpack payload as Python's repr of the unpacked value,
// keeping map keys in wire order: {'message_number': 10}. Arrays sent by
// msgpack-numpy are shown as ndarray(dtype, shape, first values).
//
// The payload must pass banyan.Validate (the rules every component applies
// on receipt), and a msgpack-numpy array in it must be valid (dtype, shape
// and data length agree, see ndarray.FromMap); otherwise the error says
// why and nothing is rendered. No input makes it panic.
func Python(payload []byte) (string, error) { return render(payload, pyStyle) }

// JSON renders a msgpack payload as JSON, keys in wire order; bin values
// become {"$bin": "<base64>"}, non-finite floats become strings. It
// accepts what Python accepts.
func JSON(payload []byte) (json.RawMessage, error) {
	s, err := render(payload, jsonStyle)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(s), nil
}

func render(payload []byte, st style) (string, error) {
	// Validated first, every length in the payload fits the bytes that
	// follow it and nesting is bounded, so the decoder below never
	// allocates for counts the payload does not hold.
	if err := banyan.Validate(payload); err != nil {
		return "", err
	}
	var b strings.Builder
	d := msgpack.NewDecoder(bytes.NewReader(payload))
	if _, err := walk(d, &b, st, 0, false); err != nil {
		return "", err
	}
	return b.String(), nil
}

type style int

const (
	pyStyle style = iota
	jsonStyle
)

const maxDepth = banyan.MaxNesting

func isMap(c byte) bool {
	return msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32
}

func isArray(c byte) bool {
	return msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32
}

// walk renders the next value into b. With keep it also returns the
// value as banyan.DecodeValue would (int64, uint64, float64, string,
// []byte, bool, nil, []any), for recognising numpy arrays; a map is
// rendered but returned only as a nil map, which no numpy entry holds.
func walk(d *msgpack.Decoder, b *strings.Builder, st style, depth int, keep bool) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxDepth)
	}
	c, err := d.PeekCode()
	if err != nil {
		return nil, err
	}
	switch {
	case isMap(c):
		n, err := d.DecodeMapLen()
		if err != nil {
			return nil, err
		}
		return map[string]any(nil), walkMap(d, b, st, depth, n)
	case isArray(c):
		n, err := d.DecodeArrayLen()
		if err != nil {
			return nil, err
		}
		var vals []any
		if keep {
			vals = make([]any, 0, n) // n fits the validated payload
		}
		b.WriteByte('[')
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			v, err := walk(d, b, st, depth+1, keep)
			if err != nil {
				return nil, err
			}
			if keep {
				vals = append(vals, v)
			}
		}
		b.WriteByte(']')
		return vals, nil
	}
	v, err := decodeScalar(d)
	if err != nil {
		return nil, err
	}
	scalar(b, v, st)
	return v, nil
}

// decodeScalar decodes one non-container value, keeping bin as []byte.
func decodeScalar(d *msgpack.Decoder) (any, error) {
	c, err := d.PeekCode()
	if err != nil {
		return nil, err
	}
	if msgpcode.IsBin(c) {
		return d.DecodeBytes()
	}
	return d.DecodeInterfaceLoose()
}

// isNumpyKey reports whether k is one of the keys msgpack-numpy writes
// for an ndarray.
func isNumpyKey(k string) bool {
	switch k {
	case "nd", "type", "kind", "shape", "data":
		return true
	}
	return false
}

// walkMap renders a map; numpy maps (bin keys nd/type/shape/data) get a
// compact form.
func walkMap(d *msgpack.Decoder, b *strings.Builder, st style, depth, n int) error {
	type kv struct {
		k string
		v string
	}
	var items []kv
	numpy := map[string]any{}
	for i := 0; i < n; i++ {
		// Validate let only str and bin keys through.
		k, err := decodeScalar(d)
		if err != nil {
			return err
		}
		var key string
		switch k := k.(type) {
		case string:
			key = k
		case []byte:
			key = string(k)
		default:
			return fmt.Errorf("map key of type %T", k)
		}
		var kb, vb strings.Builder
		scalar(&kb, k, st)
		// Keep the values of numpy-looking keys, to recognise an array.
		keep := isNumpyKey(key)
		v, err := walk(d, &vb, st, depth+1, keep)
		if err != nil {
			return err
		}
		if keep {
			numpy[key] = v
		}
		ks := kb.String()
		if st == jsonStyle && !strings.HasPrefix(ks, `"`) {
			ks = jsonString(ks) // a bin key, shown as {"$bin": ...}
		}
		items = append(items, kv{ks, vb.String()})
	}
	if nd, ok := numpy["nd"].(bool); ok && nd {
		v, matched, err := ndarray.FromMap(numpy)
		if err != nil {
			return fmt.Errorf("numpy array: %w", err)
		}
		if a, ok := v.(*ndarray.Array); matched && ok {
			s := numpySummary(a)
			if st == jsonStyle {
				s = jsonString(s)
			}
			b.WriteString(s)
			return nil
		}
	}
	b.WriteByte('{')
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(it.k)
		b.WriteString(": ")
		b.WriteString(it.v)
	}
	b.WriteByte('}')
	return nil
}

// jsonString returns s as a JSON string, with <, > and & left as they are.
func jsonString(s string) string {
	var b strings.Builder
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(s) // cannot fail for a string
	return strings.TrimSuffix(b.String(), "\n")
}

// numpySummary shows an msgpack-numpy array as ndarray(<f8, shape=(2, 3), 48 bytes: [1, 2, 3, 4, 5, ...]).
func numpySummary(a *ndarray.Array) string {
	shape := a.Shape()
	dims := make([]string, len(shape))
	for i, s := range shape {
		dims[i] = strconv.Itoa(s)
	}
	sh := "(" + strings.Join(dims, ", ")
	if len(dims) == 1 {
		sh += ","
	}
	sh += ")"
	return fmt.Sprintf("ndarray(%s, shape=%s, %d bytes%s)", a.DType(), sh, len(a.Data()), firstValues(a))
}

// maxShown is how many values of an array numpySummary shows.
const maxShown = 5

// firstValues formats the first elements of a numeric array, read by the
// ndarray package (which has validated the dtype, shape and data length);
// it is "" for other dtypes.
func firstValues(a *ndarray.Array) string {
	dt := a.DType()
	n := a.Len()
	k := min(n, maxShown)
	head, err := ndarray.New(dt, []int{k}, a.Data()[:k*dt.ItemSize()])
	if err != nil {
		return ""
	}
	var vals []string
	switch kind := dt.Kind(); {
	case kind == 'i':
		v, err := head.Int64s()
		if err != nil {
			return ""
		}
		for _, x := range v {
			vals = append(vals, strconv.FormatInt(x, 10))
		}
	case kind == 'u' || kind == 'b':
		v, err := head.Uint64s()
		if err != nil {
			return ""
		}
		for _, x := range v {
			vals = append(vals, strconv.FormatUint(x, 10))
		}
	case kind == 'f' && dt.ItemSize() <= 8:
		v, err := head.Float64s()
		if err != nil {
			return ""
		}
		bits := 64
		if dt.ItemSize() < 8 {
			bits = 32 // float32 and float16: the shortest float32 text
		}
		for _, x := range v {
			vals = append(vals, strconv.FormatFloat(x, 'g', -1, bits))
		}
	default:
		return ""
	}
	more := ""
	if n > k {
		more = ", ..."
	}
	return ": [" + strings.Join(vals, ", ") + more + "]"
}

func scalar(b *strings.Builder, v any, st style) {
	switch v := v.(type) {
	case nil:
		if st == jsonStyle {
			b.WriteString("null")
		} else {
			b.WriteString("None")
		}
	case bool:
		switch {
		case st == jsonStyle:
			b.WriteString(strconv.FormatBool(v))
		case v:
			b.WriteString("True")
		default:
			b.WriteString("False")
		}
	case string:
		if st == jsonStyle {
			j, _ := json.Marshal(v)
			b.Write(j)
		} else {
			b.WriteString(pyQuote(v))
		}
	case []byte:
		if st == jsonStyle {
			b.WriteString(`{"$bin": "` + base64.StdEncoding.EncodeToString(v) + `"}`)
		} else {
			b.WriteString("b" + pyQuote(string(v)))
		}
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case uint64:
		b.WriteString(strconv.FormatUint(v, 10))
	case float32:
		pyFloat(b, float64(v), st)
	case float64:
		pyFloat(b, v, st)
	default:
		fmt.Fprintf(b, "%v", v)
	}
}

func pyFloat(b *strings.Builder, f float64, st style) {
	switch {
	case math.IsNaN(f):
		if st == jsonStyle {
			b.WriteString(`"nan"`)
		} else {
			b.WriteString("nan")
		}
		return
	case math.IsInf(f, 1):
		if st == jsonStyle {
			b.WriteString(`"inf"`)
		} else {
			b.WriteString("inf")
		}
		return
	case math.IsInf(f, -1):
		if st == jsonStyle {
			b.WriteString(`"-inf"`)
		} else {
			b.WriteString("-inf")
		}
		return
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if abs := math.Abs(f); abs != 0 && (abs >= 1e16 || abs < 1e-4) {
		s = strconv.FormatFloat(f, 'e', -1, 64) // Python switches to exponent form
		s = strings.Replace(s, "e-0", "e-", 1)
		s = strings.Replace(s, "e+0", "e+", 1)
	} else if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	b.WriteString(s)
}

// pyQuote quotes like Python's repr of a str: single quotes unless the text
// holds a single quote and no double quote.
func pyQuote(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r == 0xfffd:
			b.WriteString(`\ufffd`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}
