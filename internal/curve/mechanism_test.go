package curve

import (
	"bytes"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// pair is a client and a server handshake, with their long-term keys.
type pair struct {
	srv                    *Server
	srvPub, srvSec         Key
	cliPub, cliSec         Key
	client                 *Client
	handshake              *ServerHandshake
	clientMeta, serverMeta []byte
}

func newPair(t testing.TB, opts *ServerOptions) *pair {
	t.Helper()
	p := &pair{clientMeta: props("Socket-Type", "SUB"), serverMeta: props("Socket-Type", "PUB")}
	var err error
	if p.srvPub, p.srvSec, err = GenerateKeyPair(nil); err != nil {
		t.Fatal(err)
	}
	if p.cliPub, p.cliSec, err = GenerateKeyPair(nil); err != nil {
		t.Fatal(err)
	}
	p.srv = NewServer(p.srvPub, p.srvSec, opts)
	if p.client, err = NewClient(p.srvPub, p.cliPub, p.cliSec, p.clientMeta, nil); err != nil {
		t.Fatal(err)
	}
	p.handshake = p.srv.Handshake(p.serverMeta)
	return p
}

// run does the whole handshake and checks what each side learns.
func (p *pair) run(t testing.TB) (client, server *Session) {
	t.Helper()
	welcome, err := p.handshake.Hello(p.client.Hello())
	if err != nil {
		t.Fatal("Hello:", err)
	}
	if err := p.client.Welcome(welcome); err != nil {
		t.Fatal("Welcome:", err)
	}
	initiate, err := p.client.Initiate()
	if err != nil {
		t.Fatal("Initiate:", err)
	}
	ready, who, meta, err := p.handshake.Initiate(initiate)
	if err != nil {
		t.Fatal("server Initiate:", err)
	}
	if who != p.cliPub {
		t.Fatalf("server saw client %s, want %s", who, p.cliPub)
	}
	if !bytes.Equal(meta, p.clientMeta) {
		t.Fatalf("client metadata %q, want %q", meta, p.clientMeta)
	}
	meta, err = p.client.Ready(ready)
	if err != nil {
		t.Fatal("Ready:", err)
	}
	if !bytes.Equal(meta, p.serverMeta) {
		t.Fatalf("server metadata %q, want %q", meta, p.serverMeta)
	}
	return p.client.Session(), p.handshake.Session()
}

// props encodes ZMTP properties as READY carries them.
func props(kv ...string) []byte {
	var b []byte
	for i := 0; i+1 < len(kv); i += 2 {
		b = append(b, byte(len(kv[i])))
		b = append(b, kv[i]...)
		b = append(b, byte(len(kv[i+1])>>24), byte(len(kv[i+1])>>16), byte(len(kv[i+1])>>8), byte(len(kv[i+1])))
		b = append(b, kv[i+1]...)
	}
	return b
}

func TestHandshakeAndMessages(t *testing.T) {
	p := newPair(t, nil)
	if p.client.Session() != nil || p.handshake.Session() != nil {
		t.Fatal("sessions before the handshake")
	}
	cs, ss := p.run(t)
	if cs == nil || ss == nil {
		t.Fatal("no sessions after the handshake")
	}
	for i, tc := range []struct {
		flags byte
		body  string
	}{{FlagMore, "topic"}, {0, "payload"}, {FlagCommand, "\x09SUBSCRIBEx"}, {0, ""}} {
		m := cs.Seal(nil, tc.flags, []byte(tc.body))
		if len(m) != MessageOverhead+len(tc.body) {
			t.Errorf("%d: MESSAGE of %d bytes for %d", i, len(m), len(tc.body))
		}
		flags, body, err := ss.Open([]byte("keep"), m)
		if err != nil || flags != tc.flags || string(body) != "keep"+tc.body {
			t.Fatalf("%d: server Open = %x %q %v", i, flags, body, err)
		}
		m = ss.Seal(nil, tc.flags, []byte(tc.body))
		flags, body, err = cs.Open(nil, m)
		if err != nil || flags != tc.flags || string(body) != tc.body {
			t.Fatalf("%d: client Open = %x %q %v", i, flags, body, err)
		}
	}
	// Each direction has its own nonce prefix: a client's box does not
	// open as a server's.
	m := cs.Seal(nil, 0, []byte("x"))
	if _, _, err := cs.Open(nil, m); !errors.Is(err, ErrBoxOpen) {
		t.Errorf("own MESSAGE reflected: %v, want ErrBoxOpen", err)
	}
}

func TestMessageReplayAndTamper(t *testing.T) {
	cs, ss := newPair(t, nil).run(t)
	m1 := cs.Seal(nil, 0, []byte("one"))
	m2 := cs.Seal(nil, 0, []byte("two"))
	if _, _, err := ss.Open(nil, m2); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ss.Open(nil, m2); !errors.Is(err, ErrReplay) {
		t.Errorf("replayed MESSAGE: %v, want ErrReplay", err)
	}
	if _, _, err := ss.Open(nil, m1); !errors.Is(err, ErrReplay) {
		t.Errorf("older MESSAGE: %v, want ErrReplay", err)
	}
	m3 := cs.Seal(nil, 0, []byte("three"))
	for i := 8; i < len(m3); i++ {
		bad := bytes.Clone(m3)
		bad[i] ^= 0x20
		if _, _, err := ss.Open(nil, bad); !errors.Is(err, ErrBoxOpen) && !errors.Is(err, ErrReplay) {
			t.Fatalf("byte %d flipped: %v, want ErrBoxOpen", i, err)
		}
	}
	// A forged box with a high nonce must not move the nonce on.
	if _, body, err := ss.Open(nil, m3); err != nil || string(body) != "three" {
		t.Fatalf("after tampered copies: %q %v", body, err)
	}
	for _, bad := range [][]byte{nil, m3[:messageMin-1], append([]byte("\x07MASSAGE"), m3[8:]...)} {
		if _, _, err := ss.Open(nil, bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("Open(%q): %v, want ErrMalformed", bad, err)
		}
	}
}

func TestReplayedHandshakeCommands(t *testing.T) {
	p := newPair(t, nil)
	hello := p.client.Hello()
	welcome, err := p.handshake.Hello(hello)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.handshake.Hello(hello); !errors.Is(err, ErrReplay) {
		t.Errorf("second HELLO: %v, want ErrReplay", err)
	}
	if err := p.client.Welcome(welcome); err != nil {
		t.Fatal(err)
	}
	if err := p.client.Welcome(welcome); !errors.Is(err, ErrReplay) {
		t.Errorf("second WELCOME: %v, want ErrReplay", err)
	}
	initiate, err := p.client.Initiate()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := p.handshake.Initiate(initiate); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := p.handshake.Initiate(initiate); !errors.Is(err, ErrReplay) {
		t.Errorf("second INITIATE: %v, want ErrReplay", err)
	}
	// An INITIATE replayed on another connection: its cookie names
	// another C' (and the new connection has had no HELLO).
	other := p.srv.Handshake(nil)
	if _, _, _, err := other.Initiate(initiate); !errors.Is(err, ErrState) {
		t.Errorf("INITIATE without HELLO: %v, want ErrState", err)
	}
	// On a connection that had a HELLO of its own, the replayed INITIATE's
	// cookie names the other connection's C'.
	c2, err := NewClient(p.srvPub, p.cliPub, p.cliSec, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	h2 := p.srv.Handshake(nil)
	if _, err := h2.Hello(c2.Hello()); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := h2.Initiate(initiate); !errors.Is(err, ErrCookie) {
		t.Errorf("INITIATE of another connection: %v, want ErrCookie", err)
	}
}

func TestWrongServerKey(t *testing.T) {
	p := newPair(t, nil)
	wrongPub, _, err := GenerateKeyPair(nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(wrongPub, p.cliPub, p.cliSec, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.handshake.Hello(c.Hello()); !errors.Is(err, ErrBoxOpen) {
		t.Errorf("HELLO for another server: %v, want ErrBoxOpen", err)
	}
	// The other way: a server whose key is not the one the client has.
	_, wrongSec, _ := GenerateKeyPair(nil)
	impostor := NewServer(p.srvPub, wrongSec, nil).Handshake(nil)
	if _, err := impostor.Hello(p.client.Hello()); !errors.Is(err, ErrBoxOpen) {
		t.Errorf("impostor: %v, want ErrBoxOpen", err)
	}
}

func TestWelcomeFromImpostor(t *testing.T) {
	// An impostor that accepted HELLO anyway (no check) cannot seal a
	// WELCOME that opens with the real server's key.
	p := newPair(t, nil)
	impPub, impSec, _ := GenerateKeyPair(nil)
	c, _ := NewClient(impPub, p.cliPub, p.cliSec, nil, nil)
	welcome, err := NewServer(impPub, impSec, nil).Handshake(nil).Hello(c.Hello())
	if err != nil {
		t.Fatal(err)
	}
	p.client.Hello()
	if err := p.client.Welcome(welcome); !errors.Is(err, ErrBoxOpen) {
		t.Errorf("impostor's WELCOME: %v, want ErrBoxOpen", err)
	}
}

func TestTamperedHandshake(t *testing.T) {
	p := newPair(t, nil)
	hello := p.client.Hello()
	bad := bytes.Clone(hello)
	bad[len(bad)-1] ^= 1
	if _, err := p.srv.Handshake(nil).Hello(bad); !errors.Is(err, ErrBoxOpen) {
		t.Errorf("tampered HELLO: %v, want ErrBoxOpen", err)
	}
	welcome, err := p.handshake.Hello(hello)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.client.Welcome(welcome); err != nil {
		t.Fatal(err)
	}
	initiate, _ := p.client.Initiate()
	for _, tc := range []struct {
		at   int
		want error
	}{{9 + 20, ErrCookie}, {9 + cookieSize + 7, ErrBoxOpen}, {len(initiate) - 1, ErrBoxOpen}} {
		h := p.srv.Handshake(nil)
		// A fresh handshake with the same HELLO, so the cookie's C' matches.
		if _, err := h.Hello(hello); err != nil {
			t.Fatal(err)
		}
		bad := bytes.Clone(initiate)
		bad[tc.at] ^= 1
		if _, _, _, err := h.Initiate(bad); !errors.Is(err, tc.want) {
			t.Errorf("INITIATE byte %d flipped: %v, want %v", tc.at, err, tc.want)
		}
	}
}

func TestCookieExpiry(t *testing.T) {
	now := time.Unix(1e9, 0)
	clock := func() time.Time { return now }
	for _, tc := range []struct {
		wait time.Duration
		ok   bool
	}{{0, true}, {59 * time.Second, true}, {2*time.Minute - time.Second, true}, {2 * time.Minute, false}, {time.Hour, false}} {
		now = time.Unix(1e9, 0)
		p := newPair(t, &ServerOptions{Now: clock})
		welcome, err := p.handshake.Hello(p.client.Hello())
		if err != nil {
			t.Fatal(err)
		}
		if err := p.client.Welcome(welcome); err != nil {
			t.Fatal(err)
		}
		initiate, _ := p.client.Initiate()
		now = now.Add(tc.wait)
		// Other clients' HELLOs meanwhile rotate the key.
		for i := 0; i < 3; i++ {
			other := newPair(t, nil)
			h := p.srv.Handshake(nil)
			c, _ := NewClient(p.srvPub, other.cliPub, other.cliSec, nil, nil)
			if _, err := h.Hello(c.Hello()); err != nil {
				t.Fatal(err)
			}
		}
		_, _, _, err = p.handshake.Initiate(initiate)
		if tc.ok && err != nil || !tc.ok && !errors.Is(err, ErrCookie) {
			t.Errorf("INITIATE %v after WELCOME: %v (want ok=%v)", tc.wait, err, tc.ok)
		}
	}
	// A cookie from another server (another cookie key) is foreign.
	a := newPair(t, nil)
	hello := a.client.Hello()
	welcome, _ := a.handshake.Hello(hello)
	a.client.Welcome(welcome)
	initiate, _ := a.client.Initiate()
	h := NewServer(a.srvPub, a.srvSec, nil).Handshake(nil)
	h.Hello(hello)
	if _, _, _, err := h.Initiate(initiate); !errors.Is(err, ErrCookie) {
		t.Errorf("cookie of another Server: %v, want ErrCookie", err)
	}
}

func TestUnauthorized(t *testing.T) {
	refuse := errors.New("not on the list")
	var asked Key
	p := newPair(t, &ServerOptions{Authorize: func(k Key) error { asked = k; return refuse }})
	welcome, _ := p.handshake.Hello(p.client.Hello())
	if err := p.client.Welcome(welcome); err != nil {
		t.Fatal(err)
	}
	initiate, _ := p.client.Initiate()
	_, who, _, err := p.handshake.Initiate(initiate)
	if !errors.Is(err, ErrUnauthorized) || !errors.Is(err, refuse) {
		t.Fatalf("refused client: %v, want ErrUnauthorized wrapping Authorize's error", err)
	}
	if who != p.cliPub || asked != p.cliPub {
		t.Errorf("refused key %s, asked about %s, want %s", who, asked, p.cliPub)
	}
	if p.handshake.Session() != nil {
		t.Error("a session for a refused client")
	}
	_, err = p.client.Ready(ErrorCommand("400"))
	if !errors.Is(err, ErrRefused) {
		t.Errorf("client given ERROR: %v, want ErrRefused", err)
	}
}

func TestOutOfOrder(t *testing.T) {
	p := newPair(t, nil)
	if _, err := p.client.Initiate(); !errors.Is(err, ErrState) {
		t.Errorf("Initiate before Welcome: %v", err)
	}
	if _, err := p.client.Ready(nil); !errors.Is(err, ErrState) {
		t.Errorf("Ready before Initiate: %v", err)
	}
	if err := p.client.Welcome(nil); !errors.Is(err, ErrState) {
		t.Errorf("Welcome before Hello: %v", err)
	}
	p.client.Hello()
	if err := p.client.Welcome([]byte("\x07WELCOME")); !errors.Is(err, ErrMalformed) {
		t.Errorf("short WELCOME: %v", err)
	}
}

func TestErrorCommand(t *testing.T) {
	for _, reason := range []string{"", "400", string(bytes.Repeat([]byte("x"), 300))} {
		got, err := ParseError(ErrorCommand(reason))
		want := reason
		if len(want) > 255 {
			want = want[:255]
		}
		if err != nil || got != want {
			t.Errorf("ParseError(ErrorCommand(%d bytes)) = %d bytes, %v", len(reason), len(got), err)
		}
	}
	for _, bad := range []string{"", "\x05ERROR", "\x05ERROR\x02x", "\x05READY\x00"} {
		if _, err := ParseError([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseError(%q): %v", bad, err)
		}
	}
}

// Many handshakes at once on one Server, across cookie rotations (run
// with -race: the cookie keys are shared).
func TestConcurrentHandshakes(t *testing.T) {
	srvPub, srvSec, _ := GenerateKeyPair(nil)
	cliPub, cliSec, _ := GenerateKeyPair(nil)
	srv := NewServer(srvPub, srvSec, &ServerOptions{CookieRotation: 20 * time.Millisecond})
	errs := make(chan error, 8)
	var ok atomic.Int64
	for g := 0; g < cap(errs); g++ {
		go func() {
			for i := 0; i < 10; i++ {
				c, _ := NewClient(srvPub, cliPub, cliSec, nil, nil)
				h := srv.Handshake(nil)
				welcome, err := h.Hello(c.Hello())
				if err == nil {
					err = c.Welcome(welcome)
				}
				var initiate, ready []byte
				if err == nil {
					initiate, err = c.Initiate()
				}
				if err == nil {
					ready, _, _, err = h.Initiate(initiate)
				}
				if err == nil {
					_, err = c.Ready(ready)
				}
				// Within 20 ms of WELCOME the cookie is good; on a busy
				// machine it may have expired, which must say so.
				if err != nil && !errors.Is(err, ErrCookie) {
					errs <- err
					return
				}
				if err == nil {
					ok.Add(1)
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < cap(errs); g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if ok.Load() == 0 {
		t.Error("no handshake succeeded")
	}
}
