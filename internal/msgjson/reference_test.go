package msgjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gobanyan/banyan"
	"github.com/vmihailenco/msgpack/v5"
)

// The reference conversion that AppendMsgpack must match byte for byte:
// encoding/json's tokenizer for the structure and the Banyan codec
// (banyan.Marshal) for every byte written, objects keeping their key
// order through a custom encoder.

// errRefRange is a JSON integer beyond 64 bits.
var errRefRange = errors.New("reference: integer out of range")

// refMsgpack converts one JSON value as json.loads and msgpack.packb do.
func refMsgpack(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := refValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reference: data after the value (%v)", err)
	}
	return banyan.Marshal(v)
}

// orderedMap is a JSON object with its keys in order (and duplicates).
type orderedMap struct {
	keys []string
	vals []any
}

// EncodeMsgpack writes the map through the codec's encoder.
func (m *orderedMap) EncodeMsgpack(enc *msgpack.Encoder) error {
	if err := enc.EncodeMapLen(len(m.keys)); err != nil {
		return err
	}
	for i, k := range m.keys {
		if err := enc.EncodeString(k); err != nil {
			return err
		}
		if err := enc.Encode(m.vals[i]); err != nil {
			return err
		}
	}
	return nil
}

// refValue reads one value from dec.
func refValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch x := tok.(type) {
	case json.Delim:
		switch x {
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := refValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token()
			return arr, err
		case '{':
			m := &orderedMap{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := refValue(dec)
				if err != nil {
					return nil, err
				}
				m.keys = append(m.keys, k.(string))
				m.vals = append(m.vals, v)
			}
			_, err := dec.Token()
			return m, err
		}
		return nil, fmt.Errorf("reference: unexpected %v", x)
	case json.Number:
		return refNumber(x)
	}
	return tok, nil // string, bool, nil
}

// refNumber is an int64, a uint64 or a float64, as json.loads gives an
// int or a float.
func refNumber(n json.Number) (any, error) {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return u, nil
		}
		return nil, fmt.Errorf("%w: %s", errRefRange, s)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, err
	}
	return f, nil
}

// sameValue compares a value decoded by encoding/json (numbers as
// json.Number) with one decoded by banyan.DecodeValue, numbers by the
// rules of refNumber and floats bit for bit.
func sameValue(j, m any) error {
	switch x := j.(type) {
	case json.Number:
		want, err := refNumber(x)
		if err != nil {
			return err
		}
		if fmt.Sprintf("%T %v", want, want) != fmt.Sprintf("%T %v", m, m) {
			return fmt.Errorf("number %s: got %T %v, want %T %v", x, m, m, want, want)
		}
		if f, ok := want.(float64); ok && strconv.FormatFloat(f, 'b', -1, 64) != strconv.FormatFloat(m.(float64), 'b', -1, 64) {
			return fmt.Errorf("number %s: got %v, want %v", x, m, f)
		}
	case []any:
		y, ok := m.([]any)
		if !ok || len(x) != len(y) {
			return fmt.Errorf("array of %d: got %#v", len(x), m)
		}
		for i := range x {
			if err := sameValue(x[i], y[i]); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
	case map[string]any:
		y, ok := m.(map[string]any)
		if !ok || len(x) != len(y) {
			return fmt.Errorf("object of %d: got %#v", len(x), m)
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok {
				return fmt.Errorf("key %q missing", k)
			}
			if err := sameValue(v, w); err != nil {
				return fmt.Errorf("[%q]: %w", k, err)
			}
		}
	default:
		if j != m {
			return fmt.Errorf("got %#v, want %#v", m, j)
		}
	}
	return nil
}
