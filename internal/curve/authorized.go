package curve

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Limits of LoadAuthorized.
const (
	// MaxAuthorizedFile bounds a file of Z85 keys, one per line.
	MaxAuthorizedFile = 8 << 20
	// MaxAuthorizedCerts bounds the certificates read from a directory.
	MaxAuthorizedCerts = 100000
)

// LoadAuthorized reads the client public keys a server admits, with a label
// for each (for logs). path is either
//
//   - a directory of public certificates, read as czmq's zcertstore reads
//     one: every regular file in it and its subdirectories, except names
//     that end in "_secret" or start with '.', and except files that are
//     unreadable or not certificates; the label is the file's path relative
//     to the directory; or
//   - a file with one Z85 public key per line: blank lines and lines
//     starting with '#' are skipped, and text after the key (an optional
//     '#' and a name) is its label, "path:line" when there is none. A line
//     that is not a key fails the whole load.
func LoadAuthorized(path string) (map[Key]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("curve: authorized keys: %w", err)
	}
	if st.IsDir() {
		return loadAuthorizedDir(path)
	}
	data, err := readBounded(path, MaxAuthorizedFile)
	if err != nil {
		return nil, err
	}
	keys, err := parseAuthorized(data, path)
	if err != nil {
		return nil, fmt.Errorf("curve: authorized keys: %w", err)
	}
	return keys, nil
}

// parseAuthorized parses a file of Z85 keys, one per line.
func parseAuthorized(data []byte, name string) (map[Key]string, error) {
	keys := map[Key]string{}
	for lineNo := 1; len(data) > 0; lineNo++ {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		text := strings.TrimSpace(string(line))
		if text == "" || text[0] == '#' {
			continue
		}
		// A key is 40 characters, '#' among them ('#' is a Z85 digit but
		// never a key's first): the label is what follows, after blanks
		// or a '#'.
		z85, label := text, ""
		if len(text) > 40 {
			z85, label = text[:40], text[40:]
			if label[0] != ' ' && label[0] != '\t' && label[0] != '#' {
				return nil, fmt.Errorf("%s:%d: %w: text right after the key", name, lineNo, ErrMalformed)
			}
		}
		k, err := ParseKey(z85)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, lineNo, err)
		}
		label = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(label), "#"))
		if label == "" {
			label = fmt.Sprintf("%s:%d", name, lineNo)
		}
		keys[k] = label
	}
	return keys, nil
}

// loadAuthorizedDir reads every public certificate under dir.
func loadAuthorizedDir(dir string) (map[Key]string, error) {
	keys := map[Key]string{}
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // unreadable: skipped, as zcertstore does
		}
		name := d.Name()
		if p != dir && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasSuffix(name, SecretSuffix) {
			return nil
		}
		if files++; files > MaxAuthorizedCerts {
			return fmt.Errorf("%w: more than %d files under %s", ErrTooLarge, MaxAuthorizedCerts, dir)
		}
		kf, err := loadKeyFile(p)
		if err != nil || kf.plain {
			return nil // not a certificate: skipped, as zcertstore does
		}
		label, rerr := filepath.Rel(dir, p)
		if rerr != nil {
			label = p
		}
		keys[kf.public] = label
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("curve: authorized keys: %w", err)
	}
	return keys, nil
}
