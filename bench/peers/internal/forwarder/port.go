package forwarder

import (
	"fmt"
	"net"
)

// FreePorts returns n distinct TCP ports free on 127.0.0.1 now (held open
// together while they are chosen, so they differ; another process may
// still take one before the forwarder binds it).
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("forwarder: free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
