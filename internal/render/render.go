package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/msgjson"
	"github.com/gobanyan/banyan/internal/pyrepr"
	"github.com/gobanyan/banyan/ndarray"
	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// JSONOptions are the settings of JSON's text, given to internal/msgjson (the
// one msgpack→JSON converter): Python's json.dumps style (", " and ": ",
// floats as Python's repr, everything beyond ASCII as \uXXXX), keys in wire
// order, bin as {"$bin": "<base64>"}, NaN and the infinities as the strings
// "NaN", "Infinity" and "-Infinity". The limits are those a component
// applies (banyan.MaxNesting; no size limit beyond the message's).
func JSONOptions() msgjson.Options {
	return msgjson.Options{
		MaxDepth:  banyan.MaxNesting,
		MaxSize:   math.MaxInt,
		Style:     msgjson.PythonDumps,
		Bin:       msgjson.BinObject,
		NonFinite: msgjson.NonFiniteString,
	}
}

// JSON renders a msgpack payload as JSON through internal/msgjson with
// JSONOptions: keys in wire order; bin values {"$bin": "<base64>"}; bin keys
// the string of their Python repr ("b'\\x00'"); floats Python's repr (1.0,
// 1e-05; a float32 as the float64 of its value); non-finite floats the
// strings "NaN", "Infinity", "-Infinity"; strings ASCII with \uXXXX
// escapes, as json.dumps writes them. A msgpack-numpy array, at any depth,
// becomes the string of numpy's repr ("array([1, 2, 3], dtype=int16)";
// other dtypes: "ndarray(<U3, shape=(2,), 24 bytes)").
//
// The payload must pass banyan.Validate (the rules every component applies
// on receipt), and a msgpack-numpy array in it must be valid (dtype, shape
// and data length agree, see ndarray.FromMap); otherwise the error says
// why and nothing is rendered. No input makes it panic.
func JSON(payload []byte) (json.RawMessage, error) {
	if err := banyan.Validate(payload); err != nil {
		return nil, err
	}
	var numpyErr error
	o := JSONOptions()
	o.BinKey = pyrepr.AppendBytes // a bin key, as Python shows it
	o.Map = func(dst, m []byte) ([]byte, bool) {
		a, err := numpyArray(m)
		if err != nil {
			numpyErr = cmpErr(numpyErr, err)
			return dst, false
		}
		if a == nil {
			return dst, false
		}
		return msgjson.AppendString(dst, numpyText(a), msgjson.PythonDumps), true
	}
	out, err := msgjson.AppendJSON(nil, payload, o)
	if err == nil {
		err = numpyErr
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// cmpErr keeps the first error.
func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
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

// numpyArray returns the array of a msgpack-numpy map m (keys nd, type,
// kind, shape and data, str or bin, nd true; other keys with scalar values
// ignored, as msgpack_numpy ignores them), nil for any other map, or why m
// is not a valid array. A map holding a map, or another key with an array,
// is no array: m is read no further, so each byte of a payload is read by
// the one map nearest around it, not by every map around it.
func numpyArray(m []byte) (*ndarray.Array, error) {
	d := msgpack.NewDecoder(bytes.NewReader(m))
	n, err := d.DecodeMapLen()
	if err != nil {
		return nil, nil
	}
	fields := make(map[string]any, n)
	for range n {
		k, err := plain(d) // Validate let only str and bin keys through
		if err != nil {
			return nil, nil
		}
		var key string
		switch k := k.(type) {
		case string:
			key = k
		case []byte:
			key = string(k)
		}
		if !isNumpyKey(key) { // msgpack_numpy ignores it, if it is plain
			if c, err := d.PeekCode(); err != nil || isMap(c) || isArray(c) || d.Skip() != nil {
				return nil, nil
			}
			continue
		}
		if fields[key], err = plain(d); err != nil {
			return nil, nil
		}
	}
	if nd, ok := fields["nd"].(bool); !ok || !nd {
		return nil, nil
	}
	v, matched, err := ndarray.FromMap(fields)
	if err != nil {
		return nil, fmt.Errorf("numpy array: %w", err)
	}
	a, _ := v.(*ndarray.Array)
	if !matched {
		return nil, nil
	}
	return a, nil
}

// errMap stops plain at a map.
var errMap = errors.New("a map")

// plain decodes one value that holds no map as banyan.DecodeValue would
// (int64, uint64, float64, string, bool, nil, []any), keeping bin as
// []byte; at a map it stops with errMap. The payload was validated: counts
// fit the bytes that follow them.
func plain(d *msgpack.Decoder) (any, error) {
	c, err := d.PeekCode()
	switch {
	case err != nil:
		return nil, err
	case isMap(c):
		return nil, errMap
	case msgpcode.IsBin(c):
		return d.DecodeBytes()
	case !isArray(c):
		return d.DecodeInterfaceLoose()
	}
	n, err := d.DecodeArrayLen()
	if err != nil {
		return nil, err
	}
	vals := make([]any, 0, n)
	for range n {
		v, err := plain(d)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	return vals, nil
}

func isMap(c byte) bool {
	return msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32
}

func isArray(c byte) bool {
	return msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32
}

// numpyText is numpy's repr of an array, or for dtypes package pyrepr
// does not format a summary: ndarray(<U3, shape=(2,), 24 bytes).
func numpyText(a *ndarray.Array) []byte {
	if text, ok := pyrepr.AppendArray(nil, a); ok {
		return text
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
	return fmt.Appendf(nil, "ndarray(%s, shape=%s, %d bytes)", a.DType(), sh, len(a.Data()))
}

// Safely runs a renderer on a payload, turning a panic into an error, so
// that no payload can take down a tool that shows it (the monitor, the web
// view). The renderers here promise not to panic; this is the guard for a
// promise broken by a bug.
func Safely[T any](f func([]byte) (T, error), payload []byte) (out T, err error) {
	defer func() {
		if r := recover(); r != nil {
			var zero T
			out, err = zero, fmt.Errorf("rendering panicked: %v", r)
		}
	}()
	return f(payload)
}
