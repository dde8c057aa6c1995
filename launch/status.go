package launch

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// State is a process's state in the status table.
type State string

// Process states.
const (
	StatePending    State = "pending"     // not started yet
	StateRunning    State = "running"     // running here
	StateRestarting State = "restarting"  // exited; waiting (backoff) to restart
	StateExited     State = "exited"      // exited and not restarted (auto_restart=no)
	StateCrashLoop  State = "crash-loop"  // kept exiting soon after start; given up
	StateFailed     State = "failed"      // could not be started
	StateStopped    State = "stopped"     // stopped by us (Ctrl-C, killall)
	StateWaitingAck State = "waiting-ack" // remote: record sent, no ack yet
	StateLaunched   State = "launched"    // remote: acknowledged by the launch client
)

// ProcessStatus is one row of the status table.
type ProcessStatus struct {
	Name     string
	Command  string
	Where    string // "local", or the launch client's topic
	PID      int    // 0 when not running (remote rows: the client's PID)
	State    State
	Restarts int
	Started  time.Time // last start (remote: when acknowledged)
	Exit     string    // last exit, such as "exit status 3" or "signal: terminated"
	Error    string    // why it could not be started
}

// Uptime is how long the process has been running at now, or 0.
func (p ProcessStatus) Uptime(now time.Time) time.Duration {
	if (p.State == StateRunning || p.State == StateLaunched) && !p.Started.IsZero() {
		return now.Sub(p.Started)
	}
	return 0
}

// WriteTable writes the status table: name, where, PID, state, restarts,
// uptime, last exit and command.
func WriteTable(w io.Writer, now time.Time, procs []ProcessStatus) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tWHERE\tPID\tSTATE\tRESTARTS\tUPTIME\tLAST EXIT\tCOMMAND")
	for _, p := range procs {
		pid, up, exit := "-", "-", p.Exit
		if p.PID > 0 {
			pid = strconv.Itoa(p.PID)
		}
		if d := p.Uptime(now); d > 0 {
			up = formatUptime(d)
		}
		if p.Error != "" {
			exit = p.Error
		}
		if exit == "" {
			exit = "-"
		}
		cmd := p.Command
		if len(cmd) > 48 {
			cmd = cmd[:45] + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", p.Name, p.Where, pid, p.State, p.Restarts, up, oneLine(exit), oneLine(cmd))
	}
	return tw.Flush()
}

func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\t", " ").Replace(s) }

func formatUptime(d time.Duration) string {
	d = d.Round(time.Second)
	if d < time.Minute {
		return d.String()
	}
	h := int(d.Hours())
	m := int(d.Minutes()) % 60
	s := int(d.Seconds()) % 60
	if h == 0 {
		return fmt.Sprintf("%dm%02ds", m, s)
	}
	return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
}
