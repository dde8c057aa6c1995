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

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Python renders a msgpack payload as Python's repr of the unpacked value,
// keeping map keys in wire order: {'message_number': 10}. Arrays sent by
// msgpack-numpy are shown as ndarray(dtype, shape, first values).
func Python(payload []byte) (string, error) {
	var b strings.Builder
	d := msgpack.NewDecoder(bytes.NewReader(payload))
	if err := walk(d, &b, pyStyle, 0); err != nil {
		return "", err
	}
	return b.String(), nil
}

// JSON renders a msgpack payload as JSON, keys in wire order; bin values
// become {"$bin": "<base64>"}, non-finite floats become strings.
func JSON(payload []byte) (json.RawMessage, error) {
	var b strings.Builder
	d := msgpack.NewDecoder(bytes.NewReader(payload))
	if err := walk(d, &b, jsonStyle, 0); err != nil {
		return nil, err
	}
	return json.RawMessage(b.String()), nil
}

type style int

const (
	pyStyle style = iota
	jsonStyle
)

const maxDepth = 256

func isMap(c byte) bool {
	return msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32
}

func isArray(c byte) bool {
	return msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32
}

func walk(d *msgpack.Decoder, b *strings.Builder, st style, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("nested deeper than %d", maxDepth)
	}
	c, err := d.PeekCode()
	if err != nil {
		return err
	}
	switch {
	case isMap(c):
		n, err := d.DecodeMapLen()
		if err != nil {
			return err
		}
		return walkMap(d, b, st, depth, n)
	case isArray(c):
		n, err := d.DecodeArrayLen()
		if err != nil {
			return err
		}
		b.WriteByte('[')
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := walk(d, b, st, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	}
	v, err := decodeScalar(d)
	if err != nil {
		return err
	}
	scalar(b, v, st)
	return nil
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

// walkMap renders a map; numpy maps (bin keys nd/type/shape/data) get a
// compact form.
func walkMap(d *msgpack.Decoder, b *strings.Builder, st style, depth, n int) error {
	type kv struct {
		k string
		v string
	}
	var items []kv
	var raw = map[string]any{}
	for i := 0; i < n; i++ {
		var kb strings.Builder
		c, err := d.PeekCode()
		if err != nil {
			return err
		}
		var key string
		if msgpcode.IsBin(c) || msgpcode.IsString(c) {
			k, err := decodeScalar(d)
			if err != nil {
				return err
			}
			switch k := k.(type) {
			case string:
				key = k
			case []byte:
				key = string(k)
			}
			scalar(&kb, k, st)
		} else if err := walk(d, &kb, st, depth+1); err != nil {
			return err
		}
		// Keep scalar values of numpy-looking keys to render arrays.
		var vb strings.Builder
		if key == "type" || key == "shape" || key == "nd" || key == "data" || key == "kind" {
			v, err := d.DecodeInterface()
			if err != nil {
				return err
			}
			if s, ok := v.(string); ok && key == "data" {
				v = []byte(s)
			}
			raw[key] = v
			scalar(&vb, v, st)
		} else if err := walk(d, &vb, st, depth+1); err != nil {
			return err
		}
		k := kb.String()
		if st == jsonStyle && !strings.HasPrefix(k, `"`) {
			k = strconv.Quote(k)
		}
		items = append(items, kv{k, vb.String()})
	}
	if nd, ok := raw["nd"].(bool); ok && nd {
		if s := numpySummary(raw); s != "" {
			if st == jsonStyle {
				b.WriteString(strconv.Quote(s))
			} else {
				b.WriteString(s)
			}
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

// numpySummary shows an msgpack-numpy array as ndarray(<f8, shape=(2, 3), [1, 2, 3, ...]).
func numpySummary(m map[string]any) string {
	typ, _ := m["type"].(string)
	data, _ := m["data"].([]byte)
	shape, _ := m["shape"].([]any)
	if typ == "" {
		return ""
	}
	dims := make([]string, len(shape))
	for i, s := range shape {
		dims[i] = fmt.Sprint(s)
	}
	sh := "(" + strings.Join(dims, ", ")
	if len(dims) == 1 {
		sh += ","
	}
	sh += ")"
	return fmt.Sprintf("ndarray(%s, shape=%s, %d bytes%s)", typ, sh, len(data), firstValues(typ, data))
}

func firstValues(typ string, data []byte) string {
	if len(typ) < 3 {
		return ""
	}
	size, err := strconv.Atoi(typ[2:])
	if err != nil || size == 0 {
		return ""
	}
	big := typ[0] == '>'
	var vals []string
	for off := 0; off+size <= len(data) && len(vals) < 5; off += size {
		x := data[off : off+size]
		var u uint64
		for i := 0; i < size; i++ {
			j := i
			if !big {
				j = size - 1 - i
			}
			u = u<<8 | uint64(x[j])
		}
		switch typ[1] {
		case 'f':
			switch size {
			case 8:
				vals = append(vals, strconv.FormatFloat(math.Float64frombits(u), 'g', -1, 64))
			case 4:
				vals = append(vals, strconv.FormatFloat(float64(math.Float32frombits(uint32(u))), 'g', -1, 32))
			default:
				return ""
			}
		case 'i':
			shift := 64 - 8*size
			vals = append(vals, strconv.FormatInt(int64(u<<shift)>>shift, 10))
		case 'u', 'b':
			vals = append(vals, strconv.FormatUint(u, 10))
		default:
			return ""
		}
	}
	more := ""
	if len(data)/size > len(vals) {
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
