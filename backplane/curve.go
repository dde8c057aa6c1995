package backplane

import (
	"github.com/gobanyan/banyan/internal/curve"
	"github.com/gobanyan/banyan/internal/zmtp"
)

// authorize is the CURVE server's check of a client's key: Options.Authorize,
// counted when it refuses (zmtp logs the refused handshake with the
// client's address and key).
func (b *Backplane) authorize(key curve.Key) error {
	if b.opts.Authorize == nil {
		return nil
	}
	if err := b.opts.Authorize(key); err != nil {
		b.unauthorized.Add(1)
		return err // curve's Server wraps it in ErrUnauthorized
	}
	return nil
}

// CurvePublicKey is the backplane's long-term CURVE public key in Z85 (what
// components give as the server key), or "" without CURVE.
func (b *Backplane) CurvePublicKey() string {
	if b.curvePublic == (curve.Key{}) {
		return ""
	}
	return b.curvePublic.String()
}

// Reauthorize asks Options.Authorize again about every connected
// component's key and closes the connections it now refuses (after a
// reload of the authorized keys, for example), returning how many. It does
// nothing without CURVE or without Authorize.
func (b *Backplane) Reauthorize() int {
	if b.curvePublic == (curve.Key{}) || b.opts.Authorize == nil {
		return 0
	}
	refused := func(p zmtp.PeerInfo) bool {
		if p.CurveKey == (curve.Key{}) {
			return false
		}
		if err := b.opts.Authorize(p.CurveKey); err != nil {
			b.log.Warn("CURVE client's key no longer authorized: closing its connection", "key", p.CurveKey.String(), "remote", p.Remote)
			return true
		}
		return false
	}
	return b.sub.CloseWhere(refused) + b.pub.CloseWhere(refused)
}
