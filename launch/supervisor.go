package launch

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ProcessOptions configure how local processes are run and supervised, by
// the launcher and the launch client alike. The zero value is usable.
type ProcessOptions struct {
	// Output receives child output, each line prefixed with the process's
	// name, and the launcher's own event lines. nil means os.Stdout.
	Output io.Writer
	// LogDir, when set, sends each child's output to <LogDir>/<name>.log
	// (appended) instead of Output.
	LogDir string
	// Terminal is the terminal command for spawn=yes rows, such as
	// ["xterm", "-e"] or ["gnome-terminal", "--"]: the row's words follow
	// it. Without it such rows run in place, with a note.
	Terminal []string
	// MaxRestarts is how many restarts in a row, each after the process
	// ran for less than StableAfter, are tried before a crash loop is
	// reported and the process is given up. 0 means 5; negative, no limit.
	MaxRestarts int
	// Backoff is the first restart delay (default 500 ms); it doubles with
	// each quick exit in a row, up to MaxBackoff (default 30 s).
	Backoff    time.Duration
	MaxBackoff time.Duration
	// StableAfter is how long a process must run for its next exit to
	// count as a new start rather than part of a crash loop (default 10 s).
	StableAfter time.Duration
	// KillTimeout is how long stopping waits after SIGTERM before SIGKILL
	// (default 5 s).
	KillTimeout time.Duration
	// Subreaper (Linux) makes this program the reaper of its children's
	// orphans, so a stopped tree leaves no zombie behind even when init
	// reaps slowly or this program is PID 1 in a container. It changes a
	// process-wide setting for as long as the launcher runs.
	Subreaper bool
}

func (o ProcessOptions) withDefaults() ProcessOptions {
	if o.Output == nil {
		o.Output = os.Stdout
	}
	if o.MaxRestarts == 0 {
		o.MaxRestarts = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = 500 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	if o.StableAfter <= 0 {
		o.StableAfter = 10 * time.Second
	}
	if o.KillTimeout <= 0 {
		o.KillTimeout = 5 * time.Second
	}
	return o
}

var errStopping = errors.New("stopping")

// supervisor runs local processes: each in its own process group, its
// exit noticed at once by Wait, restarted with backoff when asked, and
// stopped with its whole tree.
type supervisor struct {
	o    ProcessOptions
	log  *slog.Logger
	out  *output
	tr   *tracker
	self string // name for the supervisor's own event lines

	mu       sync.Mutex
	procs    []*proc
	stopping bool
	pipes    map[*os.File]bool // read ends still being copied
	readers  sync.WaitGroup
	restore  func()
}

type proc struct {
	name  string
	entry Entry
	argv  []string

	mu sync.Mutex
	st ProcessStatus

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

func newSupervisor(o ProcessOptions, out *output, log *slog.Logger, self string) *supervisor {
	o = o.withDefaults()
	s := &supervisor{o: o, log: log, out: out, tr: newTracker(o.Subreaper), self: self, pipes: map[*os.File]bool{}, restore: func() {}}
	if o.Subreaper {
		restore, err := setSubreaper()
		if err != nil {
			log.Debug("cannot become child subreaper; orphans are left to init", "err", err)
			s.tr.subreaper = false
		}
		s.restore = restore
	}
	out.fit(self)
	return s
}

func (p *proc) status() ProcessStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st
}

func (p *proc) set(f func(*ProcessStatus)) {
	p.mu.Lock()
	f(&p.st)
	p.mu.Unlock()
}

func (p *proc) stopped() bool {
	select {
	case <-p.stop:
		return true
	default:
		return false
	}
}

// launch starts e now and supervises it from then on. It returns the
// first start's PID, or why it could not be started (the process is then
// in state failed, and not retried).
func (s *supervisor) launch(e Entry) (*proc, int, error) {
	p := &proc{name: e.Name, entry: e, argv: e.Args, stop: make(chan struct{}), done: make(chan struct{})}
	p.st = ProcessStatus{Name: e.Name, Command: e.Command, Where: e.Topic, State: StatePending}
	if e.Spawn {
		if len(s.o.Terminal) > 0 {
			p.argv = append(append([]string{}, s.o.Terminal...), e.Args...)
		} else {
			s.out.printf(s.self, "%s: spawn=yes but no terminal is configured (--terminal): running it here", e.Name)
		}
	}
	s.out.fit(e.Name)
	s.mu.Lock()
	s.procs = append(s.procs, p)
	s.mu.Unlock()
	cmd, started, err := s.startOnce(p)
	if errors.Is(err, errStopping) {
		p.set(func(st *ProcessStatus) { st.State = StateStopped })
		close(p.done)
		return p, 0, err
	}
	if err != nil {
		p.set(func(st *ProcessStatus) { st.State, st.Error = StateFailed, err.Error() })
		close(p.done)
		s.out.printf(s.self, "%s: cannot start %s: %v", e.Name, e.Command, err)
		return p, 0, err
	}
	go s.supervise(p, cmd, started)
	return p, cmd.Process.Pid, nil
}

// startOnce starts p's command with its output wired up.
func (s *supervisor) startOnce(p *proc) (*exec.Cmd, time.Time, error) {
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Dir = p.entry.Dir
	if len(p.entry.Env) > 0 {
		cmd.Env = append(os.Environ(), p.entry.Env...)
	}
	cmd.SysProcAttr = procAttr()
	var after func(started bool)
	if s.o.LogDir != "" {
		f, err := os.OpenFile(filepath.Join(s.o.LogDir, fileName(p.name)+".log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return nil, time.Time{}, err
		}
		fmt.Fprintf(f, "--- %s: starting %s\n", time.Now().Format(time.RFC3339), p.entry.Command)
		cmd.Stdout, cmd.Stderr = f, f
		after = func(bool) { f.Close() }
	} else {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, time.Time{}, err
		}
		cmd.Stdout, cmd.Stderr = w, w
		after = func(started bool) {
			w.Close()
			if !started {
				r.Close()
				return
			}
			s.mu.Lock()
			s.pipes[r] = true
			s.readers.Add(1)
			s.mu.Unlock()
			go func() {
				defer s.readers.Done()
				s.out.copyLines(p.name, r)
				s.mu.Lock()
				delete(s.pipes, r)
				s.mu.Unlock()
				r.Close()
			}()
		}
	}
	s.mu.Lock()
	if s.stopping || p.stopped() {
		s.mu.Unlock()
		after(false)
		return nil, time.Time{}, errStopping
	}
	err := s.tr.start(cmd)
	s.mu.Unlock()
	after(err == nil)
	if err != nil {
		return nil, time.Time{}, err
	}
	now := time.Now()
	pid := cmd.Process.Pid
	p.set(func(st *ProcessStatus) { st.State, st.PID, st.Started, st.Error = StateRunning, pid, now, "" })
	s.out.printf(s.self, "%s: started %s, PID %d", p.name, p.entry.Command, pid)
	return cmd, now, nil
}

// fileName makes a process name safe as a file name.
func fileName(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r == ':' {
			return '_'
		}
		return r
	}, name)
}

// supervise waits for each exit and restarts as the entry asks.
func (s *supervisor) supervise(p *proc, cmd *exec.Cmd, started time.Time) {
	defer close(p.done)
	quick := 0
	for {
		cmd.Wait()
		s.tr.exited(cmd.Process.Pid)
		ran := time.Since(started)
		exit := cmd.ProcessState.String()
		p.set(func(st *ProcessStatus) { st.PID, st.Exit = 0, exit })
		if p.stopped() {
			p.set(func(st *ProcessStatus) { st.State = StateStopped })
			s.out.printf(s.self, "%s: stopped (%s)", p.name, exit)
			return
		}
		if !p.entry.AutoRestart {
			p.set(func(st *ProcessStatus) { st.State = StateExited })
			s.out.printf(s.self, "%s: exited (%s) after %v", p.name, exit, ran.Round(time.Millisecond))
			return
		}
		if ran >= s.o.StableAfter {
			quick = 0
		}
		quick++
		if s.o.MaxRestarts >= 0 && quick > s.o.MaxRestarts {
			p.set(func(st *ProcessStatus) { st.State = StateCrashLoop })
			s.out.printf(s.self, "%s: crash loop: exited %d times in a row, each within %v of starting; not restarting it again", p.name, quick, s.o.StableAfter)
			s.log.Error("launch: crash loop; process given up", "name", p.name, "command", p.entry.Command, "exits", quick, "last_exit", exit)
			return
		}
		delay := s.o.Backoff << min(quick-1, 20)
		if delay > s.o.MaxBackoff || delay <= 0 {
			delay = s.o.MaxBackoff
		}
		p.set(func(st *ProcessStatus) { st.State = StateRestarting })
		s.out.printf(s.self, "%s: exited (%s) after %v; restarting in %v", p.name, exit, ran.Round(time.Millisecond), delay)
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-p.stop:
			t.Stop()
			p.set(func(st *ProcessStatus) { st.State = StateStopped })
			return
		}
		var err error
		cmd, started, err = s.startOnce(p)
		if errors.Is(err, errStopping) {
			p.set(func(st *ProcessStatus) { st.State = StateStopped })
			return
		}
		if err != nil {
			p.set(func(st *ProcessStatus) { st.State, st.Error = StateFailed, err.Error() })
			s.out.printf(s.self, "%s: cannot restart: %v", p.name, err)
			return
		}
		p.set(func(st *ProcessStatus) { st.Restarts++ })
	}
}

// status returns every process's row, in launch order.
func (s *supervisor) status() []ProcessStatus {
	s.mu.Lock()
	procs := append([]*proc(nil), s.procs...)
	s.mu.Unlock()
	out := make([]ProcessStatus, len(procs))
	for i, p := range procs {
		out[i] = p.status()
	}
	return out
}

// observe refreshes the process tree (call it periodically).
func (s *supervisor) observe() { s.tr.observe() }

// stopAll stops every process and its whole tree: SIGTERM to each process
// group and known descendant, SIGKILL to what is left after KillTimeout.
// No process is restarted once it begins. It returns when they are gone.
func (s *supervisor) stopAll() {
	s.mu.Lock()
	s.stopping = true
	procs := append([]*proc(nil), s.procs...)
	s.mu.Unlock()
	for _, p := range procs {
		p.stopOnce.Do(func() { close(p.stop) })
	}
	s.tr.observe()
	s.tr.signal(false)
	if !s.waitGone(procs, s.o.KillTimeout) {
		s.tr.observe()
		s.out.printf(s.self, "still running %v after SIGTERM: sending SIGKILL", s.o.KillTimeout)
		s.tr.signal(true)
		if !s.waitGone(procs, 10*time.Second) {
			s.log.Error("launch: processes survived SIGKILL")
		}
	}
	for _, p := range procs {
		<-p.done
	}
	s.tr.observe() // reap what was re-parented to us
	// Output pipes close when the last holder exits; do not wait for an
	// escaped process that still holds one.
	done := make(chan struct{})
	go func() { s.readers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		s.mu.Lock()
		for r := range s.pipes {
			r.Close()
		}
		s.mu.Unlock()
		<-done
	}
	s.restore()
}

// waitGone waits until the children have been waited for and nothing of
// their trees runs, or d passes.
func (s *supervisor) waitGone(procs []*proc, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		all := true
		for _, p := range procs {
			select {
			case <-p.done:
			default:
				all = false
			}
		}
		if all {
			s.tr.observe()
			if !s.tr.alive() {
				return true
			}
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
