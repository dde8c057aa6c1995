//go:build windows

package launch

import (
	"os"
	"syscall"
)

// procAttr starts a child in a new process group.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

// signalGroup terminates the group's leader (Windows has no group signals
// for console-less children; SIGTERM and SIGKILL both terminate).
func signalGroup(pgid int, hard bool) { signalProc(pgid, hard) }

// signalProc terminates one process.
func signalProc(pid int, hard bool) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}

// groupExists cannot be told on Windows; the supervisor waits for its own
// children only.
func groupExists(int) bool { return false }
