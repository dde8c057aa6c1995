package ndarray

import (
	"errors"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// decodeGeneric decodes b the way a generic receiver does.
func decodeGeneric(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := msgpack.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRebuildNested(t *testing.T) {
	img, _ := FromSlice([]uint8{1, 2, 3, 4}, 2, 2)
	vec, _ := FromSlice([]float32{0.5, -0.5})
	payload := map[string]any{
		"name":   "frame",
		"image":  img,
		"list":   []any{1, vec, map[string]any{"count": ScalarOf(int32(5)), "z": Complex(3 - 1i)}},
		"nested": map[string]any{"deeper": []any{[]any{img}}},
		"plain":  map[string]any{"nd": "not a bool", "type": "<f8"},
	}
	b, err := msgpack.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Rebuild(decodeGeneric(t, b))
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if m["name"] != "frame" {
		t.Fatalf("name = %v", m["name"])
	}
	if a, ok := m["image"].(*Array); !ok || !a.Equal(img) {
		t.Fatalf("image = %#v", m["image"])
	}
	list := m["list"].([]any)
	if a, ok := list[1].(*Array); !ok || !a.Equal(vec) {
		t.Fatalf("list[1] = %#v", list[1])
	}
	inner := list[2].(map[string]any)
	if s, ok := inner["count"].(Scalar); !ok {
		t.Fatalf("count = %#v", inner["count"])
	} else if v, _ := s.Value(); v != int32(5) {
		t.Fatalf("count value = %v", v)
	}
	if z, ok := inner["z"].(complex128); !ok || z != 3-1i {
		t.Fatalf("z = %#v", inner["z"])
	}
	deep := m["nested"].(map[string]any)["deeper"].([]any)[0].([]any)[0]
	if a, ok := deep.(*Array); !ok || !a.Equal(img) {
		t.Fatalf("deep = %#v", deep)
	}
	if _, ok := m["plain"].(map[string]any); !ok {
		t.Fatalf("plain map was replaced: %#v", m["plain"])
	}
}

func TestRebuildKeepsRestOnObjectArray(t *testing.T) {
	good, _ := FromSlice([]int64{1, 2})
	obj := map[string]any{"nd": true, "type": []any{[]any{"", "|O"}}, "kind": []byte("O"), "shape": []any{int8(1)}, "data": []byte("\x80\x02cos\nsystem\n.")}
	bad := map[string]any{"nd": true, "type": "<f8", "kind": []byte{}, "shape": []any{int8(2)}, "data": []byte{1}}
	in := map[string]any{
		"ok":    good,
		"items": []any{"a", obj},
		"bad":   bad,
		"miss":  map[string]any{"nd": true, "type": "<f8"}, // KeyError in Python: stays a dict
	}
	b, err := msgpack.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Rebuild(decodeGeneric(t, b))
	if !errors.Is(err, ErrObjectArray) || !errors.Is(err, ErrShape) {
		t.Fatalf("err = %v, want ErrObjectArray and ErrShape", err)
	}
	for _, want := range []string{`$["items"][1]`, `$["bad"]`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "miss") {
		t.Errorf("a map missing keys was reported: %v", err)
	}
	m := v.(map[string]any)
	if a, ok := m["ok"].(*Array); !ok || !a.Equal(good) {
		t.Fatalf("ok = %#v", m["ok"])
	}
	items := m["items"].([]any)
	if items[0] != "a" {
		t.Fatalf("items[0] = %v", items[0])
	}
	if om, ok := items[1].(map[string]any); !ok || string(om["data"].([]byte)) != "\x80\x02cos\nsystem\n." {
		t.Fatalf("object array map not kept as is: %#v", items[1])
	}
	if _, ok := m["bad"].(map[string]any); !ok {
		t.Fatalf("bad = %#v", m["bad"])
	}
}

func TestRebuildRootAndOtherMaps(t *testing.T) {
	a, _ := FromSlice([]bool{true})
	b, _ := msgpack.Marshal(a)
	v, err := Rebuild(decodeGeneric(t, b))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := v.(*Array); !ok || !got.Equal(a) {
		t.Fatalf("root = %#v", v)
	}
	// map[any]any values (as some decoders produce) are handled too.
	raw := map[any]any{"x": map[any]any{"nd": false, "type": "<u2", "data": []byte{2, 1}}, "y": []any{int64(1)}}
	v, err = Rebuild(raw)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := v.(map[any]any)["x"].(Scalar)
	if !ok {
		t.Fatalf("x = %#v", v.(map[any]any)["x"])
	}
	if val, _ := s.Value(); val != uint16(0x0102) {
		t.Fatalf("x value = %v", val)
	}
	// Scalars pass through.
	for _, x := range []any{nil, "s", int64(3), 1.5, []byte{1}} {
		if _, err := Rebuild(x); err != nil {
			t.Fatalf("Rebuild(%v): %v", x, err)
		}
	}
}

func TestFromMap(t *testing.T) {
	v, matched, err := FromMap(map[string]any{"complex": true, "data": []byte("(1-1j)")})
	if !matched || err != nil || v != 1-1i {
		t.Fatalf("complex from bin data: %v %v %v", v, matched, err)
	}
	m := map[string]any{"a": 1}
	v, matched, err = FromMap(m)
	if matched || err != nil || v.(map[string]any)["a"] != 1 {
		t.Fatalf("plain map: %v %v %v", v, matched, err)
	}
}
