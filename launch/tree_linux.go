package launch

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// pinfo is one line of the process table.
type pinfo struct {
	ppid, pgid int
	state      byte // R, S, D, Z, X, ...
}

// scanProcs reads the process table from /proc. ok is false when it cannot.
func scanProcs() (map[int]pinfo, bool) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, false
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, false
	}
	out := make(map[int]pinfo, len(names))
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + n + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// "pid (comm) S ppid pgrp ...": comm may hold spaces and parentheses.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 3 || len(f[0]) == 0 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		pgid, _ := strconv.Atoi(f[2])
		out[pid] = pinfo{ppid: ppid, pgid: pgid, state: f[0][0]}
	}
	return out, true
}

const (
	prSetChildSubreaper = 36
	prGetChildSubreaper = 37
)

// setSubreaper makes this process the reaper of orphaned descendants
// (PR_SET_CHILD_SUBREAPER). It returns a function that restores the
// previous setting.
func setSubreaper() (restore func(), err error) {
	var prev int32
	syscall.RawSyscall(syscall.SYS_PRCTL, prGetChildSubreaper, uintptr(unsafe.Pointer(&prev)), 0)
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); e != 0 {
		return func() {}, e
	}
	return func() {
		if prev == 0 {
			syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 0, 0)
		}
	}, nil
}

// reap collects the exit status of an adopted zombie.
func reap(pid int) {
	var ws syscall.WaitStatus
	syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
}
