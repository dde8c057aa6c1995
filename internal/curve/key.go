package curve

import (
	"crypto/rand"
	"fmt"
	"io"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/nacl/box"
)

// KeySize is the size of a Curve25519 key, public or secret.
const KeySize = 32

// Key is a Curve25519 key, public or secret, as CurveZMQ carries it.
type Key [KeySize]byte

// String returns the key in Z85, the 40-character form libzmq's
// zmq_curve_keypair and czmq's certificates use.
func (k Key) String() string {
	s, _ := EncodeZ85(k[:]) // 32 is a multiple of 4
	return s
}

// ParseKey decodes a 40-character Z85 key.
func ParseKey(s string) (Key, error) {
	var k Key
	if len(s) != 40 {
		return k, fmt.Errorf("%w: a Z85 key has 40 characters, got %d", ErrMalformed, len(s))
	}
	b, err := DecodeZ85(s)
	if err != nil {
		return k, err
	}
	copy(k[:], b)
	return k, nil
}

// GenerateKeyPair makes a new long-term or short-term key pair from
// random bytes read from rnd (crypto/rand's Reader when nil).
func GenerateKeyPair(rnd io.Reader) (public, secret Key, err error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	pub, sec, err := box.GenerateKey(rnd)
	if err != nil {
		return public, secret, fmt.Errorf("curve: generating a key pair: %w", err)
	}
	return *pub, *sec, nil
}

// PublicFromSecret returns the public key that belongs to a secret key.
func PublicFromSecret(secret Key) Key {
	var pub Key
	b, err := curve25519.X25519(secret[:], curve25519.Basepoint)
	if err == nil { // it fails only for low-order points, never the base point
		copy(pub[:], b)
	}
	return pub
}
