package curve

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// MaxKeyFile is the largest key file or certificate read: a certificate is
// a few hundred bytes, so anything bigger is not one.
const MaxKeyFile = 64 << 10

// SecretSuffix is appended to a certificate's name for its secret half,
// as czmq's zcert_save names it.
const SecretSuffix = "_secret"

// AppendCertificate appends a czmq certificate in ZPL, as zcert_save
// writes it: the comment header with the time of creation, an empty
// metadata section and the curve section with the public key and, when
// secret is not nil, the secret key.
func AppendCertificate(dst []byte, public Key, secret *Key, created time.Time) []byte {
	dst = fmt.Appendf(dst, "#   ****  Generated on %s by CZMQ  ****\n", created.Format("2006-01-02 15:04:05"))
	if secret == nil {
		dst = append(dst, "#   ZeroMQ CURVE Public Certificate\n"+
			"#   Exchange securely, or use a secure mechanism to verify the contents\n"+
			"#   of this file after exchange. Store public certificates in your home\n"+
			"#   directory, in the .curve subdirectory.\n"...)
	} else {
		dst = append(dst, "#   ZeroMQ CURVE **Secret** Certificate\n"+
			"#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n"...)
	}
	dst = append(dst, "\nmetadata\ncurve\n"...)
	dst = fmt.Appendf(dst, "    public-key = \"%s\"\n", public)
	if secret != nil {
		dst = fmt.Appendf(dst, "    secret-key = \"%s\"\n", *secret)
	}
	return dst
}

// WriteCertificate writes a key pair as the two files of a czmq
// certificate: path (public key, mode 0644) and path+"_secret" (both keys,
// mode 0600). Unless overwrite is set, it refuses, before writing
// anything, when either file exists. Each file is written under a
// temporary name and then linked (or, to overwrite, renamed) into place,
// so no reader sees half a file.
func WriteCertificate(path string, public, secret Key, overwrite bool) error {
	secretPath := path + SecretSuffix
	if !overwrite {
		for _, p := range []string{path, secretPath} {
			if _, err := os.Lstat(p); err == nil {
				return fmt.Errorf("curve: %s exists (overwrite it with --force): %w", p, os.ErrExist)
			}
		}
	}
	now := time.Now()
	if err := writeFile(secretPath, AppendCertificate(nil, public, &secret, now), 0o600, overwrite); err != nil {
		return err
	}
	return writeFile(path, AppendCertificate(nil, public, nil, now), 0o644, overwrite)
}

// writeFile writes data to a temporary file beside path with the given
// mode, then moves it to path: a hard link when path must not exist (which
// fails if it appeared meanwhile), a rename otherwise.
func writeFile(path string, data []byte, mode os.FileMode, overwrite bool) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("curve: writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	err = f.Chmod(mode) // CreateTemp makes 0600; the umask does not apply to Chmod
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if overwrite {
			err = os.Rename(tmp, path)
		} else {
			err = os.Link(tmp, path)
		}
	}
	if err != nil {
		return fmt.Errorf("curve: writing %s: %w", path, err)
	}
	return nil
}

// readBounded reads a whole file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("curve: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("curve: reading %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: %s is over %d bytes", ErrTooLarge, path, limit)
	}
	return data, nil
}

// keyFile is what a key file holds.
type keyFile struct {
	public, secret       Key
	hasPublic, hasSecret bool
	plain                bool // a bare Z85 key; public holds it
}

// parseKeyFile reads a czmq certificate (public or secret) or a plain file
// whose first line is a Z85 key.
func parseKeyFile(data []byte) (keyFile, error) {
	var kf keyFile
	first := data
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	if k, err := ParseKey(strings.TrimSpace(string(first))); err == nil {
		kf.public, kf.hasPublic, kf.plain = k, true, true
		return kf, nil
	}
	root, err := parseZPL(data)
	if err != nil {
		return kf, fmt.Errorf("neither a Z85 key line nor a certificate: %w", err)
	}
	if s, ok := root.lookup("curve/public-key"); ok {
		if kf.public, err = ParseKey(s); err != nil {
			return kf, fmt.Errorf("public-key: %w", err)
		}
		kf.hasPublic = true
	}
	if s, ok := root.lookup("curve/secret-key"); ok {
		if kf.secret, err = ParseKey(s); err != nil {
			return kf, fmt.Errorf("secret-key: %w", err)
		}
		kf.hasSecret = true
		pub := PublicFromSecret(kf.secret)
		if kf.hasPublic && pub != kf.public {
			return kf, fmt.Errorf("%w: public-key does not belong to secret-key", ErrMalformed)
		}
		kf.public, kf.hasPublic = pub, true
	}
	if !kf.hasPublic {
		return kf, fmt.Errorf("%w: certificate has no curve/public-key", ErrMalformed)
	}
	return kf, nil
}

func loadKeyFile(path string) (keyFile, error) {
	data, err := readBounded(path, MaxKeyFile)
	if err != nil {
		return keyFile{}, err
	}
	kf, err := parseKeyFile(data)
	if err != nil {
		return kf, fmt.Errorf("curve: %s: %w", path, err)
	}
	return kf, nil
}

// ReadKeyFile reads a czmq certificate, public or secret, or a plain file
// whose first line is a Z85 key (of at most MaxKeyFile bytes). From a
// secret certificate it returns both keys and hasSecret; from a public one
// the public key. A plain file says not which kind its key is: ReadKeyFile
// returns it as public, with hasSecret false; LoadSecret reads it as a
// secret key.
func ReadKeyFile(path string) (public, secret Key, hasSecret bool, err error) {
	kf, err := loadKeyFile(path)
	return kf.public, kf.secret, kf.hasSecret, err
}

// LoadSecret reads a key pair from a secret certificate or from a plain
// file whose first line is a Z85 secret key (the public key is derived).
// A public certificate fails with ErrNoSecret.
func LoadSecret(path string) (public, secret Key, err error) {
	kf, err := loadKeyFile(path)
	switch {
	case err != nil:
		return public, secret, err
	case kf.plain:
		return PublicFromSecret(kf.public), kf.public, nil
	case !kf.hasSecret:
		return public, secret, fmt.Errorf("%w: %s is a public certificate", ErrNoSecret, path)
	}
	return kf.public, kf.secret, nil
}

// LoadPublic returns a public key given as 40 Z85 characters, or read from
// a certificate (public or secret) or a plain file whose first line is a
// Z85 public key.
func LoadPublic(keyOrPath string) (Key, error) {
	if k, err := ParseKey(keyOrPath); err == nil {
		if _, serr := os.Stat(keyOrPath); serr != nil { // a file of that name wins
			return k, nil
		}
	}
	kf, err := loadKeyFile(keyOrPath)
	if err != nil {
		return Key{}, err
	}
	return kf.public, nil
}
