package curve

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadAuthorizedDir(t *testing.T) {
	dir := t.TempDir()
	alice, aliceSec, _ := GenerateKeyPair(nil)
	bob, bobSec, _ := GenerateKeyPair(nil)
	hidden, hiddenSec, _ := GenerateKeyPair(nil)
	if err := WriteCertificate(filepath.Join(dir, "alice"), alice, aliceSec, false); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, "team"), 0o755)
	if err := WriteCertificate(filepath.Join(dir, "team", "bob.key"), bob, bobSec, false); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, ".old"), 0o755)
	WriteCertificate(filepath.Join(dir, ".old", "carol"), hidden, hiddenSec, false)
	os.WriteFile(filepath.Join(dir, "README"), []byte("not a certificate\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "plain"), []byte(hidden.String()+"\n"), 0o644) // zcertstore reads certificates only
	unreadable := filepath.Join(dir, "unreadable")
	os.WriteFile(unreadable, AppendCertificate(nil, hidden, nil, time.Now()), 0o000)

	keys, err := LoadAuthorized(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[Key]string{alice: "alice", bob: filepath.Join("team", "bob.key")}
	if os.Getuid() == 0 {
		delete(keys, hidden) // root reads mode 0000 files
	}
	if len(keys) != len(want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	for k, label := range want {
		if keys[k] != label {
			t.Errorf("key %s labelled %q, want %q", k, keys[k], label)
		}
	}
	// A secret key of a secret file is never taken as authorized: the
	// _secret files are skipped (so alice appears once, by her public file).
	if _, ok := keys[aliceSec]; ok {
		t.Error("a secret key among the authorized")
	}
}

func TestLoadAuthorizedFile(t *testing.T) {
	dir := t.TempDir()
	a, _, _ := GenerateKeyPair(nil)
	b, _, _ := GenerateKeyPair(nil)
	c, _, _ := GenerateKeyPair(nil)
	path := filepath.Join(dir, "authorized")
	os.WriteFile(path, []byte("# the lab\n\n"+a.String()+"  alice's laptop\n  "+b.String()+"#bob\n"+c.String()+"\r\n"), 0o644)
	keys, err := LoadAuthorized(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[Key]string{a: "alice's laptop", b: "bob", c: path + ":5"}
	if len(keys) != len(want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	for k, label := range want {
		if keys[k] != label {
			t.Errorf("key %s labelled %q, want %q", k, keys[k], label)
		}
	}
	os.WriteFile(path, []byte(a.String()+"\nnot-a-key\n"), 0o644)
	if _, err := LoadAuthorized(path); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), ":2") {
		t.Errorf("bad line: %v, want ErrMalformed naming line 2", err)
	}
	if _, err := LoadAuthorized(filepath.Join(dir, "absent")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent: %v", err)
	}
	if keys, err := LoadAuthorized(t.TempDir()); err != nil || len(keys) != 0 {
		t.Errorf("empty directory: %v, %v", keys, err)
	}
}
