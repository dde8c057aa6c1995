package launch

import (
	"errors"
	"os"
	"os/exec"
	"sync"
)

var errNoSubreaper = errors.New("child subreaper is only available on Linux")

// tracker knows every process a supervisor is responsible for: the
// children it started (roots, which exec.Cmd waits for), their process
// groups, and, on Linux, every descendant it has seen in /proc, including
// those that moved to a group or session of their own. Signals go to all of
// them, so the whole tree stops.
//
// As a child subreaper (Linux), orphaned descendants are re-parented to
// this process instead of init; the tracker reaps the ones it knows once
// they die, so no zombie lingers. It never waits for a process it does not
// know, so other children of the program are left to their owners.
type tracker struct {
	mu        sync.Mutex
	self      int
	subreaper bool
	roots     map[int]bool // running children we started
	groups    map[int]bool // their process groups, until empty
	known     map[int]bool // descendants and group members seen
}

func newTracker(subreaper bool) *tracker {
	return &tracker{self: os.Getpid(), subreaper: subreaper, roots: map[int]bool{}, groups: map[int]bool{}, known: map[int]bool{}}
}

// start starts cmd and records it, under the lock that observe takes, so
// observe never mistakes a new child for an adopted orphan.
func (t *tracker) start(cmd *exec.Cmd) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	pid := cmd.Process.Pid
	t.roots[pid] = true
	t.groups[pid] = true
	return nil
}

// exited forgets a child once exec.Cmd has waited for it.
func (t *tracker) exited(pid int) {
	t.mu.Lock()
	delete(t.roots, pid)
	t.mu.Unlock()
}

// observe updates the known descendants from /proc, forgets empty
// groups, and reaps known zombies that were re-parented to us.
func (t *tracker) observe() {
	t.mu.Lock()
	defer t.mu.Unlock()
	procs, ok := scanProcs()
	if !ok {
		for g := range t.groups {
			if !t.roots[g] && !groupExists(g) {
				delete(t.groups, g)
			}
		}
		return
	}
	children := map[int][]int{}
	liveGroups := map[int]bool{}
	for pid, p := range procs {
		children[p.ppid] = append(children[p.ppid], pid)
		liveGroups[p.pgid] = true
	}
	known := map[int]bool{}
	var queue []int
	add := func(pid int) {
		if !known[pid] && !t.roots[pid] && pid != t.self {
			known[pid] = true
			queue = append(queue, pid)
		}
	}
	for pid := range t.known {
		if _, ok := procs[pid]; ok {
			add(pid)
		}
	}
	for pid, p := range procs {
		if t.groups[p.pgid] {
			add(pid)
		}
	}
	for r := range t.roots {
		queue = append(queue, r)
	}
	for len(queue) > 0 {
		q := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, c := range children[q] {
			add(c)
		}
	}
	for g := range t.groups {
		if !liveGroups[g] && !t.roots[g] {
			delete(t.groups, g)
		}
	}
	if t.subreaper {
		for pid := range known {
			if p := procs[pid]; p.ppid == t.self && (p.state == 'Z' || p.state == 'X') {
				reap(pid)
				delete(known, pid)
			}
		}
	}
	t.known = known
}

// signal sends SIGTERM (SIGKILL when hard) to every group and every known
// descendant.
func (t *tracker) signal(hard bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for g := range t.groups {
		signalGroup(g, hard)
	}
	for pid := range t.known {
		signalProc(pid, hard)
	}
}

// alive reports whether any process we are responsible for still runs
// (zombies do not count).
func (t *tracker) alive() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	procs, ok := scanProcs()
	if !ok {
		for g := range t.groups {
			if groupExists(g) {
				return true
			}
		}
		return false
	}
	for pid, p := range procs {
		if p.state == 'Z' || p.state == 'X' {
			continue
		}
		if t.roots[pid] || t.known[pid] || t.groups[p.pgid] {
			return true
		}
	}
	return false
}
