package render_test

import (
	"fmt"

	"github.com/gobanyan/banyan/internal/render"
)

func ExamplePython() {
	// {'message_number': 10}, as Python Banyan's worked example sends it.
	payload := []byte{0x81, 0xae, 'm', 'e', 's', 's', 'a', 'g', 'e', '_', 'n', 'u', 'm', 'b', 'e', 'r', 0x0a}
	text, _ := render.Python(payload)
	js, _ := render.JSON(payload)
	fmt.Println(text)
	fmt.Println(string(js))
	// Output:
	// {'message_number': 10}
	// {"message_number": 10}
}
