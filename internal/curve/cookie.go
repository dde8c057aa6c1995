package curve

import (
	"fmt"
	"io"
	"sync"
	"time"

	"golang.org/x/crypto/nacl/secretbox"
)

// cookieKey is one key the server seals cookies with.
type cookieKey struct {
	key     [32]byte
	created time.Time
}

// cookieJar holds the current cookie key and the one before it. A key
// seals cookies for one rotation period and opens them for two, so a
// cookie is good for at least one period and at most two after WELCOME.
type cookieJar struct {
	mu       sync.Mutex
	cur      cookieKey
	prev     cookieKey
	rotation time.Duration
}

// seal seals C' and s' into a cookie: a 16-byte nonce and the box.
func (j *cookieJar) seal(dst []byte, now time.Time, rnd io.Reader, clientShort, serverShortSecret *Key) ([]byte, error) {
	var n [16]byte
	if _, err := io.ReadFull(rnd, n[:]); err != nil {
		return nil, fmt.Errorf("curve: cookie nonce: %w", err)
	}
	j.mu.Lock()
	if j.cur.created.IsZero() || now.Sub(j.cur.created) >= j.rotation {
		next := cookieKey{created: now}
		if _, err := io.ReadFull(rnd, next.key[:]); err != nil {
			j.mu.Unlock()
			return nil, fmt.Errorf("curve: cookie key: %w", err)
		}
		j.prev, j.cur = j.cur, next
	}
	key := j.cur.key
	j.mu.Unlock()
	var plain [64]byte
	copy(plain[:32], clientShort[:])
	copy(plain[32:], serverShortSecret[:])
	nonce := longNonce(prefixCookie, n[:])
	dst = append(dst, n[:]...)
	return secretbox.Seal(dst, plain[:], &nonce, &key), nil
}

// open opens a cookie with a key that is still good and returns C' and s'.
func (j *cookieJar) open(cookie []byte, now time.Time) (clientShort, serverShortSecret Key, err error) {
	j.mu.Lock()
	keys := [2]cookieKey{j.cur, j.prev}
	j.mu.Unlock()
	nonce := longNonce(prefixCookie, cookie[:16])
	for _, k := range keys {
		if k.created.IsZero() || now.Sub(k.created) >= 2*j.rotation {
			continue
		}
		var plain [64]byte
		if _, ok := secretbox.Open(plain[:0], cookie[16:], &nonce, &k.key); ok {
			copy(clientShort[:], plain[:32])
			copy(serverShortSecret[:], plain[32:])
			return clientShort, serverShortSecret, nil
		}
	}
	return clientShort, serverShortSecret, fmt.Errorf("%w: expired, or sealed by another server", ErrCookie)
}
