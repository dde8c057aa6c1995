package msgjson_test

import (
	"errors"
	"fmt"

	"github.com/gobanyan/banyan/internal/msgjson"
)

// A browser's command becomes a Banyan payload, keys in order, integers
// as the smallest msgpack ints; JSON that msgpack cannot carry is refused.
func ExampleAppendMsgpack() {
	payload, err := msgjson.AppendMsgpack(nil, []byte(`{"command": "digital_write", "pin": 13, "value": 1.5}`), msgjson.Options{})
	fmt.Printf("% x %v\n", payload, err)

	_, err = msgjson.AppendMsgpack(nil, []byte(`[18446744073709551616]`), msgjson.Options{})
	fmt.Println(errors.Is(err, msgjson.ErrRange))
	_, err = msgjson.AppendMsgpack(nil, []byte(`[[[1]]]`), msgjson.Options{MaxDepth: 2})
	fmt.Println(err)
	// Output:
	// 83 a7 63 6f 6d 6d 61 6e 64 ad 64 69 67 69 74 61 6c 5f 77 72 69 74 65 a3 70 69 6e 0d a5 76 61 6c 75 65 cb 3f f8 00 00 00 00 00 00 <nil>
	// true
	// msgjson: nesting too deep at offset 2: arrays and objects nested deeper than 2
}

// A Banyan payload becomes the JSON a browser reads: bytes as base64, NaN
// as null, keys sorted as encoding/json sorts them.
func ExampleAppendJSON() {
	// {"value": NaN, "data": b"\x01\x02\x03", "pin": 2}, keys in Python's order.
	payload := []byte{0x83, 0xa5, 'v', 'a', 'l', 'u', 'e', 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1, 0xa4, 'd', 'a', 't', 'a', 0xc4, 3, 1, 2, 3, 0xa3, 'p', 'i', 'n', 2}
	text, err := msgjson.AppendJSON(nil, payload, msgjson.Options{})
	fmt.Println(string(text), err)
	text, err = msgjson.AppendJSON(nil, payload, msgjson.Options{SortKeys: true})
	fmt.Println(string(text), err)
	// Output:
	// {"value":null,"data":"AQID","pin":2} <nil>
	// {"data":"AQID","pin":2,"value":null} <nil>
}
