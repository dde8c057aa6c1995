package curve

import (
	"bytes"
	"testing"
	"time"
)

// countingRand is a deterministic source of "random" bytes, so that the
// fuzzers' handshakes, and so their seed corpora, are the same every run.
type countingRand struct{ n byte }

func (r *countingRand) Read(p []byte) (int, error) {
	for i := range p {
		r.n = r.n*7 + 3
		p[i] = r.n
	}
	return len(p), nil
}

// fixedHandshake is a handshake with deterministic keys, cookie key and
// nonces, taken to the step before the command a fuzzer feeds.
type fixedHandshake struct {
	client                    *Client
	server                    *ServerHandshake
	hello, welcome, initiate  []byte
	ready                     []byte
	clientSession, srvSession *Session
}

func newFixedHandshake(t testing.TB, upTo int) *fixedHandshake {
	rnd := &countingRand{}
	srvPub, srvSec, _ := GenerateKeyPair(rnd)
	cliPub, cliSec, _ := GenerateKeyPair(rnd)
	when := time.Unix(1e9, 0)
	srv := NewServer(srvPub, srvSec, &ServerOptions{Rand: rnd, Now: func() time.Time { return when }})
	f := &fixedHandshake{server: srv.Handshake(props("Socket-Type", "PUB"))}
	var err error
	if f.client, err = NewClient(srvPub, cliPub, cliSec, props("Socket-Type", "SUB"), rnd); err != nil {
		t.Fatal(err)
	}
	f.hello = f.client.Hello()
	if upTo == stepHello {
		return f
	}
	if f.welcome, err = f.server.Hello(f.hello); err != nil {
		t.Fatal(err)
	}
	if upTo == stepWelcome {
		return f
	}
	if err = f.client.Welcome(f.welcome); err != nil {
		t.Fatal(err)
	}
	if f.initiate, err = f.client.Initiate(); err != nil {
		t.Fatal(err)
	}
	if upTo == stepInitiate {
		return f
	}
	if f.ready, _, _, err = f.server.Initiate(f.initiate); err != nil {
		t.Fatal(err)
	}
	if _, err = f.client.Ready(f.ready); err != nil {
		t.Fatal(err)
	}
	f.clientSession, f.srvSession = f.client.Session(), f.server.Session()
	return f
}

func FuzzHello(f *testing.F) {
	h := newFixedHandshake(f, stepHello)
	f.Add(h.hello)
	f.Add(h.hello[:helloSize-1])
	f.Add([]byte("\x05HELLO"))
	f.Fuzz(func(t *testing.T, cmd []byte) {
		h := newFixedHandshake(t, stepHello)
		welcome, err := h.server.Hello(cmd)
		if err == nil && len(welcome) != welcomeSize {
			t.Fatalf("WELCOME of %d bytes", len(welcome))
		}
	})
}

func FuzzWelcome(f *testing.F) {
	h := newFixedHandshake(f, stepWelcome)
	f.Add(h.welcome)
	f.Add(ErrorCommand("400"))
	f.Add(h.welcome[:welcomeSize-1])
	f.Fuzz(func(t *testing.T, cmd []byte) {
		h := newFixedHandshake(t, stepHello)
		if err := h.client.Welcome(cmd); err == nil && len(cmd) != welcomeSize {
			t.Fatalf("WELCOME of %d bytes accepted", len(cmd))
		}
	})
}

func FuzzInitiate(f *testing.F) {
	h := newFixedHandshake(f, stepInitiate)
	f.Add(h.initiate)
	f.Add(h.initiate[:initiateMin])
	f.Add(append(bytes.Clone(h.initiate), 0, 0, 0, 1))
	f.Fuzz(func(t *testing.T, cmd []byte) {
		h := newFixedHandshake(t, stepInitiate)
		ready, _, meta, err := h.server.Initiate(cmd)
		if err == nil && (len(meta) > len(cmd)-initiateMin || len(ready) < readyMin) {
			t.Fatalf("INITIATE of %d bytes gave %d bytes of metadata", len(cmd), len(meta))
		}
	})
}

func FuzzReady(f *testing.F) {
	h := newFixedHandshake(f, stepDone)
	f.Add(h.ready)
	f.Add(ErrorCommand("400"))
	f.Fuzz(func(t *testing.T, cmd []byte) {
		h := newFixedHandshake(t, stepInitiate)
		h.server.Initiate(h.initiate)
		if meta, err := h.client.Ready(cmd); err == nil && len(meta) > len(cmd)-readyMin {
			t.Fatalf("READY of %d bytes gave %d bytes of metadata", len(cmd), len(meta))
		}
	})
}

func FuzzMessage(f *testing.F) {
	h := newFixedHandshake(f, stepDone)
	f.Add(h.clientSession.Seal(nil, FlagMore, []byte("topic")))
	f.Add(h.clientSession.Seal(nil, 0, nil))
	f.Add(h.clientSession.Seal(nil, FlagCommand, []byte("\x09SUBSCRIBEabc")))
	f.Add([]byte("\x07MESSAGE"))
	f.Fuzz(func(t *testing.T, cmd []byte) {
		h := newFixedHandshake(t, stepDone) // a fresh session: each input stands alone
		dst := make([]byte, 0, 8)
		_, body, err := h.srvSession.Open(dst, cmd)
		if err == nil && len(body) != len(cmd)-MessageOverhead {
			t.Fatalf("MESSAGE of %d bytes opened to %d", len(cmd), len(body))
		}
		if err != nil && body != nil {
			t.Fatal("a body with an error")
		}
	})
}

func FuzzZ85(f *testing.F) {
	for _, s := range []string{"HelloWorld", "", "%nSc0", "%nSc1", "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeZ85(s)
		if err != nil {
			return
		}
		if len(b) != len(s)/5*4 {
			t.Fatalf("%d characters decoded to %d bytes", len(s), len(b))
		}
		back, err := EncodeZ85(b)
		if err != nil || back != s {
			t.Fatalf("EncodeZ85(DecodeZ85(%q)) = %q, %v", s, back, err)
		}
	})
}

func FuzzZPL(f *testing.F) {
	pub, sec, _ := GenerateKeyPair(&countingRand{})
	f.Add(AppendCertificate(nil, pub, &sec, time.Unix(1e9, 0)))
	f.Add(AppendCertificate(nil, pub, nil, time.Unix(1e9, 0)))
	f.Add([]byte(pub.String() + "\n"))
	f.Add([]byte("a\n    b = 'c' # d\n        e = f\n"))
	f.Add([]byte("# c\n" + pub.String() + " alice\n" + sec.String() + "#bob\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if root, err := parseZPL(data); err == nil {
			root.lookup("curve/public-key")
		}
		if kf, err := parseKeyFile(data); err == nil && !kf.hasPublic {
			t.Fatal("a key file without a public key")
		}
		parseAuthorized(data, "fuzz")
	})
}
