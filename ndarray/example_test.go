package ndarray_test

import (
	"fmt"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/gobanyan/banyan/ndarray"
)

// A Go component sends a 2x3 float64 array the way msgpack_numpy does, and
// decodes it back both through a typed struct and through a generic map.
func Example() {
	img, err := ndarray.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	if err != nil {
		panic(err)
	}
	type frame struct {
		Name  string         `msgpack:"name"`
		Image *ndarray.Array `msgpack:"image"`
	}
	payload, err := msgpack.Marshal(frame{Name: "cam0", Image: img})
	if err != nil {
		panic(err)
	}

	// Typed: the field decodes straight into an array.
	var got frame
	if err := msgpack.Unmarshal(payload, &got); err != nil {
		panic(err)
	}
	vals, _ := ndarray.ToSlice[float64](got.Image)
	fmt.Println(got.Name, got.Image.DType(), got.Image.Shape(), vals)

	// Generic: decode to a map, then rebuild the numpy values in it.
	var m map[string]any
	if err := msgpack.Unmarshal(payload, &m); err != nil {
		panic(err)
	}
	v, err := ndarray.Rebuild(m)
	if err != nil {
		panic(err)
	}
	arr := v.(map[string]any)["image"].(*ndarray.Array)
	f, _ := arr.Float64s()
	fmt.Println(arr, f[5])
	// Output:
	// cam0 <f8 [2 3] [1 2 3 4 5 6]
	// ndarray.Array(<f8 [2 3]) 6
}
