package banyan

import (
	"errors"
	"os/exec"
	"testing"

	"github.com/gobanyan/banyan/internal/testpeer"
	"github.com/gobanyan/banyan/ndarray"
)

// Arrays through the component API: Publish encodes ndarray values as
// msgpack-numpy does, Decode and Map rebuild them, nested in lists and maps.
func TestArraysThroughComponents(t *testing.T) {
	tb := startBackplane(t, -1, -1)
	c := connect(t, tb, WithSubscriptions("arr"))
	a, err := ndarray.FromSlice([]float64{1.5, 2, -3, 4}, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ndarray.FromSlice([]int16{7, 8, 9}, 3)
	type payload struct {
		Image *ndarray.Array   `msgpack:"image"`
		List  []*ndarray.Array `msgpack:"list"`
		Label string           `msgpack:"label"`
	}
	if err := c.Publish("arr", payload{Image: a, List: []*ndarray.Array{b}, Label: "x"}); err != nil {
		t.Fatal(err)
	}
	m := next(t, c)
	var got payload
	if err := m.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if v, _ := ndarray.ToSlice[float64](got.Image); len(v) != 4 || v[2] != -3 || got.Image.Shape()[0] != 2 {
		t.Fatalf("image = %v shape %v", v, got.Image.Shape())
	}
	mm, err := m.Map()
	if err != nil {
		t.Fatal(err)
	}
	list := mm["list"].([]any)
	if arr, ok := list[0].(*ndarray.Array); !ok {
		t.Fatalf("Map list[0] is %T, want *ndarray.Array", list[0])
	} else if v, _ := ndarray.ToSlice[int16](arr); v[2] != 9 {
		t.Fatalf("list[0] = %v", v)
	}
	if mm["label"] != "x" {
		t.Fatalf("label %v", mm["label"])
	}
}

// An object array from real numpy is refused with a typed error; the rest
// of the message is kept, nothing is unpickled.
func TestObjectArrayRefused(t *testing.T) {
	py := testpeer.Python(t, "numpy", "msgpack", "msgpack_numpy")
	out, err := runPy(py, `
import sys, msgpack, numpy as np, msgpack_numpy as m
sys.stdout.buffer.write(msgpack.packb({"obj": np.array([1, "a"], dtype=object), "ok": 5}, default=m.encode))`)
	if err != nil {
		t.Fatal(err)
	}
	msg := &Message{Topic: "t", Payload: out}
	mm, err := msg.Map()
	if !errors.Is(err, ndarray.ErrObjectArray) {
		t.Fatalf("err = %v, want ErrObjectArray", err)
	}
	if mm["ok"] != int64(5) {
		t.Fatalf("rest of message lost: %v", mm)
	}
}

func runPy(py, code string) ([]byte, error) {
	return exec.Command(py, "-c", code).Output()
}
