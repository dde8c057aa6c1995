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
	"github.com/gobanyan/banyan/internal/pyrepr"
	"github.com/gobanyan/banyan/ndarray"
	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// JSON renders a msgpack payload as JSON, keys in wire order; bin values
// become {"$bin": "<base64>"}, bin keys the string of their Python repr
// ("b'\\x00'"), floats Python's repr (1.0, 1e-05), non-finite floats
// strings ("nan"). A msgpack-numpy array becomes the string of numpy's
// repr ("array([1, 2, 3], dtype=int16)"; other dtypes: "ndarray(<U3,
// shape=(2,), 24 bytes)").
//
// The payload must pass banyan.Validate (the rules every component applies
// on receipt), and a msgpack-numpy array in it must be valid (dtype, shape
// and data length agree, see ndarray.FromMap); otherwise the error says
// why and nothing is rendered. No input makes it panic.
func JSON(payload []byte) (json.RawMessage, error) {
	s, err := render(payload)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(s), nil
}

func render(payload []byte) (string, error) {
	// Validated first, every length in the payload fits the bytes that
	// follow it and nesting is bounded, so the decoder below never
	// allocates for counts the payload does not hold.
	if err := banyan.Validate(payload); err != nil {
		return "", err
	}
	var b strings.Builder
	d := msgpack.NewDecoder(bytes.NewReader(payload))
	if _, err := walk(d, &b, 0, false); err != nil {
		return "", err
	}
	return b.String(), nil
}

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
func walk(d *msgpack.Decoder, b *strings.Builder, depth int, keep bool) (any, error) {
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
		return map[string]any(nil), walkMap(d, b, depth, n)
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
			v, err := walk(d, b, depth+1, keep)
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
	scalar(b, v)
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

// walkMap renders a map; numpy maps (bin keys nd/type/shape/data) become
// a string.
func walkMap(d *msgpack.Decoder, b *strings.Builder, depth, n int) error {
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
		if bin, ok := k.([]byte); ok {
			kb.WriteString(jsonString(string(pyrepr.AppendBytes(nil, bin)))) // a bin key, as Python shows it
		} else {
			scalar(&kb, k)
		}
		// Keep the values of numpy-looking keys, to recognise an array.
		keep := isNumpyKey(key)
		v, err := walk(d, &vb, depth+1, keep)
		if err != nil {
			return err
		}
		if keep {
			numpy[key] = v
		}
		items = append(items, kv{kb.String(), vb.String()})
	}
	if nd, ok := numpy["nd"].(bool); ok && nd {
		v, matched, err := ndarray.FromMap(numpy)
		if err != nil {
			return fmt.Errorf("numpy array: %w", err)
		}
		if a, ok := v.(*ndarray.Array); matched && ok {
			b.WriteString(jsonString(numpyText(a)))
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

// numpyText is numpy's repr of an array, or for dtypes package pyrepr
// does not format a summary: ndarray(<U3, shape=(2,), 24 bytes).
func numpyText(a *ndarray.Array) string {
	if text, ok := pyrepr.AppendArray(nil, a); ok {
		return string(text)
	}
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
	return fmt.Sprintf("ndarray(%s, shape=%s, %d bytes)", a.DType(), sh, len(a.Data()))
}

func scalar(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case string:
		j, _ := json.Marshal(v)
		b.Write(j)
	case []byte:
		b.WriteString(`{"$bin": "` + base64.StdEncoding.EncodeToString(v) + `"}`)
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case uint64:
		b.WriteString(strconv.FormatUint(v, 10))
	case float32:
		jsonFloat(b, float64(v))
	case float64:
		jsonFloat(b, v)
	default:
		fmt.Fprintf(b, "%v", v)
	}
}

// jsonFloat writes a finite float as Python's repr (a valid JSON number:
// 1.0, 1e-05, 1e+16) and the others as the strings "nan", "inf", "-inf".
func jsonFloat(b *strings.Builder, f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		b.WriteString(`"` + string(pyrepr.AppendFloat(nil, f)) + `"`)
		return
	}
	var buf [32]byte
	b.Write(pyrepr.AppendFloat(buf[:0], f))
}
