package curve

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/testpeer"
)

// These tests drive the mechanism against real libzmq (Debian's pyzmq)
// over TCP, with the ZMTP 3 greeting and command framing done by hand
// here, as internal/zmtp will do them.

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func startPeer(t *testing.T, args ...string) *testpeer.Proc {
	t.Helper()
	py := testpeer.Python(t, "zmq")
	p := testpeer.Start(t, py, append([]string{"testdata/curve_peer.py"}, args...)...)
	p.Expect("READY")
	return p
}

// wire is one ZMTP 3 connection, framed by hand.
type wire struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func newWire(t *testing.T, c net.Conn) *wire {
	c.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { c.Close() })
	return &wire{t: t, c: c, r: bufio.NewReader(c)}
}

func dialWire(t *testing.T, port int) *wire {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	return newWire(t, c)
}

// greet sends a ZMTP 3.minor greeting with mechanism CURVE and reads the
// peer's, which must be CURVE with the other as-server flag.
func (w *wire) greet(asServer bool, minor byte) (peerMinor byte) {
	w.t.Helper()
	g := make([]byte, 64)
	g[0], g[9], g[10], g[11] = 0xff, 0x7f, 3, minor
	copy(g[12:32], "CURVE")
	if asServer {
		g[32] = 1
	}
	if _, err := w.c.Write(g); err != nil {
		w.t.Fatal(err)
	}
	if _, err := io.ReadFull(w.r, g); err != nil {
		w.t.Fatal("reading the greeting:", err)
	}
	if g[0] != 0xff || g[10] != 3 || strings.TrimRight(string(g[12:32]), "\x00") != "CURVE" {
		w.t.Fatalf("peer greeting % x", g)
	}
	// libzmq 4.3 sends as-server 0 whatever its role: it is not checked.
	return g[11]
}

// send writes one command frame: flag COMMAND, a short or long size.
func (w *wire) send(body []byte) { w.t.Helper(); w.sendFrame(0x04, body) }

// sendMessage writes a MESSAGE command in a data frame (flags 0), as libzmq
// sends and expects it: the frame's own MORE flag is inside the box.
func (w *wire) sendMessage(body []byte) { w.t.Helper(); w.sendFrame(0, body) }

func (w *wire) sendFrame(flags byte, body []byte) {
	w.t.Helper()
	var h []byte
	if len(body) > 255 {
		h = binary.BigEndian.AppendUint64([]byte{flags | 0x02}, uint64(len(body)))
	} else {
		h = []byte{flags, byte(len(body))}
	}
	if _, err := w.c.Write(append(h, body...)); err != nil {
		w.t.Fatal(err)
	}
}

// recv reads one frame and returns its body: a command frame during the
// handshake, a data frame (no MORE) after it.
func (w *wire) recv() ([]byte, error) {
	flags, err := w.r.ReadByte()
	if err != nil {
		return nil, err
	}
	if flags&^0x06 != 0 {
		return nil, fmt.Errorf("frame flags 0x%02x: want a command, or a data frame without MORE", flags)
	}
	var size uint64
	if flags&0x02 != 0 {
		var b [8]byte
		if _, err := io.ReadFull(w.r, b[:]); err != nil {
			return nil, err
		}
		size = binary.BigEndian.Uint64(b[:])
	} else {
		b, err := w.r.ReadByte()
		if err != nil {
			return nil, err
		}
		size = uint64(b)
	}
	if size > 1<<20 {
		return nil, fmt.Errorf("command of %d bytes", size)
	}
	body := make([]byte, size)
	_, err = io.ReadFull(w.r, body)
	return body, err
}

func (w *wire) mustRecv() []byte {
	w.t.Helper()
	b, err := w.recv()
	if err != nil {
		w.t.Fatal("reading a command:", err)
	}
	return b
}

// parseProps decodes ZMTP metadata (READY's encoding), names lower-cased.
func parseProps(t *testing.T, data []byte) map[string]string {
	t.Helper()
	m := map[string]string{}
	for len(data) > 0 {
		n := int(data[0])
		if len(data) < 1+n+4 {
			t.Fatalf("truncated metadata %q", data)
		}
		name := strings.ToLower(string(data[1 : 1+n]))
		v := binary.BigEndian.Uint32(data[1+n:])
		data = data[5+n:]
		if uint64(v) > uint64(len(data)) {
			t.Fatalf("truncated metadata value of %s", name)
		}
		m[name], data = string(data[:v]), data[v:]
	}
	return m
}

// clientHandshake runs the client side over w and returns the session and
// the server's metadata.
func clientHandshake(t *testing.T, w *wire, c *Client) (*Session, map[string]string) {
	t.Helper()
	w.send(c.Hello())
	if err := c.Welcome(w.mustRecv()); err != nil {
		t.Fatal("WELCOME from libzmq:", err)
	}
	initiate, err := c.Initiate()
	if err != nil {
		t.Fatal(err)
	}
	w.send(initiate)
	meta, err := c.Ready(w.mustRecv())
	if err != nil {
		t.Fatal("READY from libzmq:", err)
	}
	return c.Session(), parseProps(t, meta)
}

// openFrame reads one MESSAGE and opens it.
func openFrame(t *testing.T, w *wire, s *Session) (byte, string) {
	t.Helper()
	flags, body, err := s.Open(nil, w.mustRecv())
	if err != nil {
		t.Fatal("MESSAGE from libzmq:", err)
	}
	return flags, string(body)
}

func testKeys(t *testing.T) (srvPub, srvSec, cliPub, cliSec Key) {
	t.Helper()
	var err error
	if srvPub, srvSec, err = GenerateKeyPair(nil); err != nil {
		t.Fatal(err)
	}
	if cliPub, cliSec, err = GenerateKeyPair(nil); err != nil {
		t.Fatal(err)
	}
	return
}

// Go SUB client, libzmq PUB server: the subscription goes out in a MESSAGE
// box (ZMTP 3.0: a message "\x01" + prefix), published messages come back.
func TestInteropLibzmqPubServer(t *testing.T) {
	srvPub, srvSec, cliPub, cliSec := testKeys(t)
	port := freePort(t)
	peer := startPeer(t, "pub-server", srvSec.String(), strconv.Itoa(port))
	w := dialWire(t, port)
	if minor := w.greet(false, 0); minor < 0 {
		t.Fatal(minor)
	}
	c, err := NewClient(srvPub, cliPub, cliSec, props("Socket-Type", "SUB"), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, meta := clientHandshake(t, w, c)
	if meta["socket-type"] != "PUB" {
		t.Fatalf("libzmq's READY metadata %v, want Socket-Type PUB", meta)
	}
	peer.Expect("EVENT HANDSHAKE_SUCCEEDED")
	w.sendMessage(s.Seal(nil, 0, []byte("\x01wea")))
	for i := 0; i < 3; i++ {
		if flags, topic := openFrame(t, w, s); flags != FlagMore || topic != "weather" {
			t.Fatalf("frame 1: flags %x %q, want more, weather", flags, topic)
		}
		if flags, payload := openFrame(t, w, s); flags != 0 || payload != "sunny" {
			t.Fatalf("frame 2: flags %x %q, want sunny", flags, payload)
		}
	}
}

// Go PUB client, libzmq SUB server: its subscription arrives in a box,
// and what we publish reaches it (and what does not match does not).
func TestInteropLibzmqSubServer(t *testing.T) {
	srvPub, srvSec, cliPub, cliSec := testKeys(t)
	port := freePort(t)
	peer := startPeer(t, "sub-server", srvSec.String(), strconv.Itoa(port), "wea")
	w := dialWire(t, port)
	w.greet(false, 0)
	c, _ := NewClient(srvPub, cliPub, cliSec, props("Socket-Type", "PUB"), nil)
	s, meta := clientHandshake(t, w, c)
	if meta["socket-type"] != "SUB" {
		t.Fatalf("libzmq's READY metadata %v, want Socket-Type SUB", meta)
	}
	if flags, sub := openFrame(t, w, s); flags != 0 || sub != "\x01wea" {
		t.Fatalf("subscription: flags %x %q, want \\x01wea", flags, sub)
	}
	for _, m := range [][2]string{{"other", "x"}, {"weather", "sunny"}} {
		w.sendMessage(s.Seal(nil, FlagMore, []byte(m[0])))
		w.sendMessage(s.Seal(nil, 0, []byte(m[1])))
	}
	want := "MSG " + hex.EncodeToString([]byte("weather")) + " " + hex.EncodeToString([]byte("sunny"))
	if got := peer.Expect("MSG"); got != want {
		t.Fatalf("libzmq received %q, want %q", got, want)
	}
}

// A client with the wrong server key: libzmq cannot open our HELLO and
// closes the connection without a WELCOME.
func TestInteropLibzmqWrongServerKey(t *testing.T) {
	_, srvSec, cliPub, cliSec := testKeys(t)
	other, _, _ := GenerateKeyPair(nil)
	port := freePort(t)
	startPeer(t, "pub-server", srvSec.String(), strconv.Itoa(port))
	w := dialWire(t, port)
	w.greet(false, 0)
	c, _ := NewClient(other, cliPub, cliSec, props("Socket-Type", "SUB"), nil)
	w.send(c.Hello())
	if body, err := w.recv(); err == nil {
		t.Fatalf("libzmq answered a HELLO for another key with %q", body)
	}
}

// serveOne accepts one connection on ln and runs the server side of the
// handshake; it returns what Initiate returned, and the wire.
func serveOne(t *testing.T, ln net.Listener, srv *Server, minor byte) (*wire, *ServerHandshake, Key, []byte, error) {
	t.Helper()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(20 * time.Second))
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	w := newWire(t, conn)
	w.greet(true, minor)
	h := srv.Handshake(props("Socket-Type", "PUB"))
	welcome, err := h.Hello(w.mustRecv())
	if err != nil {
		t.Fatal("HELLO from libzmq:", err)
	}
	w.send(welcome)
	ready, client, meta, err := h.Initiate(w.mustRecv())
	if err == nil {
		w.send(ready)
	}
	return w, h, client, meta, err
}

// libzmq SUB client, Go PUB server, over ZMTP 3.0 (subscriptions as
// messages) and 3.1 (SUBSCRIBE commands, in boxes with FlagCommand).
func TestInteropLibzmqClient(t *testing.T) {
	for _, minor := range []byte{0, 1} {
		t.Run(fmt.Sprintf("3.%d", minor), func(t *testing.T) {
			srvPub, srvSec, cliPub, cliSec := testKeys(t)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			var asked Key
			srv := NewServer(srvPub, srvSec, &ServerOptions{Authorize: func(k Key) error {
				if asked = k; k != cliPub {
					return errors.New("unknown")
				}
				return nil
			}})
			port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
			peer := startPeer(t, "sub-client", srvPub.String(), cliPub.String(), cliSec.String(), port, "wea")
			w, h, client, meta, err := serveOne(t, ln, srv, minor)
			if err != nil {
				t.Fatal("INITIATE from libzmq:", err)
			}
			if client != cliPub || asked != cliPub {
				t.Fatalf("client key %s (Authorize asked about %s), want %s", client, asked, cliPub)
			}
			if m := parseProps(t, meta); m["socket-type"] != "SUB" {
				t.Fatalf("libzmq's INITIATE metadata %v, want Socket-Type SUB", m)
			}
			peer.Expect("EVENT HANDSHAKE_SUCCEEDED")
			s := h.Session()
			flags, sub := openFrame(t, w, s)
			wantFlags, wantSub := byte(0), "\x01wea"
			if minor == 1 {
				wantFlags, wantSub = FlagCommand, "\x09SUBSCRIBEwea"
			}
			if flags != wantFlags || sub != wantSub {
				t.Fatalf("subscription: flags %x %q, want %x %q", flags, sub, wantFlags, wantSub)
			}
			w.sendMessage(s.Seal(nil, FlagMore, []byte("weather")))
			w.sendMessage(s.Seal(nil, 0, []byte("sunny")))
			want := "MSG " + hex.EncodeToString([]byte("weather")) + " " + hex.EncodeToString([]byte("sunny"))
			if got := peer.Expect("MSG"); got != want {
				t.Fatalf("libzmq received %q, want %q", got, want)
			}
		})
	}
}

// A libzmq client whose key is not authorized gets ERROR "400" instead of
// READY, which libzmq reports as an authentication failure, and nothing
// passes.
func TestInteropLibzmqUnauthorized(t *testing.T) {
	srvPub, srvSec, cliPub, cliSec := testKeys(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	srv := NewServer(srvPub, srvSec, &ServerOptions{Authorize: func(Key) error { return errors.New("not listed") }})
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	peer := startPeer(t, "sub-client", srvPub.String(), cliPub.String(), cliSec.String(), port, "")
	w, h, client, _, err := serveOne(t, ln, srv, 0)
	if !errors.Is(err, ErrUnauthorized) || client != cliPub {
		t.Fatalf("Initiate = %s, %v; want ErrUnauthorized for %s", client, err, cliPub)
	}
	if h.Session() != nil {
		t.Fatal("a session for a refused client")
	}
	w.send(ErrorCommand("400"))
	if got := peer.Expect("EVENT HANDSHAKE_FAILED_AUTH"); got != "EVENT HANDSHAKE_FAILED_AUTH 400" {
		t.Errorf("libzmq reported %q", got)
	}
	// libzmq closes the connection: nothing more comes from it.
	if body, err := w.recv(); err == nil {
		t.Errorf("refused libzmq client sent %q", body)
	}
	if line, ok := peer.Next(200 * time.Millisecond); ok && strings.HasPrefix(line, "MSG") {
		t.Errorf("refused client received %q", line)
	}
}

// Certificates that pyzmq's zmq.auth writes (as czmq does) are read, as
// key files and as an authorized-keys directory.
func TestPyzmqCertificates(t *testing.T) {
	py := testpeer.Python(t, "zmq", "zmq.auth")
	dir := t.TempDir()
	code := `import sys, zmq.auth
for n in ("alice", "bob"):
    zmq.auth.create_certificates(sys.argv[1], n)
    p, s = zmq.auth.load_certificate(sys.argv[1] + "/" + n + ".key_secret")
    print(n, p.decode(), s.decode())`
	out, err := exec.Command(py, "-c", code, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("pyzmq: %v\n%s", err, out)
	}
	want := map[Key]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pub, sec := mustKey(t, f[1]), mustKey(t, f[2])
		base := filepath.Join(dir, f[0]+".key")
		if p, s, err := LoadSecret(base + "_secret"); err != nil || p != pub || s != sec {
			t.Errorf("LoadSecret(%s) = %s, %s, %v", base, p, s, err)
		}
		if p, err := LoadPublic(base); err != nil || p != pub {
			t.Errorf("LoadPublic(%s) = %s, %v", base, p, err)
		}
		want[pub] = f[0] + ".key"
	}
	got, err := LoadAuthorized(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("authorized %v, want %v", got, want)
	}
	for k, label := range want {
		if got[k] != label {
			t.Errorf("%s labelled %q, want %q", k, got[k], label)
		}
	}
}

func mustKey(t *testing.T, s string) Key {
	t.Helper()
	k, err := ParseKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
