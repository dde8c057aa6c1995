// Package netaddr finds this host's LAN address the way Python Banyan does:
// the source address the kernel picks for a UDP socket "connected" to a
// public address. Connecting a UDP socket sends no packet.
package netaddr

import "net"

// LAN returns this host's LAN address, or "127.0.0.1" when there is no route.
func LAN() string {
	c, err := net.Dial("udp4", "8.8.8.8:1")
	if err != nil {
		return "127.0.0.1"
	}
	defer c.Close()
	if a, ok := c.LocalAddr().(*net.UDPAddr); ok && !a.IP.IsUnspecified() {
		return a.IP.String()
	}
	return "127.0.0.1"
}
