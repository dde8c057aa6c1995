package mqtt

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan/internal/testbp"
	"github.com/gobanyan/banyan/internal/testpeer"
)

// TestTLSAndPassword: a broker that requires TLS and a password; the
// bridge connects with both and forwards; wrong credentials or an unknown
// CA fail Connect with ErrBroker.
func TestTLSAndPassword(t *testing.T) {
	passwd := testpeer.Command(t, "mosquitto_passwd")
	dir := t.TempDir()
	pool, caFile, certFile, keyFile := testbp.Certs(t, dir)
	pwFile := filepath.Join(dir, "passwd")
	if out, err := exec.Command(passwd, "-b", "-c", pwFile, "bridge", "s3cret").CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_passwd: %v: %s", err, out)
	}
	extra := []string{"cafile " + caFile, "certfile " + certFile, "keyfile " + keyFile,
		"allow_anonymous false", "password_file " + pwFile}
	if os.Getuid() == 0 {
		extra = append(extra, "user root") // else mosquitto drops to user mosquitto and cannot read t.TempDir()
	}
	br := startBroker(t, extra...)
	tb := startBackplane(t)

	b := startBridge(t, tb, br, Options{TLS: &tls.Config{RootCAs: pool}, Username: "bridge", Password: "s3cret"})
	if u := brokerURL(b.Options()); u[:6] != "ssl://" {
		t.Errorf("broker URL %q", u)
	}
	c := tb.component(t, "from_mqtt")
	// The other end: mosquitto_pub with the same CA and password.
	br.pub("--cafile", caFile, "-u", "bridge", "-P", "s3cret", "-t", "mqtt_network", "-m", `{"secure": true}`)
	if m := testbp.Next(t, c); !bytes.Equal(m.Payload, ordered(t, "secure", true)) {
		t.Fatalf("got % x", m.Payload)
	}

	// Refusals that retrying cannot cure end Connect at once, with the
	// reason; others after ConnectTimeout.
	for name, c := range map[string]struct {
		o    Options
		want string
	}{
		"wrong password": {Options{TLS: &tls.Config{RootCAs: pool}, Username: "bridge", Password: "nope"}, "not Authorized"},
		"unknown CA":     {Options{TLS: &tls.Config{}, Username: "bridge", Password: "s3cret"}, "certificate signed by unknown authority"},
		"no TLS":         {Options{Username: "bridge", Password: "s3cret"}, "not connected within"},
	} {
		o := c.o
		o.Backplane, o.Broker, o.Port, o.Logger, o.ConnectTimeout = tb.Options(), "127.0.0.1", br.port, quietLog, time.Second
		b, err := New(context.Background(), o)
		if err == nil {
			b.Close()
		}
		if !errors.Is(err, ErrBroker) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrBroker with %q", name, err, c.want)
		}
	}
}
