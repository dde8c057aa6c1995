package codec_test

import (
	"errors"
	"fmt"

	"github.com/gobanyan/banyan/internal/codec"
)

func Example() {
	// Marshal writes what Python's packb(use_bin_type=True) writes.
	b, err := codec.Marshal(map[string]any{"message_number": 10, "raw": []byte{1}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("% x\n", b)

	// What the receive path checks, without allocating.
	fmt.Println(codec.Validate(b))

	// Generic decoding gives int64 for every integer, as Python gives int.
	m, err := codec.DecodeMap(b)
	fmt.Printf("%T %v %v %v\n", m["message_number"], m["message_number"], m["raw"], err)

	// Typed decoding by msgpack (or json) tags.
	var msg struct {
		N uint8 `msgpack:"message_number"`
	}
	fmt.Println(codec.Unmarshal(b, &msg), msg.N)

	// Python rejects integer map keys, so the codec does too.
	_, err = codec.DecodeMap([]byte{0x81, 0x01, 0xa1, 'a'})
	fmt.Println(errors.Is(err, codec.ErrNonStringKey), errors.Is(err, codec.ErrBadPayload))
	// Output:
	// 82 ae 6d 65 73 73 61 67 65 5f 6e 75 6d 62 65 72 0a a3 72 61 77 c4 01 01
	// <nil>
	// int64 10 [1] <nil>
	// <nil> 10
	// true true
}
