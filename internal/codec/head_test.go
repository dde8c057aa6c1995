package codec

import (
	"math"
	"testing"
)

func TestHead(t *testing.T) {
	for _, c := range []struct {
		in    []byte
		want  Token
		fault Fault
	}{
		{[]byte{0x05}, Token{Type: TypeUint, Size: 1, V: 5}, OK},
		{[]byte{0xff}, Token{Type: TypeInt, Size: 1, V: math.MaxUint64}, OK},
		{[]byte{0xc3}, Token{Type: TypeBool, Size: 1, V: 1}, OK},
		{[]byte{0xc1}, Token{Type: TypeReserved, Size: 1}, Reserved},
		{[]byte{0xd1, 0xff, 0xfe}, Token{Type: TypeInt, Size: 3, V: math.MaxUint64 - 1}, OK},
		{[]byte{0xcd, 0x01}, Token{Type: TypeUint, Size: 3}, ShortHeader},
		{[]byte{0xa2, 'h', 'i'}, Token{Type: TypeStr, Size: 1, N: 2, V: 2}, OK},
		{[]byte{0xa3, 'h', 'i'}, Token{Type: TypeStr, Size: 1, V: 3}, ShortBody},
		{[]byte{0xc6, 0xff, 0xff, 0xff, 0xff, 0}, Token{Type: TypeBin, Size: 5, V: math.MaxUint32}, ShortBody},
		{[]byte{0xdf, 0xff, 0xff, 0xff, 0xff}, Token{Type: TypeMap, Size: 5, V: math.MaxUint32}, ShortBody},
		{[]byte{0x81, 0xa0}, Token{Type: TypeMap, Size: 1, V: 1}, ShortBody},
		{[]byte{0x81, 0xa0, 0xc0}, Token{Type: TypeMap, Size: 1, N: 1, V: 1}, OK},
		{[]byte{0xdc, 0x00, 0x02, 1, 2}, Token{Type: TypeArray, Size: 3, N: 2, V: 2}, OK},
		{[]byte{0xd4, 0x05, 0x00}, Token{Type: TypeExt, Size: 2, N: 1, V: 1}, OK},
		{[]byte{0xc7, 0x02, 0xfe, 1}, Token{Type: TypeExt, Size: 3, V: 2}, ShortBody},
		{[]byte{0xc8, 0x00}, Token{Type: TypeExt, Size: 4}, ShortHeader},
		{[]byte{0xca, 0x3f, 0x80, 0, 0}, Token{Type: TypeFloat32, Size: 5, V: uint64(math.Float32bits(1))}, OK},
		{nil, Token{}, ShortHeader},
	} {
		got, f := Head(c.in, 0)
		if got != c.want || f != c.fault {
			t.Errorf("Head(% x) = %+v, %d; want %+v, %d", c.in, got, f, c.want, c.fault)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Head([]byte{0xa1, 'x'}, 0) }); n != 0 {
		t.Errorf("Head allocates %v times", n)
	}
}
