package backplane

import (
	"fmt"

	"github.com/gobanyan/banyan/internal/curve"
	"github.com/gobanyan/banyan/internal/zmtp"
)

// authorize is the CURVE server's check of a client's key: Options.Authorize,
// logged and counted when it refuses.
func (b *Backplane) authorize(key curve.Key) error {
	if b.opts.Authorize == nil {
		return nil
	}
	if err := b.opts.Authorize(key); err != nil {
		n := b.unauthorized.Add(1)
		b.log.Warn("CURVE client refused: its key is not authorized (the handshake failure that follows names its address)",
			"key", key.String(), "err", err, "refused_total", n)
		return fmt.Errorf("%w: %w", curve.ErrUnauthorized, err)
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
