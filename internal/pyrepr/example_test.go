package pyrepr_test

import (
	"fmt"

	"github.com/gobanyan/banyan/internal/pyrepr"
)

func ExampleStr() {
	// {'message_number': 10, 'f': 1e-05, 'raw': b'\x00\xff'}, as a Python
	// publisher packs it.
	payload := []byte{0x83,
		0xae, 'm', 'e', 's', 's', 'a', 'g', 'e', '_', 'n', 'u', 'm', 'b', 'e', 'r', 0x0a,
		0xa1, 'f', 0xcb, 0x3e, 0xe4, 0xf8, 0xb5, 0x88, 0xe3, 0x68, 0xf1,
		0xa3, 'r', 'a', 'w', 0xc4, 0x02, 0x00, 0xff}
	text, err := pyrepr.Str(payload, pyrepr.Plain)
	if err != nil {
		panic(err)
	}
	fmt.Println("echo", text)
	// Output:
	// echo {'message_number': 10, 'f': 1e-05, 'raw': b'\x00\xff'}
}

func ExampleStr_numpy() {
	// {'a': np.array([1, 2, 3], dtype=np.int16)} as msgpack-numpy packs it.
	payload := []byte{0x81, 0xa1, 'a', 0x85,
		0xc4, 2, 'n', 'd', 0xc3,
		0xc4, 4, 't', 'y', 'p', 'e', 0xa3, '<', 'i', '2',
		0xc4, 4, 'k', 'i', 'n', 'd', 0xc4, 0,
		0xc4, 5, 's', 'h', 'a', 'p', 'e', 0x91, 3,
		0xc4, 4, 'd', 'a', 't', 'a', 0xc4, 6, 1, 0, 2, 0, 3, 0}
	numpy, _ := pyrepr.Str(payload, pyrepr.Numpy)
	plain, _ := pyrepr.Str(payload, pyrepr.Plain)
	fmt.Println(numpy)
	fmt.Println(plain)
	// Output:
	// {'a': array([1, 2, 3], dtype=int16)}
	// {'a': {b'nd': True, b'type': '<i2', b'kind': b'', b'shape': [3], b'data': b'\x01\x00\x02\x00\x03\x00'}}
}
