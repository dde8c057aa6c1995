package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gobanyan/banyan/internal/curve"
	"github.com/gobanyan/banyan/internal/testpeer"
)

// runKeygen runs the keygen command (not yet registered in main.go's root,
// so built on its own) and returns what it printed.
func runKeygen(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newKeygenCmd()
	var out bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return strings.TrimSpace(out.String()), err
}

func TestKeygen(t *testing.T) {
	name := filepath.Join(t.TempDir(), "server")
	printed, err := runKeygen(t, name)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := curve.ParseKey(printed)
	if err != nil {
		t.Fatalf("printed %q: %v", printed, err)
	}
	p, s, err := curve.LoadSecret(name + "_secret")
	if err != nil || p != pub || curve.PublicFromSecret(s) != pub {
		t.Fatalf("secret certificate: %s, %v; printed %s", p, err, pub)
	}
	if k, err := curve.LoadPublic(name); err != nil || k != pub {
		t.Fatalf("public certificate: %s, %v", k, err)
	}
	for _, f := range []string{name, name + "_secret"} {
		got, err := runKeygen(t, "--public", f)
		if err != nil || got != pub.String() {
			t.Errorf("keygen --public %s = %q, %v; want %s", f, got, err, pub)
		}
	}
	// No overwriting without --force.
	if _, err := runKeygen(t, name); !errors.Is(err, os.ErrExist) {
		t.Errorf("second keygen: %v, want ErrExist", err)
	}
	if _, s2, _ := curve.LoadSecret(name + "_secret"); s2 != s {
		t.Error("the refused keygen changed the secret file")
	}
	printed, err = runKeygen(t, "--force", name)
	if err != nil || printed == pub.String() {
		t.Fatalf("keygen --force: %q, %v", printed, err)
	}
	// Plain Z85 files: as they are, or derived from a secret.
	plain := filepath.Join(t.TempDir(), "key")
	os.WriteFile(plain, []byte(s.String()+"\n"), 0o600)
	if got, err := runKeygen(t, "--public", plain); err != nil || got != s.String() {
		t.Errorf("--public plain = %q, %v", got, err)
	}
	if got, err := runKeygen(t, "--public", plain, "--derive"); err != nil || got != pub.String() {
		t.Errorf("--public --derive plain = %q, %v; want %s", got, err, pub)
	}
	for _, args := range [][]string{{}, {"a", "b"}, {"--public", name, "x"}, {"--derive", "x"}, {"--public", plain + ".absent"}} {
		if _, err := runKeygen(t, args...); err == nil {
			t.Errorf("keygen %q succeeded", args)
		}
	}
}

// pyzmq's zmq.auth reads the certificates keygen writes (it reads them as
// czmq does).
func TestKeygenReadByPyzmq(t *testing.T) {
	py := testpeer.Python(t, "zmq", "zmq.auth")
	name := filepath.Join(t.TempDir(), "client")
	printed, err := runKeygen(t, name)
	if err != nil {
		t.Fatal(err)
	}
	code := `import sys, zmq.auth
p, _ = zmq.auth.load_certificate(sys.argv[1])
p2, s = zmq.auth.load_certificate(sys.argv[1] + "_secret")
assert p == p2 and zmq.curve_public(s) == p, (p, p2)
print(p.decode())`
	out, err := exec.Command(py, "-c", code, name).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != printed {
		t.Fatalf("pyzmq read %q (%v), keygen printed %s", out, err, printed)
	}
}
