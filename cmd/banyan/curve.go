package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/backplane"
	"github.com/gobanyan/banyan/internal/curve"
	"github.com/spf13/pflag"
)

// Environment variables that give a component's CURVE flags, so that a
// launch file does not repeat them on every row.
const (
	envCurveServerKey = "BANYAN_CURVE_SERVER_KEY"
	envCurveKey       = "BANYAN_CURVE_KEY"
)

// curveClientFlags are a component's CURVE flags: the backplane's public
// key and the component's own secret certificate.
type curveClientFlags struct {
	serverKey string
	keyFile   string
}

func (f *curveClientFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.serverKey, "curve-server-key", "", "the backplane's CURVE public key (40 Z85 characters) or a file holding it (a czmq certificate, or a first line of Z85); with --curve-key, connect with CURVE encryption and authentication (default $"+envCurveServerKey+")")
	fs.StringVar(&f.keyFile, "curve-key", "", "this component's CURVE secret certificate (as banyan keygen writes it: NAME_secret) or a file whose first line is a Z85 secret key (default $"+envCurveKey+")")
}

// option returns WithCurve for the flags (or the environment), nil when
// neither gives a key.
func (f *curveClientFlags) option() (banyan.Option, error) {
	server, key := f.serverKey, f.keyFile
	if server == "" {
		server = os.Getenv(envCurveServerKey)
	}
	if key == "" {
		key = os.Getenv(envCurveKey)
	}
	switch {
	case server == "" && key == "":
		return nil, nil
	case server == "":
		return nil, errors.New("--curve-key needs --curve-server-key (or $" + envCurveServerKey + "): the backplane's public key")
	case key == "":
		return nil, errors.New("--curve-server-key needs --curve-key (or $" + envCurveKey + "): this component's secret certificate")
	}
	sk, err := curve.LoadPublic(server)
	if err != nil {
		return nil, fmt.Errorf("--curve-server-key: %w", err)
	}
	pub, sec, err := curve.LoadSecret(key)
	if err != nil {
		return nil, fmt.Errorf("--curve-key: %w", err)
	}
	return banyan.WithCurve(sk, pub, sec), nil
}

// curveServerFlags are the backplane's CURVE flags.
type curveServerFlags struct {
	secretFile string
	authorized string
}

func (f *curveServerFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.secretFile, "curve-secret-key", "", "turn on CURVE encryption and authentication on both ports with this secret certificate (banyan keygen NAME writes NAME_secret) or a file whose first line is a Z85 secret key; components then need --curve-server-key and --curve-key, and Python Banyan components cannot connect")
	fs.StringVar(&f.authorized, "authorized-keys", "", "with --curve-secret-key, admit only these client public keys: a directory of public certificates (as czmq's zcertstore reads it) or a file of Z85 keys, one per line (# comments); reloaded on SIGHUP, closing the connections whose key was removed (default: any key is admitted)")
}

// apply sets the backplane's CURVE options, and returns the reload to run
// on SIGHUP (nil without --authorized-keys).
func (f *curveServerFlags) apply(o *backplane.Options) (reload func(*backplane.Backplane, *slog.Logger), err error) {
	if f.secretFile == "" {
		if f.authorized != "" {
			return nil, errors.New("--authorized-keys needs --curve-secret-key")
		}
		return nil, nil
	}
	_, sec, err := curve.LoadSecret(f.secretFile)
	if err != nil {
		return nil, fmt.Errorf("--curve-secret-key: %w", err)
	}
	o.CurveSecretKey = sec
	if f.authorized == "" {
		return nil, nil
	}
	var keys atomic.Pointer[map[curve.Key]string]
	load := func() (int, error) {
		m, err := curve.LoadAuthorized(f.authorized)
		if err != nil {
			return 0, fmt.Errorf("--authorized-keys: %w", err)
		}
		keys.Store(&m)
		return len(m), nil
	}
	if _, err := load(); err != nil {
		return nil, err
	}
	o.Authorize = func(k [32]byte) error {
		if _, ok := (*keys.Load())[curve.Key(k)]; !ok {
			return errors.New("not in --authorized-keys")
		}
		return nil
	}
	return func(bp *backplane.Backplane, log *slog.Logger) {
		n, err := load()
		if err != nil {
			log.Error("SIGHUP: keeping the authorized keys loaded before", "err", err)
			return
		}
		closed := bp.Reauthorize()
		log.Warn("SIGHUP: authorized keys reloaded", "path", f.authorized, "keys", n, "connections_closed", closed)
	}, nil
}

// onSIGHUP runs f on every SIGHUP until stop is closed.
func onSIGHUP(stop <-chan struct{}, f func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	go func() {
		defer signal.Stop(ch)
		for {
			select {
			case <-ch:
				f()
			case <-stop:
				return
			}
		}
	}()
}

// curveBanner is the banner's line for a CURVE backplane.
func curveBanner(w io.Writer, bp *backplane.Backplane, authorized string) {
	if k := bp.CurvePublicKey(); k != "" {
		who := "any client key"
		if authorized != "" {
			who = "the keys in " + authorized
		}
		fmt.Fprintf(w, "CURVE on: server public key %s; admitting %s\n", k, who)
	}
}
