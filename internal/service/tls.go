package service

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
)

// BadCertificate reports whether err says that a server's TLS certificate
// does not verify (unknown authority, wrong host name, invalid): a
// connection failure that retrying cannot cure.
func BadCertificate(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid)
}
