package firmatasim

import (
	"context"
	"fmt"
	"net"
	"sync"
)

// ServeTCP serves the device to each connection accepted on ln until ctx
// ends, then closes ln and the connections and returns nil when they have
// all ended. The board starts once, when ServeTCP does (with no boot
// window); each connection is a session on the running board, as with
// StandardFirmataWiFi or StandardFirmataEthernet: nothing is reset on
// connect and nothing is announced, the board only answers queries and
// reports. The error is Accept's if it fails otherwise.
func (d *Device) ServeTCP(ctx context.Context, ln net.Listener) error {
	d.boot()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer ln.Close()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("firmatasim: accept: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			err := d.run(ctx, conn, false)
			d.log.Debug("firmatasim: tcp session ended", "remote", conn.RemoteAddr().String(), "err", err)
		}()
	}
}
