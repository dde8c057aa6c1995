//go:build !linux

package launch

// pinfo is one line of the process table.
type pinfo struct {
	ppid, pgid int
	state      byte
}

// scanProcs is only implemented on Linux; elsewhere the supervisor works
// with process groups alone.
func scanProcs() (map[int]pinfo, bool) { return nil, false }

// setSubreaper is Linux-only.
func setSubreaper() (func(), error) { return func() {}, errNoSubreaper }

func reap(int) {}
