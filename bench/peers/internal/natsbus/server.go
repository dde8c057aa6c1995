package natsbus

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// MaxPayload is the largest message Serve's server accepts: 8 MiB, room
// for the 4 MiB messages of the size curve (the server's default is 1 MiB).
const MaxPayload = 8 << 20

// Serve starts an embedded nats-server on host:port (port -1: a free one),
// without logging or signal handlers, and returns once it accepts
// connections. Shutdown stops it.
func Serve(host string, port int) (*server.Server, error) {
	// A server that cannot listen says so only by never becoming ready:
	// try the port first.
	if port > 0 {
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return nil, fmt.Errorf("natsbus: %w", err)
		}
		l.Close()
	}
	s, err := server.NewServer(&server.Options{
		Host:       host,
		Port:       port,
		NoLog:      true,
		NoSigs:     true,
		MaxPayload: MaxPayload,
	})
	if err != nil {
		return nil, fmt.Errorf("natsbus: new server: %w", err)
	}
	s.Start()
	if !s.ReadyForConnections(30 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("natsbus: server on %s:%d not ready after 30 s", host, port)
	}
	return s, nil
}
