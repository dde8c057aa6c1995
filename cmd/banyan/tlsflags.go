package main

import (
	"crypto/tls"

	"github.com/gobanyan/banyan/internal/service"
	"github.com/spf13/pflag"
)

// tlsClientFlags are the TLS flags of the commands that connect to
// another bus (mqtt, nats): --tls, --cafile, --cert, --key, --insecure.
type tlsClientFlags struct {
	useTLS, insecure          bool
	caFile, certFile, keyFile string
}

// add adds the flags; server names the other side in their help ("broker",
// "server").
func (f *tlsClientFlags) add(fs *pflag.FlagSet, server string) {
	fs.BoolVar(&f.useTLS, "tls", false, "connect with TLS (implied by --cafile, --cert, --insecure)")
	fs.StringVar(&f.caFile, "cafile", "", "PEM file with the CA that signed the "+server+"'s certificate (default: system roots)")
	fs.StringVar(&f.certFile, "cert", "", "PEM client certificate for TLS")
	fs.StringVar(&f.keyFile, "key", "", "PEM key of the client certificate")
	fs.BoolVar(&f.insecure, "insecure", false, "do not verify the "+server+"'s TLS certificate (testing only)")
}

// config is the TLS configuration the flags ask for, or nil without TLS.
func (f *tlsClientFlags) config() (*tls.Config, error) {
	if !f.useTLS && f.caFile == "" && f.certFile == "" && !f.insecure {
		return nil, nil
	}
	return service.ClientTLS(f.caFile, f.certFile, f.keyFile, f.insecure)
}
