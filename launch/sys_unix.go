//go:build unix

package launch

import "syscall"

// procAttr puts a child in a process group of its own, so that signals to
// the group reach everything it starts.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func sig(hard bool) syscall.Signal {
	if hard {
		return syscall.SIGKILL
	}
	return syscall.SIGTERM
}

// signalGroup sends SIGTERM (or SIGKILL when hard) to a process group.
func signalGroup(pgid int, hard bool) {
	if pgid > 1 {
		syscall.Kill(-pgid, sig(hard))
	}
}

// signalProc sends SIGTERM (or SIGKILL when hard) to one process.
func signalProc(pid int, hard bool) {
	if pid > 1 {
		syscall.Kill(pid, sig(hard))
	}
}

// groupExists reports whether a process group still has members
// (zombies included).
func groupExists(pgid int) bool { return pgid > 1 && syscall.Kill(-pgid, 0) == nil }
