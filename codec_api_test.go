package banyan

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

// The codec is tested in internal/codec; these tests check only that the
// exported wrappers reach it and keep its properties.

func TestCodecWrappers(t *testing.T) {
	type point struct {
		X int    `msgpack:"x"`
		S string `msgpack:"s"`
	}
	b, err := Marshal(point{X: 300, S: "é"})
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(b); err != nil {
		t.Fatal(err)
	}
	var p point
	if err := Unmarshal(b, &p); err != nil || p != (point{300, "é"}) {
		t.Fatalf("Unmarshal = %+v, %v", p, err)
	}
	m, err := DecodeMap(b)
	if err != nil || m["x"] != int64(300) || m["s"] != "é" {
		t.Fatalf("DecodeMap = %v, %v", m, err)
	}
	if v, err := DecodeValue([]byte{0x05}); err != nil || v != int64(5) {
		t.Fatalf("DecodeValue = %v, %v", v, err)
	}
}

// The sentinels are the codec's own values, so errors.Is holds for errors
// made in internal/codec.
func TestCodecSentinels(t *testing.T) {
	cases := []struct {
		err     error
		payload []byte
	}{
		{ErrNonStringKey, []byte{0x81, 0x01, 0xa1, 'a'}},
		{ErrInvalidUTF8, []byte{0x81, 0xa1, 'a', 0xa2, 0xc3, 0x28}},
		{ErrExtType, []byte{0xc7, 0x01, 0x05, 0x00}},
		{ErrNotMap, []byte{0x90}},
		{ErrTooDeep, append(bytes.Repeat([]byte{0x81, 0xa0}, MaxNesting+1), 0xc0)},
	}
	for _, c := range cases {
		_, err := DecodeMap(c.payload)
		if !errors.Is(err, c.err) || !errors.Is(err, ErrBadPayload) {
			t.Errorf("DecodeMap(% x) = %v, want %v and ErrBadPayload", c.payload, err, c.err)
		}
	}
	var n uint8
	if err := Unmarshal([]byte{0xcd, 0x01, 0x2c}, &n); !errors.Is(err, ErrTypeMismatch) {
		t.Errorf("Unmarshal 300 into uint8: %v, want ErrTypeMismatch", err)
	}
}

// The receive path validates every message through the wrapper.
func TestValidateWrapperDoesNotAllocate(t *testing.T) {
	payload := []byte{0x82, 0xa5, 't', 'o', 'p', 'i', 'c', 0xa6, 's', 'e', 'n', 's', 'o', 'r', 0xa3, 's', 'e', 'q', 0x05}
	if n := testing.AllocsPerRun(100, func() { _ = Validate(payload) }); n != 0 {
		t.Errorf("Validate allocates %v times", n)
	}
}

func ExampleDecodeMap_python() {
	// What Python sends for publish_payload({'message_number': 10}, 'echo').
	payload := []byte{0x81, 0xae, 'm', 'e', 's', 's', 'a', 'g', 'e', '_', 'n', 'u', 'm', 'b', 'e', 'r', 0x0a}
	m, err := DecodeMap(payload)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%T %v\n", m["message_number"], m["message_number"])
	// Output: int64 10
}

func ExampleMarshal_python() {
	b, err := Marshal(map[string]any{"message_number": 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("% x\n", b)
	// Output: 81 ae 6d 65 73 73 61 67 65 5f 6e 75 6d 62 65 72 0a
}
