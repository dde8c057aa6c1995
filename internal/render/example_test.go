package render_test

import (
	"fmt"

	"github.com/gobanyan/banyan/internal/render"
)

func ExampleJSON() {
	// {'message_number': 10, 'f': 1.0}, as Python Banyan publishes it.
	payload := []byte{0x82, 0xae, 'm', 'e', 's', 's', 'a', 'g', 'e', '_', 'n', 'u', 'm', 'b', 'e', 'r', 0x0a,
		0xa1, 'f', 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0}
	js, _ := render.JSON(payload)
	fmt.Println(string(js))
	// Output:
	// {"message_number": 10, "f": 1.0}
}
