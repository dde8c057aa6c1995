package curve

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// z85Alphabet is RFC 32's encoding alphabet, one character per base-85 digit.
const z85Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"

// EncodeZ85 encodes data as Z85 (RFC 32): five characters per four bytes.
// The length of data must be a multiple of 4.
func EncodeZ85(data []byte) (string, error) {
	if len(data)%4 != 0 {
		return "", fmt.Errorf("%w: Z85 encodes multiples of 4 bytes, got %d", ErrMalformed, len(data))
	}
	out := make([]byte, 0, len(data)/4*5)
	for i := 0; i < len(data); i += 4 {
		v := binary.BigEndian.Uint32(data[i:])
		var c [5]byte
		for j := 4; j >= 0; j-- {
			c[j] = z85Alphabet[v%85]
			v /= 85
		}
		out = append(out, c[:]...)
	}
	return string(out), nil
}

// DecodeZ85 decodes a Z85 string (RFC 32). Its length must be a multiple
// of 5, every character must be in the alphabet, and every group of five
// must stand for a value that fits in four bytes.
func DecodeZ85(s string) ([]byte, error) {
	if len(s)%5 != 0 {
		return nil, fmt.Errorf("%w: Z85 text length %d is not a multiple of 5", ErrMalformed, len(s))
	}
	out := make([]byte, 0, len(s)/5*4)
	for i := 0; i < len(s); i += 5 {
		var v uint64
		for j := 0; j < 5; j++ {
			d := strings.IndexByte(z85Alphabet, s[i+j])
			if d < 0 {
				return nil, fmt.Errorf("%w: byte 0x%02x at %d is not Z85", ErrMalformed, s[i+j], i+j)
			}
			v = v*85 + uint64(d)
		}
		if v > 0xffffffff {
			return nil, fmt.Errorf("%w: Z85 group %q at %d overflows 32 bits", ErrMalformed, s[i:i+5], i)
		}
		out = binary.BigEndian.AppendUint32(out, uint32(v))
	}
	return out, nil
}
