package curve

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAppendCertificate(t *testing.T) {
	pub, _ := ParseKey("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID")
	sec, _ := ParseKey("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs")
	when := time.Date(2026, 12, 7, 16, 5, 9, 0, time.UTC)
	want := `#   ****  Generated on 2026-12-07 16:05:09 by CZMQ  ****
#   ZeroMQ CURVE **Secret** Certificate
#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

metadata
curve
    public-key = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
    secret-key = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"
`
	if got := string(AppendCertificate(nil, pub, &sec, when)); got != want {
		t.Errorf("secret certificate:\n%s\nwant:\n%s", got, want)
	}
	got := string(AppendCertificate(nil, pub, nil, when))
	if !strings.Contains(got, "#   ZeroMQ CURVE Public Certificate\n") || strings.Contains(got, "secret") ||
		!strings.HasSuffix(got, "\nmetadata\ncurve\n    public-key = \"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID\"\n") {
		t.Errorf("public certificate:\n%s", got)
	}
}

func TestWriteAndReadCertificate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "server")
	pub, sec, err := GenerateKeyPair(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteCertificate(path, pub, sec, false); err != nil {
		t.Fatal(err)
	}
	for p, mode := range map[string]os.FileMode{path: 0o644, path + "_secret": 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v", p, st.Mode().Perm(), mode)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d files in the directory, want 2 (no temporary files left)", len(entries))
	}
	// Public half.
	p, _, hasSecret, err := ReadKeyFile(path)
	if err != nil || p != pub || hasSecret {
		t.Errorf("ReadKeyFile(public) = %s, %v, %v", p, hasSecret, err)
	}
	if _, _, err := LoadSecret(path); !errors.Is(err, ErrNoSecret) {
		t.Errorf("LoadSecret(public certificate): %v, want ErrNoSecret", err)
	}
	// Secret half.
	p, s, hasSecret, err := ReadKeyFile(path + "_secret")
	if err != nil || p != pub || s != sec || !hasSecret {
		t.Errorf("ReadKeyFile(secret) = %s, %s, %v, %v", p, s, hasSecret, err)
	}
	if p, s, err := LoadSecret(path + "_secret"); err != nil || p != pub || s != sec {
		t.Errorf("LoadSecret = %s, %s, %v", p, s, err)
	}
	for _, arg := range []string{path, path + "_secret", pub.String()} {
		if k, err := LoadPublic(arg); err != nil || k != pub {
			t.Errorf("LoadPublic(%s) = %s, %v", arg, k, err)
		}
	}
	// No overwriting unless asked.
	pub2, sec2, _ := GenerateKeyPair(nil)
	if err := WriteCertificate(path, pub2, sec2, false); !errors.Is(err, os.ErrExist) {
		t.Errorf("second WriteCertificate: %v, want ErrExist", err)
	}
	if err := WriteCertificate(path, pub2, sec2, true); err != nil {
		t.Fatal(err)
	}
	if p, s, err := LoadSecret(path + "_secret"); err != nil || p != pub2 || s != sec2 {
		t.Errorf("after overwrite: %s, %s, %v", p, s, err)
	}
	if st, _ := os.Stat(path + "_secret"); st.Mode().Perm() != 0o600 {
		t.Errorf("overwritten secret file has mode %v", st.Mode().Perm())
	}
	// Only the secret half there: still refused.
	os.Remove(path)
	if err := WriteCertificate(path, pub, sec, false); !errors.Is(err, os.ErrExist) {
		t.Errorf("WriteCertificate over a secret file: %v, want ErrExist", err)
	}
}

func TestPlainKeyFiles(t *testing.T) {
	dir := t.TempDir()
	pub, sec, _ := GenerateKeyPair(nil)
	secretFile := filepath.Join(dir, "secret.z85")
	os.WriteFile(secretFile, []byte(sec.String()+"\r\nanything after the first line\n"), 0o600)
	if p, s, err := LoadSecret(secretFile); err != nil || p != pub || s != sec {
		t.Errorf("LoadSecret(plain) = %s, %s, %v", p, s, err)
	}
	publicFile := filepath.Join(dir, "public.z85")
	os.WriteFile(publicFile, []byte("  "+pub.String()+"  "), 0o644)
	if k, err := LoadPublic(publicFile); err != nil || k != pub {
		t.Errorf("LoadPublic(plain) = %s, %v", k, err)
	}
	for name, content := range map[string]string{
		"empty":     "",
		"short":     "HelloWorld\n",
		"nokey":     "metadata\ncurve\n",
		"badkey":    "curve\n    public-key = \"HelloWorld\"\n",
		"mismatch":  "curve\n    public-key = \"" + pub.String() + "\"\n    secret-key = \"" + pub.String() + "\"\n",
		"not zpl":   "\tcurve\n",
		"badsecret": "curve\n    secret-key = \"nope\"\n",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		if _, _, _, err := ReadKeyFile(p); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
	big := filepath.Join(dir, "big")
	os.WriteFile(big, []byte(sec.String()+"\n"+strings.Repeat("#", MaxKeyFile)), 0o600)
	if _, _, err := LoadSecret(big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("file over 64 KiB: %v, want ErrTooLarge", err)
	}
	// '_' is not Z85: the path can never read as a key, whatever its length
	// (a 40-character path of Z85 characters that names no file is a key).
	if _, err := LoadPublic(filepath.Join(dir, "absent_file")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent file: %v", err)
	}
	if _, err := LoadPublic("HelloWorldHelloWorldHelloWorldHelloWorl~"); err == nil {
		t.Error("LoadPublic of 40 bad characters succeeded")
	}
}

func TestZPL(t *testing.T) {
	root, err := parseZPL([]byte(`# comment
context
    iothreads = 1
    verbose = 1      #   Ask for a trace
main
    type = zqueue    #  ZMQ_DEVICE type
    frontend
        option
            hwm = 1000
            swap = "25000000 # not a comment"
        bind = 'inproc://addr1'
  
curve
    public-key = "abc"
`))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"context/iothreads":         "1",
		"context/verbose":           "1",
		"main/type":                 "zqueue",
		"main/frontend/option/hwm":  "1000",
		"main/frontend/option/swap": "25000000 # not a comment",
		"main/frontend/bind":        "inproc://addr1",
		"curve/public-key":          "abc",
		"main/frontend":             "",
	} {
		if got, ok := root.lookup(path); !ok || got != want {
			t.Errorf("%s = %q, %v; want %q", path, got, ok, want)
		}
	}
	if _, ok := root.lookup("main/backend"); ok {
		t.Error("main/backend found")
	}
	for _, bad := range []string{
		"a\n        b\n",   // two levels at once
		"a\n   b\n",        // 3 spaces
		"\tb\n",            // tab
		"a = \"open\n",     // unterminated
		"a = \"v\" junk\n", // text after a quoted value
		"a b\n",            // no '='
		"=x\n",             // no name
		strings.Repeat("a\n", maxZPLNodes+1),
	} {
		if _, err := parseZPL([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("parseZPL(%.20q): %v, want ErrMalformed", bad, err)
		}
	}
	var deep strings.Builder
	for i := 0; i < maxZPLDepth+1; i++ {
		deep.WriteString(strings.Repeat("    ", i) + "a\n")
	}
	if _, err := parseZPL([]byte(deep.String())); !errors.Is(err, ErrMalformed) {
		t.Errorf("ZPL %d levels deep: %v", maxZPLDepth+1, err)
	}
}
