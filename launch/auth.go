package launch

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// EnvSecret names the environment variable that holds the shared launch
// secret when no flag gives one.
const EnvSecret = "BANYAN_LAUNCH_SECRET"

// The keys a signature adds to a payload. Python's bls and blc ignore them.
const (
	KeyTimestamp = "banyan_ts"      // int: signing time, Unix milliseconds
	KeyNonce     = "banyan_nonce"   // str: 32 hex digits, random per message
	KeySignature = "banyan_sig"     // str: 64 hex digits, HMAC-SHA256
	KeySession   = "banyan_session" // str: random per launcher run (launch records and acks)
)

// Authentication errors (wrapped by the errors receivers log).
var (
	ErrUnsigned     = errors.New("launch: unsigned (Python's bls/blk do not sign: accept them with Auth.InsecurePythonCompat)")
	ErrBadSignature = errors.New("launch: bad signature (forged, altered, or signed with another secret)")
	ErrStale        = errors.New("launch: timestamp outside the accepted window (replayed, or clocks too far apart)")
	ErrReplay       = errors.New("launch: replayed: this nonce was already used")
	ErrNoSecret     = errors.New("launch: a shared secret is needed (Auth.Secret), or Auth.InsecurePythonCompat")
	// ErrUnsignedRequest is an unsigned status request to a launcher or
	// launch client that has a secret: its process table (command lines
	// included) goes only to those who know the secret.
	// InsecurePythonCompat does not change this (Python has no status
	// requests).
	ErrUnsignedRequest = errors.New("launch: unsigned status request (this launcher or launch client has a secret: ask with the same secret)")
)

// Auth configures message signing, shared by the launcher, the launch
// client and killall.
type Auth struct {
	// Secret is the shared key. Launch records, acks and killall messages
	// are signed with it, and only signed ones are accepted.
	Secret []byte
	// InsecurePythonCompat accepts unsigned messages, for Python's
	// bls/blc/blk. Signed messages are still checked when Secret is set.
	InsecurePythonCompat bool
	// Window is how far a signature's timestamp may be from our clock
	// (default 30 s). It bounds replays and the clock skew between hosts.
	Window time.Duration
}

// SecretFromEnv returns $BANYAN_LAUNCH_SECRET, or nil.
func SecretFromEnv() []byte {
	if s := os.Getenv(EnvSecret); s != "" {
		return []byte(s)
	}
	return nil
}

// Message kinds, part of what is signed so that a signature of one kind
// cannot be used as another.
const (
	kindLaunch  = "launch"
	kindAck     = "ack"
	kindKillall = "killall"
	kindStatus  = "status"
)

// The keys each kind signs, besides the topic, timestamp and nonce.
var (
	launchFields  = []string{"append_bp_address", "auto_restart", "command_string", "launch_id", "process", "process_id", "reply_topic", "spawn", "topic", "wait", KeySession}
	ackFields     = []string{"command_string", "launch_id", "process_id", KeySession, keyError}
	killallFields = []string{"exit"}
	statusFields  = []string{"id"}
)

// authenticator signs and checks messages. It remembers the nonces it has
// accepted until their timestamps leave the window.
type authenticator struct {
	secret    []byte
	insecure  bool
	window    time.Duration
	notBefore time.Time // messages signed before this are refused
	now       func() time.Time

	mu   sync.Mutex
	seen map[string]time.Time // nonce → when it can be forgotten
}

func newAuthenticator(a Auth) *authenticator {
	w := a.Window
	if w <= 0 {
		w = 30 * time.Second
	}
	au := &authenticator{secret: a.Secret, insecure: a.InsecurePythonCompat, window: w, now: time.Now, seen: map[string]time.Time{}}
	au.resetReplay()
	return au
}

// resetReplay refuses everything signed before now (minus a second of
// grace): a receiver that has just started, or forgotten what it ran,
// cannot tell those from replays.
func (a *authenticator) resetReplay() {
	a.mu.Lock()
	a.notBefore = a.now().Add(-time.Second)
	a.mu.Unlock()
}

// canonical is the byte string an HMAC covers: a version tag, then the
// kind, the topic and each field as netstrings (len ":" bytes ","), each
// field as its name and its typed value: "s"+text for a string,
// "i"+decimal for an integer, "n" for nil or missing; then the timestamp
// and the nonce.
func canonical(kind, topic string, m map[string]any, fields []string, ts int64, nonce string) ([]byte, error) {
	b := []byte("banyan-launch-hmac-sha256-v1\n")
	ns := func(s string) {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
		b = append(b, ',')
	}
	ns(kind)
	ns(topic)
	for _, f := range fields {
		ns(f)
		switch v := m[f].(type) {
		case nil:
			ns("n")
		case string:
			ns("s" + v)
		case int:
			ns("i" + strconv.FormatInt(int64(v), 10))
		case int64:
			ns("i" + strconv.FormatInt(v, 10))
		default:
			return nil, fmt.Errorf("key %q has type %T, want str, int or None", f, v)
		}
	}
	ns("i" + strconv.FormatInt(ts, 10))
	ns("s" + nonce)
	return b, nil
}

func (a *authenticator) mac(data []byte) string {
	h := hmac.New(sha256.New, a.secret)
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// sign adds timestamp, nonce and signature keys to m. Without a secret it
// does nothing (the message goes out unsigned, as Python's).
func (a *authenticator) sign(kind, topic string, m map[string]any, fields []string) error {
	if len(a.secret) == 0 {
		return nil
	}
	n := make([]byte, 16)
	rand.Read(n)
	nonce := hex.EncodeToString(n)
	ts := a.now().UnixMilli()
	data, err := canonical(kind, topic, m, fields, ts, nonce)
	if err != nil {
		return err
	}
	m[KeyTimestamp] = ts
	m[KeyNonce] = nonce
	m[KeySignature] = a.mac(data)
	return nil
}

// verifyRequest checks a status request: with a secret, it must be signed
// (whatever InsecurePythonCompat says) and pass verify; without one,
// anything goes, as before signing existed.
func (a *authenticator) verifyRequest(topic string, m map[string]any) error {
	if len(a.secret) == 0 {
		return nil
	}
	if _, has := m[KeySignature]; !has {
		return ErrUnsignedRequest
	}
	_, err := a.verify(kindStatus, topic, m, statusFields)
	return err
}

// verify checks m's signature, its timestamp and its nonce. It returns nil
// for a good message, and for an unsigned one only in insecure mode.
// signed reports whether m carried a signature that was checked.
func (a *authenticator) verify(kind, topic string, m map[string]any, fields []string) (signed bool, err error) {
	sigv, has := m[KeySignature]
	if !has || len(a.secret) == 0 {
		if a.insecure {
			return false, nil
		}
		if len(a.secret) == 0 {
			return false, ErrNoSecret
		}
		return false, ErrUnsigned
	}
	sig, _ := sigv.(string)
	ts, tok := m[KeyTimestamp].(int64)
	nonce, nok := m[KeyNonce].(string)
	if len(sig) != 64 || !tok || !nok || len(nonce) < 16 || len(nonce) > 128 {
		return false, fmt.Errorf("%w: malformed %s/%s/%s keys", ErrBadSignature, KeyTimestamp, KeyNonce, KeySignature)
	}
	data, err := canonical(kind, topic, m, fields, ts, nonce)
	if err != nil {
		return false, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if !hmac.Equal([]byte(a.mac(data)), []byte(sig)) {
		return false, ErrBadSignature
	}
	now := a.now()
	t := time.UnixMilli(ts)
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, until := range a.seen {
		if now.After(until) {
			delete(a.seen, k)
		}
	}
	if d := now.Sub(t); d > a.window || d < -a.window {
		return true, fmt.Errorf("%w: signed at %s, %v from our clock (window %v)", ErrStale, t.Format(time.RFC3339Nano), d.Round(time.Millisecond), a.window)
	}
	if t.Before(a.notBefore) {
		return true, fmt.Errorf("%w: signed at %s, before this receiver started or reset", ErrStale, t.Format(time.RFC3339Nano))
	}
	if _, dup := a.seen[nonce]; dup {
		return true, ErrReplay
	}
	a.seen[nonce] = t.Add(a.window + time.Second)
	return true, nil
}
