//go:build !unix

package zmtp

import "io"

// tryWrite takes nothing where there is no non-blocking write(2): every
// message goes through the queue and the writer goroutine.
func (c *conn) tryWrite(b []byte) (int, error) { return 0, nil }

// readSource is what the connection's reader reads: nc itself.
func (c *conn) readSource() io.Reader { return c.nc }
