package prefixset_test

import (
	"fmt"

	"github.com/gobanyan/banyan/internal/prefixset"
)

func Example() {
	var s prefixset.Set
	s.Add("sensor/")
	s.Add("button/a")
	fmt.Println(s.Match([]byte("sensor/7/temp")), s.Match([]byte("button/b")), s.Len())

	s.Remove("sensor/")
	fmt.Println(s.Match([]byte("sensor/7/temp")), s.Has("button/a"))

	s.Add("") // the empty prefix matches every topic
	fmt.Println(s.Match([]byte("anything")), s.Len())
	// Output:
	// true false 2
	// false true
	// true 2
}
