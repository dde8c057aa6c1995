package launch

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gobanyan/banyan"
	"github.com/gobanyan/banyan/internal/testbp"
)

// Three local components: one runs, one crashes and is restarted until the
// crash loop is reported, one exits normally.
func TestLaunchThreeLocal(t *testing.T) {
	tb := startBackplane(t)
	entries := load(t,
		`sh -c 'echo hello from the sleeper; exec sleep 30',no,local,no,no,0`,
		`sh -c 'exit 3',no,local,no,yes,0.05`,
		`true,no,local,no,no,0`,
	)
	var out testbp.Buffer
	l, err := New(entries, tb.launcherOptions(&out))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := runAsync(func() error { return l.Run(ctx) })
	testbp.WaitFor(t, "the crash loop to be given up", func() bool {
		return statusOf(l.Status(), "sh-2").State == StateCrashLoop
	})
	testbp.WaitFor(t, "true to exit", func() bool { return statusOf(l.Status(), "true").State == StateExited })
	testbp.WaitFor(t, "the sleeper's output", func() bool { return strings.Contains(out.String(), "hello from the sleeper") })
	st := l.Status()
	sleeper, crasher, normal := statusOf(st, "sh"), statusOf(st, "sh-2"), statusOf(st, "true")
	if sleeper.State != StateRunning || sleeper.PID == 0 || sleeper.Restarts != 0 {
		t.Errorf("sleeper: %+v", sleeper)
	}
	if crasher.Restarts != 3 || crasher.Exit != "exit status 3" || crasher.PID != 0 {
		t.Errorf("crasher: want 3 restarts (MaxRestarts) then crash-loop after exit status 3, got %+v", crasher)
	}
	if normal.Exit != "exit status 0" || normal.Restarts != 0 {
		t.Errorf("true: %+v", normal)
	}
	if !regexpLine(out.String(), `^sh +\| hello from the sleeper$`) {
		t.Errorf("child output is not prefixed with its name:\n%s", out.String())
	}
	// The state changes just before the line is printed: wait for it.
	testbp.WaitFor(t, "the crash loop to be reported", func() bool {
		return strings.Contains(out.String(), "sh-2: crash loop: exited 4 times in a row")
	})
	cancel()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if !gone(sleeper.PID) {
		t.Errorf("sleeper PID %d still exists after the launcher stopped", sleeper.PID)
	}
	if s := statusOf(l.Status(), "sh").State; s != StateStopped {
		t.Errorf("sleeper state after stop = %s", s)
	}
	// The test's own backplane was running, so the launcher did not start
	// (and must not have stopped) one.
	if strings.Contains(out.String(), "started one") {
		t.Errorf("launcher started a backplane although one was running:\n%s", out.String())
	}
	tb.Connect(t)
}

// killall stops every process, grandchildren included (in the child's
// group, and one that moved to a session of its own).
func TestKillallLeavesNothingBehind(t *testing.T) {
	tb := startBackplane(t)
	dir := t.TempDir()
	rows := []string{
		`sh -c 'sleep 300 & echo $! > ` + dir + `/gc1; echo $$ > ` + dir + `/c1; wait',no,local,no,no,0`,
		`sh -c 'trap "" TERM; echo $$ > ` + dir + `/c2; while :; do sleep 1; done',no,local,no,yes,0`,
	}
	setsid := haveCommand("setsid")
	if setsid {
		rows = append(rows, `sh -c 'setsid sleep 300 & echo $! > `+dir+`/gc3; echo $$ > `+dir+`/c3; wait',no,local,no,no,0`)
	}
	secret := []byte("test secret")
	o := tb.launcherOptions(&testbp.Buffer{})
	var logs testbp.Buffer
	o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	o.Auth.Secret = secret
	o.Process.KillTimeout = 500 * time.Millisecond // c2 ignores SIGTERM: SIGKILL it is
	l, err := New(load(t, rows...), o)
	if err != nil {
		t.Fatal(err)
	}
	wait := runAsync(func() error { return l.Run(context.Background()) })
	var pids []int
	for _, f := range []string{"c1", "gc1", "c2", "gc3", "c3"} {
		if !setsid && strings.HasSuffix(f, "3") {
			continue
		}
		pids = append(pids, readPID(t, filepath.Join(dir, f)))
	}
	for _, pid := range pids {
		if gone(pid) {
			t.Fatalf("PID %d is not running before killall", pid)
		}
	}
	// An unsigned killall is refused, a signed one obeyed.
	if err := Killall(context.Background(), nil, tb.Options()...); err != nil {
		t.Fatal(err)
	}
	testbp.WaitFor(t, "the unsigned killall to be refused", func() bool { return strings.Contains(logs.String(), "refused killall") })
	if !strings.Contains(logs.String(), "unsigned") {
		t.Errorf("refusal does not say why:\n%s", logs.String())
	}
	for _, pid := range pids {
		if gone(pid) {
			t.Fatalf("PID %d stopped after an unsigned killall", pid)
		}
	}
	if err := Killall(context.Background(), secret, tb.Options()...); err != nil {
		t.Fatal(err)
	}
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if !gone(pid) {
			t.Errorf("PID %d still exists after killall", pid)
		}
	}
}

// With no backplane running, the launcher starts one and stops it at the
// end.
func TestLaunchStartsBackplane(t *testing.T) {
	ports := testbp.FreePorts(t, 2)
	pub, sub := ports[0], ports[1]
	var out testbp.Buffer
	l, err := New(load(t, `true,no,local,no,no,0`), Options{
		Backplane: "127.0.0.1", PublisherPort: pub, SubscriberPort: sub, BackplaneBind: "127.0.0.1",
		ProbeTimeout: 200 * time.Millisecond, Process: testProcessOptions(&out), Logger: quietLog,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := runAsync(func() error { return l.Run(ctx) })
	<-l.Ready()
	opts := []banyan.Option{banyan.WithBackplane("127.0.0.1"), banyan.WithPorts(pub, sub), banyan.WithLogger(quietLog)}
	// A generous deadline to find it (a busy machine is slow to answer), a
	// short one to find it gone (nothing listens: refused at once).
	c, err := banyan.Connect(context.Background(), append(opts, banyan.WithConnectTimeout(30*time.Second))...)
	if err != nil {
		t.Fatalf("no backplane while the launcher runs: %v", err)
	}
	c.Close()
	cancel()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := banyan.Connect(context.Background(), append(opts, banyan.WithConnectTimeout(300*time.Millisecond))...); !errors.Is(err, banyan.ErrBackplaneNotRunning) {
		t.Fatalf("the backplane we started still answers after the launcher stopped: %v", err)
	}
	if !strings.Contains(out.String(), "no backplane answered") {
		t.Errorf("output does not say a backplane was started:\n%s", out.String())
	}
}

// The backplane can be a child process; it is stopped at the end, and the
// launcher does not try to start one on another host.
func TestLaunchBackplaneCommand(t *testing.T) {
	ports := testbp.FreePorts(t, 2)
	pub, sub := ports[0], ports[1]
	t.Setenv(envHelperBackplane, strconv.Itoa(pub)+" "+strconv.Itoa(sub))
	var out testbp.Buffer
	l, err := New(load(t, `true,no,local,no,no,0`), Options{
		Backplane: "127.0.0.1", PublisherPort: pub, SubscriberPort: sub, BackplaneCommand: []string{os.Args[0]},
		ProbeTimeout: 200 * time.Millisecond, Process: testProcessOptions(&out), Logger: quietLog,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := runAsync(func() error { return l.Run(ctx) })
	<-l.Ready()
	m := regexpFind(out.String(), `backplane: started .*, PID (\d+)`)
	if m == nil {
		t.Fatalf("no backplane PID in output:\n%s", out.String())
	}
	bpPID, _ := strconv.Atoi(m[1])
	cancel()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if !gone(bpPID) {
		t.Errorf("backplane child %d still exists", bpPID)
	}

	l2, _ := New(load(t, `true,no,local,no,no,0`), Options{Backplane: "192.0.2.1", PublisherPort: pub, SubscriberPort: sub,
		ProbeTimeout: 200 * time.Millisecond, Process: testProcessOptions(&out), Logger: quietLog})
	if err := l2.Run(context.Background()); !errors.Is(err, ErrRemoteBackplane) {
		t.Fatalf("launcher with a remote, silent backplane: got %v, want ErrRemoteBackplane", err)
	}
}

// A launch file with its own backplane row (Python launch files say
// "backplane"): with none running, that row is started first, whatever its
// place, instead of a backplane of ours, and stopped at the end.
func TestLaunchFileBackplaneRow(t *testing.T) {
	ports := testbp.FreePorts(t, 2)
	pub, sub := ports[0], ports[1]
	t.Setenv(envHelperBackplane, strconv.Itoa(pub)+" "+strconv.Itoa(sub))
	bin := t.TempDir()
	if err := os.Symlink(os.Args[0], filepath.Join(bin, "backplane")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var out testbp.Buffer
	l, err := New(load(t, `sh -c 'echo row-one-ran',no,local,no,no,0`, `backplane -n x,no,local,no,no,1`), Options{
		Backplane: "127.0.0.1", PublisherPort: pub, SubscriberPort: sub,
		ProbeTimeout: 200 * time.Millisecond, Process: testProcessOptions(&out), Logger: quietLog,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := runAsync(func() error { return l.Run(ctx) })
	<-l.Ready()
	out.WaitFor(t, "row-one-ran")
	got := out.String()
	if !strings.Contains(got, "starting the launch file's backplane first") || strings.Contains(got, "in this process") {
		t.Fatalf("the launch file's backplane row was not the backplane:\n%s", got)
	}
	m := regexpFind(got, `backplane-2: started .*, PID (\d+)`)
	if m == nil {
		t.Fatalf("no backplane row PID in output:\n%s", got)
	}
	bpPID, _ := strconv.Atoi(m[1])
	if n := len(l.Status()); n != 1 {
		t.Errorf("status has %d rows, want 1 (the backplane row runs as the backplane)", n)
	}
	cancel()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if !gone(bpPID) {
		t.Errorf("backplane row %d still exists", bpPID)
	}
}

// Child output can go to a log file per child; spawn=yes uses the
// configured terminal command.
func TestLaunchLogDirAndTerminal(t *testing.T) {
	tb := startBackplane(t)
	logs := t.TempDir()
	var out testbp.Buffer
	o := tb.launcherOptions(&out)
	o.Process.LogDir = logs
	o.Process.Terminal = []string{"env", "FAKE_TERMINAL=yes"}
	l, err := New(load(t, `sh -c 'echo in a terminal: $FAKE_TERMINAL',yes,local,no,no,0`, `echo to the log,no,local,no,no,0`), o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := runAsync(func() error { return l.Run(ctx) })
	testbp.WaitFor(t, "both to exit", func() bool {
		return statusOf(l.Status(), "sh").State == StateExited && statusOf(l.Status(), "echo").State == StateExited
	})
	cancel()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"sh": "in a terminal: yes", "echo": "to the log"} {
		b, err := os.ReadFile(filepath.Join(logs, name+".log"))
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s.log = %q, %v; want it to hold %q", name, b, err, want)
		}
	}
	if strings.Contains(out.String(), "to the log") && !strings.Contains(out.String(), "started echo to the log") {
		t.Errorf("child output reached stdout although a log dir is set:\n%s", out.String())
	}
}

func TestSpawnWithoutTerminalRunsInPlace(t *testing.T) {
	tb := startBackplane(t)
	var out testbp.Buffer
	l, err := New(load(t, `echo spawned,yes,local,no,no,0`), tb.launcherOptions(&out))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := runAsync(func() error { return l.Run(ctx) })
	testbp.WaitFor(t, "echo to exit", func() bool { return statusOf(l.Status(), "echo").State == StateExited })
	// Its output is copied by another goroutine, which may lag its exit.
	testbp.WaitFor(t, "the note and echo's output", func() bool {
		return strings.Contains(out.String(), "no terminal is configured") && regexpLine(out.String(), `^echo +\| spawned$`)
	})
	cancel()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
}

// The status table is printed while running and answered to QueryStatus.
func TestStatus(t *testing.T) {
	tb := startBackplane(t)
	var out testbp.Buffer
	o := tb.launcherOptions(&out)
	o.StatusEvery = 50 * time.Millisecond
	l, err := New(load(t, `sleep 30,no,local,no,no,0`, `false,no,local,no,no,0`), o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := runAsync(func() error { return l.Run(ctx) })
	testbp.WaitFor(t, "false to exit", func() bool { return statusOf(l.Status(), "false").State == StateExited })
	reports, err := QueryStatus(context.Background(), StatusQuery{Wait: 30 * time.Second, Want: 1}, tb.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Source != "launcher" || reports[0].PID != os.Getpid() {
		t.Fatalf("reports: %+v", reports)
	}
	got := reports[0].Processes
	if len(got) != 2 || got[0].Name != "sleep" || got[0].State != StateRunning || got[0].PID == 0 || got[0].Started.IsZero() ||
		got[1].Name != "false" || got[1].State != StateExited || got[1].Exit != "exit status 1" {
		t.Fatalf("processes: %+v", got)
	}
	// A table is written in pieces, every 50 ms: wait for the row itself.
	testbp.WaitFor(t, "a table with sleep running in the output", func() bool {
		return regexpLine(out.String(), `^NAME +WHERE +PID +STATE +RESTARTS +UPTIME`) &&
			regexpLine(out.String(), `^sleep +local +\d+ +running +0 +\d+s +- +sleep 30$`)
	})
	cancel()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
}

func TestNewRefusesRemoteRowsWithoutSecret(t *testing.T) {
	_, err := New(load(t, `python3 gw.py,no,pi,yes,no,0`), Options{})
	if !errors.Is(err, ErrNoSecret) {
		t.Fatalf("got %v, want ErrNoSecret", err)
	}
	if _, err := New(load(t, `python3 gw.py,no,pi,yes,no,0`), Options{Auth: Auth{InsecurePythonCompat: true}}); err != nil {
		t.Fatal(err)
	}
}

// A command that cannot start is reported; the rows after it still run.
func TestLaunchMissingCommand(t *testing.T) {
	tb := startBackplane(t)
	var out testbp.Buffer
	l, err := New(load(t, `no-such-banyan-command-xyz,no,local,no,yes,0`, `true,no,local,no,no,0`), tb.launcherOptions(&out))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := runAsync(func() error { return l.Run(ctx) })
	testbp.WaitFor(t, "true to exit", func() bool { return statusOf(l.Status(), "true").State == StateExited })
	st := statusOf(l.Status(), "no-such-banyan-command-xyz")
	if st.State != StateFailed || !strings.Contains(st.Error, "not found") || st.Restarts != 0 {
		t.Errorf("missing command: %+v", st)
	}
	cancel()
	if err := wait(); err != nil {
		t.Fatal(err)
	}
}
