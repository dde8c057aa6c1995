package launch

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
)

// roundTrip sends m through the codec, as a receiver sees it.
func roundTrip(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	b, err := banyan.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out, err := banyan.DecodeMap(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The signature is the documented HMAC, computed here by hand.
func TestSignatureVector(t *testing.T) {
	a := newAuthenticator(Auth{Secret: []byte("k")})
	a.now = func() time.Time { return time.UnixMilli(1700000000123) }
	m := map[string]any{"exit": "exit"}
	if err := a.sign(kindKillall, "killall", m, killallFields); err != nil {
		t.Fatal(err)
	}
	nonce := m[KeyNonce].(string)
	msg := "banyan-launch-hmac-sha256-v1\n" + "7:killall," + "7:killall," + "4:exit," + "5:sexit," + "14:i1700000000123," +
		"33:s" + nonce + ","
	h := hmac.New(sha256.New, []byte("k"))
	h.Write([]byte(msg))
	if want := hex.EncodeToString(h.Sum(nil)); m[KeySignature] != want || m[KeyTimestamp] != int64(1700000000123) || len(nonce) != 32 {
		t.Fatalf("signature %v, want %s (message %q)", m, want, msg)
	}
}

func TestVerify(t *testing.T) {
	secret := []byte("secret")
	now := time.Now()
	clock := func() time.Time { return now }
	signer := newAuthenticator(Auth{Secret: secret})
	signer.now = clock
	rec := func() map[string]any {
		m := newRecord(Entry{Topic: "pi", AutoRestart: true, Wait: 1500 * time.Millisecond}, "python3 gw.py", 1, "s1")
		if err := signer.sign(kindLaunch, "pi", m, launchFields); err != nil {
			t.Fatal(err)
		}
		return roundTrip(t, m)
	}
	newVerifier := func(a Auth) *authenticator {
		v := newAuthenticator(a)
		v.now = clock
		v.notBefore = now.Add(-time.Minute)
		return v
	}
	v := newVerifier(Auth{Secret: secret})

	good := rec()
	if signed, err := v.verify(kindLaunch, "pi", good, launchFields); err != nil || !signed {
		t.Fatalf("good record: %v", err)
	}
	if _, err := v.verify(kindLaunch, "pi", good, launchFields); !errors.Is(err, ErrReplay) {
		t.Errorf("replay: %v", err)
	}
	for name, tc := range map[string]struct {
		mutate func(map[string]any)
		topic  string
		kind   string
		want   error
	}{
		"command altered":      {func(m map[string]any) { m["command_string"] = "rm -rf ~" }, "pi", kindLaunch, ErrBadSignature},
		"auto_restart flip":    {func(m map[string]any) { m["auto_restart"] = "no" }, "pi", kindLaunch, ErrBadSignature},
		"launch id changed":    {func(m map[string]any) { m["launch_id"] = int64(2) }, "pi", kindLaunch, ErrBadSignature},
		"id type changed":      {func(m map[string]any) { m["launch_id"] = "1" }, "pi", kindLaunch, ErrBadSignature},
		"session changed":      {func(m map[string]any) { m[KeySession] = "s2" }, "pi", kindLaunch, ErrBadSignature},
		"timestamp moved":      {func(m map[string]any) { m[KeyTimestamp] = m[KeyTimestamp].(int64) + 1 }, "pi", kindLaunch, ErrBadSignature},
		"nonce changed":        {func(m map[string]any) { m[KeyNonce] = "00000000000000000000000000000000" }, "pi", kindLaunch, ErrBadSignature},
		"other topic":          {func(map[string]any) {}, "pi2", kindLaunch, ErrBadSignature},
		"used as another kind": {func(map[string]any) {}, "pi", kindAck, ErrBadSignature},
		"unsigned":             {func(m map[string]any) { delete(m, KeySignature) }, "pi", kindLaunch, ErrUnsigned},
		"signature mangled":    {func(m map[string]any) { m[KeySignature] = 42 }, "pi", kindLaunch, ErrBadSignature},
		"unknown key added":    {func(m map[string]any) { m["extra"] = "x" }, "pi", kindLaunch, nil},
	} {
		m := rec()
		tc.mutate(m)
		_, err := v.verify(tc.kind, tc.topic, m, launchFields)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", name, err, tc.want)
		}
	}

	other := newVerifier(Auth{Secret: []byte("other")})
	if _, err := other.verify(kindLaunch, "pi", rec(), launchFields); !errors.Is(err, ErrBadSignature) {
		t.Errorf("other secret: %v", err)
	}

	// Timestamps: outside the window either way, or before the receiver started.
	for name, d := range map[string]time.Duration{"old": -31 * time.Second, "future": 31 * time.Second} {
		signer.now = func() time.Time { return now.Add(d) }
		if _, err := v.verify(kindLaunch, "pi", rec(), launchFields); !errors.Is(err, ErrStale) {
			t.Errorf("%s: %v", name, err)
		}
	}
	signer.now = func() time.Time { return now.Add(-10 * time.Second) }
	fresh := newVerifier(Auth{Secret: secret})
	fresh.notBefore = now.Add(-time.Second)
	if _, err := fresh.verify(kindLaunch, "pi", rec(), launchFields); !errors.Is(err, ErrStale) {
		t.Errorf("signed before the receiver started: %v", err)
	}
	signer.now = clock

	// Nonces are forgotten once their timestamps leave the window.
	v2 := newVerifier(Auth{Secret: secret, Window: 5 * time.Second})
	v2.verify(kindLaunch, "pi", rec(), launchFields)
	v2.now = func() time.Time { return now.Add(time.Minute) }
	v2.verify(kindLaunch, "pi", rec(), launchFields)
	if n := len(v2.seen); n != 0 {
		t.Errorf("%d nonces remembered after the window", n)
	}

	// Insecure mode: unsigned accepted, signed still checked.
	insecure := newVerifier(Auth{Secret: secret, InsecurePythonCompat: true})
	unsigned := roundTrip(t, newRecord(Entry{Topic: "pi"}, "x", 1, ""))
	if signed, err := insecure.verify(kindLaunch, "pi", unsigned, launchFields); err != nil || signed {
		t.Errorf("insecure, unsigned: %v", err)
	}
	forged := rec()
	forged["command_string"] = "y"
	if _, err := insecure.verify(kindLaunch, "pi", forged, launchFields); !errors.Is(err, ErrBadSignature) {
		t.Errorf("insecure, forged: %v", err)
	}
	if _, err := newVerifier(Auth{}).verify(kindLaunch, "pi", unsigned, launchFields); !errors.Is(err, ErrNoSecret) {
		t.Errorf("no secret, not insecure: %v", err)
	}
}

// A record has Python's ten keys with Python's types, plus the session.
func TestRecordKeys(t *testing.T) {
	m := roundTrip(t, newRecord(Entry{Topic: "rpi", Spawn: true, Wait: 5 * time.Second}, "python3 gw.py -b 10.0.0.2", 3, "s"))
	want := map[string]any{
		"append_bp_address": "no", "auto_restart": "no", "command_string": "python3 gw.py -b 10.0.0.2", "process": nil,
		"process_id": nil, "spawn": "yes", "topic": "rpi", "reply_topic": "ACKrpi", "launch_id": int64(3), "wait": "5", KeySession: "s",
	}
	if len(m) != len(want) {
		t.Fatalf("keys %v", m)
	}
	for k, v := range want {
		if got, ok := m[k]; !ok || got != v {
			t.Errorf("%s = %#v, want %#v", k, got, v)
		}
	}
}

// Status requests: with a secret they must be signed, even in insecure
// Python-compatible mode (Python sends none); without one, all pass.
func TestVerifyRequest(t *testing.T) {
	secret := []byte("s")
	signed := func() map[string]any {
		m := map[string]any{"id": "abc"}
		if err := newAuthenticator(Auth{Secret: secret}).sign(kindStatus, statusRequestTopic, m, statusFields); err != nil {
			t.Fatal(err)
		}
		return roundTrip(t, m)
	}
	for _, a := range []Auth{{Secret: secret}, {Secret: secret, InsecurePythonCompat: true}} {
		v := newAuthenticator(a)
		v.notBefore = time.Now().Add(-time.Minute)
		if err := v.verifyRequest(statusRequestTopic, map[string]any{"id": "abc"}); !errors.Is(err, ErrUnsignedRequest) {
			t.Errorf("%+v: unsigned: %v, want ErrUnsignedRequest", a, err)
		}
		m := signed()
		if err := v.verifyRequest(statusRequestTopic, m); err != nil {
			t.Errorf("%+v: signed: %v", a, err)
		}
		if err := v.verifyRequest(statusRequestTopic, m); !errors.Is(err, ErrReplay) {
			t.Errorf("%+v: replayed: %v, want ErrReplay", a, err)
		}
		if err := v.verifyRequest("banyan_launch_status_other", signed()); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%+v: another topic: %v, want ErrBadSignature", a, err)
		}
		m = signed()
		if _, err := v.verify(kindKillall, statusRequestTopic, m, killallFields); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%+v: a status signature used as killall: %v, want ErrBadSignature", a, err)
		}
	}
	v := newAuthenticator(Auth{InsecurePythonCompat: true})
	if err := v.verifyRequest(statusRequestTopic, map[string]any{"id": "abc"}); err != nil {
		t.Errorf("no secret: %v", err)
	}
}
