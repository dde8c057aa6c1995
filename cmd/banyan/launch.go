package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/gobanyan/banyan/launch"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// launchAuthFlags are the secret flags of launch, launch-client and killall.
type launchAuthFlags struct {
	secret     string
	secretFile string
	insecure   bool
	window     time.Duration
}

func (f *launchAuthFlags) add(fs *pflag.FlagSet, insecure bool) {
	fs.StringVar(&f.secret, "secret", "", "shared secret that signs launch records, killall and status requests (default $"+launch.EnvSecret+"; prefer --secret-file: command lines are visible to other users)")
	fs.StringVar(&f.secretFile, "secret-file", "", "read the shared secret from this file (trailing newline ignored)")
	if insecure {
		fs.BoolVar(&f.insecure, "insecure-python-compat", false, "accept unsigned launch records, acks and killall (to work with Python's bls/blc/blk); anyone on the network can then run commands here")
		fs.DurationVar(&f.window, "replay-window", 30*time.Second, "accept signatures at most this far from our clock; also bounds replays")
	}
}

func (f *launchAuthFlags) auth() (launch.Auth, error) {
	a := launch.Auth{InsecurePythonCompat: f.insecure, Window: f.window}
	switch {
	case f.secretFile != "":
		b, err := os.ReadFile(f.secretFile)
		if err != nil {
			return a, err
		}
		a.Secret = bytes.TrimRight(b, "\r\n")
		if len(a.Secret) == 0 {
			return a, fmt.Errorf("%s: empty secret", f.secretFile)
		}
	case f.secret != "":
		a.Secret = []byte(f.secret)
	default:
		a.Secret = launch.SecretFromEnv()
	}
	return a, nil
}

// launchProcFlags configure how processes are run.
type launchProcFlags struct {
	terminal    string
	logDir      string
	maxRestarts int
	backoff     time.Duration
	killTimeout time.Duration
	noSubreaper bool
}

func (f *launchProcFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.terminal, "terminal", os.Getenv("BANYAN_TERMINAL"), `terminal command for spawn=yes rows, the row's command follows it, e.g. "xterm -e" or "gnome-terminal --" (default $BANYAN_TERMINAL; without one such rows run here)`)
	fs.StringVar(&f.logDir, "log-dir", "", "write each process's output to DIR/<name>.log instead of prefixed lines on stdout")
	fs.IntVar(&f.maxRestarts, "max-restarts", 5, "auto_restart: quick restarts in a row before a crash loop is reported and the process given up (-1: no limit)")
	fs.DurationVar(&f.backoff, "backoff", 500*time.Millisecond, "auto_restart: first restart delay, doubled after each quick exit (up to 30s)")
	fs.DurationVar(&f.killTimeout, "kill-timeout", 5*time.Second, "on stop, wait this long after SIGTERM before SIGKILL")
	fs.BoolVar(&f.noSubreaper, "no-subreaper", false, "do not adopt and reap orphaned grandchildren (Linux)")
}

func (f *launchProcFlags) options(out io.Writer) (launch.ProcessOptions, error) {
	o := launch.ProcessOptions{Output: out, LogDir: f.logDir, MaxRestarts: f.maxRestarts, Backoff: f.backoff, KillTimeout: f.killTimeout, Subreaper: !f.noSubreaper}
	if f.maxRestarts == 0 {
		return o, errors.New("--max-restarts 0: use auto_restart=no instead")
	}
	if f.terminal != "" {
		t, err := launch.SplitCommand(f.terminal)
		if err != nil {
			return o, fmt.Errorf("--terminal: %w", err)
		}
		o.Terminal = t
	}
	if f.logDir != "" {
		if err := os.MkdirAll(f.logDir, 0o755); err != nil {
			return o, err
		}
	}
	return o, nil
}

func newLaunchCmd() *cobra.Command {
	var (
		cf          componentFlags
		af          launchAuthFlags
		pf          launchProcFlags
		file        string
		status      bool
		watch       time.Duration
		statusEvery time.Duration
		republish   time.Duration
		embedded    bool
		noStart     bool
		advertise   string
	)
	cmd := &cobra.Command{
		Use:   "launch [FILE]",
		Short: "Run a whole Banyan application from a launch file (Python's bls)",
		Long: `Run every process of a launch file: Python Banyan's launch CSV
(command_string,spawn,topic,append_bp_address,auto_restart,wait), or the same
in TOML (a FILE ending in .toml). A backplane is started first when none
answers (and stopped at the end). Rows with topic "local" run here, each in its
own process group, output prefixed with its name; other rows go to the
"banyan launch-client" (or Python blc) listening on that topic.

Ctrl-C or "banyan killall" stops everything: SIGTERM to every process and its
descendants, SIGKILL after --kill-timeout.

Remote rows are signed with a shared secret (--secret-file, --secret or
$BANYAN_LAUNCH_SECRET); use --insecure-python-compat to talk to Python's blc.

"banyan launch --status" prints the process table of every running launcher
and launch client. The request is signed with the secret when one is given;
launchers and launch clients that have a secret answer only signed requests
(their tables hold command lines).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if status {
				auth, err := af.auth()
				if err != nil {
					return err
				}
				return launchStatus(cmd, &cf, watch, auth.Secret)
			}
			if len(args) == 1 {
				if cmd.Flags().Changed("file") {
					return errors.New("give the launch file as an argument or with -f, not both")
				}
				file = args[0]
			}
			comp, err := cf.launchOptions()
			if err != nil {
				return err
			}
			entries, err := launch.Load(file)
			if err != nil {
				return err
			}
			auth, err := af.auth()
			if err != nil {
				return err
			}
			po, err := pf.options(out)
			if err != nil {
				return err
			}
			o := launch.Options{
				Backplane: string(cf.backplane), PublisherPort: cf.pubPort, SubscriberPort: cf.subPort, Advertise: advertise,
				NoStartBackplane: noStart, Process: po, Auth: auth, Republish: republish, StatusEvery: statusEvery,
				Name: cf.name, Logger: cf.logger(), Component: comp,
			}
			if !embedded {
				if exe, err := selfPath(); err == nil {
					o.BackplaneCommand = []string{exe, "backplane", "-p", strconv.Itoa(cf.pubPort), "-s", strconv.Itoa(cf.subPort)}
				}
			}
			l, err := launch.New(entries, o)
			if err != nil {
				return err
			}
			return l.Run(cmd.Context())
		},
	}
	// No --connect-timeout: the launcher probes for a backplane
	// (ProbeTimeout) and starts one when none answers.
	cf.addBase(cmd, "Banyan Launch Server", "n")
	fs := cmd.Flags()
	cf.addMsgpack(fs)
	fs.StringVarP(&file, "file", "f", "launch.csv", "launch file (.csv as Python's bls, or .toml)")
	af.add(fs, true)
	pf.add(fs)
	fs.DurationVar(&republish, "republish", 3*time.Second, "send remote records again this often until acknowledged")
	fs.DurationVar(&statusEvery, "status-every", 0, "print the process table this often while running (0: never)")
	fs.BoolVar(&status, "status", false, "do not launch: print the process table of every running launcher and launch client (those with a secret answer only when given the same secret)")
	fs.DurationVar(&watch, "watch", 0, "with --status: print it again at this interval until Ctrl-C")
	fs.BoolVar(&embedded, "embedded-backplane", false, "start a missing backplane inside this process instead of as a child process (Python components that look for a process named backplane will not find it)")
	fs.BoolVar(&noStart, "no-backplane-start", false, "fail when no backplane answers instead of starting one")
	fs.StringVar(&advertise, "advertise", "", "backplane address appended (-b) to remote rows with append_bp_address=yes (default: -b when not loopback, else this host's LAN address)")
	return cmd
}

// launchStatus prints every launcher's and launch client's table.
// The request is signed with secret when there is one: launchers and
// launch clients that have a secret answer only signed requests.
func launchStatus(cmd *cobra.Command, cf *componentFlags, watch time.Duration, secret []byte) error {
	out := cmd.OutOrStdout()
	opts, err := cf.options()
	if err != nil {
		return err
	}
	for {
		reports, err := launch.QueryStatus(cmd.Context(), launch.StatusQuery{Wait: time.Second, Secret: secret}, opts...)
		if err != nil && !(watch > 0 && errors.Is(err, launch.ErrNoReport)) {
			return err
		}
		now := time.Now()
		if watch > 0 {
			fmt.Fprintf(out, "--- %s\n", now.Format("15:04:05"))
		}
		for i, r := range reports {
			if i > 0 {
				fmt.Fprintln(out)
			}
			fmt.Fprintf(out, "%s on %s (PID %d)\n", r.Source, r.Host, r.PID)
			launch.WriteTable(out, now, r.Processes)
		}
		if watch <= 0 {
			return nil
		}
		select {
		case <-cmd.Context().Done():
			return nil
		case <-time.After(watch):
		}
	}
}

func newLaunchClientCmd() *cobra.Command {
	var (
		cf    componentFlags
		af    launchAuthFlags
		pf    launchProcFlags
		topic string
		stay  bool
	)
	cmd := &cobra.Command{
		Use:   "launch-client -t TOPIC",
		Short: "Run the commands a launcher sends on a topic (Python's blc)",
		Long: `Listen on a topic for launch records from "banyan launch" (or Python's bls),
run their commands here and acknowledge on ACK<topic>. Only records signed with
the shared secret are run (--secret-file, --secret or $BANYAN_LAUNCH_SECRET);
--insecure-python-compat accepts Python bls's unsigned records. killall stops
everything it started and exits (or, with --stay, goes on listening).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			comp, err := cf.launchOptions()
			if err != nil {
				return err
			}
			auth, err := af.auth()
			if err != nil {
				return err
			}
			po, err := pf.options(cmd.OutOrStdout())
			if err != nil {
				return err
			}
			c, err := launch.NewClient(launch.ClientOptions{
				Topic: topic, Backplane: string(cf.backplane), PublisherPort: cf.pubPort, SubscriberPort: cf.subPort,
				Process: po, Auth: auth, Stay: stay, Name: cf.name, Logger: cf.logger(),
				Component: comp,
			})
			if err != nil {
				return err
			}
			return c.Run(cmd.Context())
		},
	}
	// No --connect-timeout: the client waits for the backplane however
	// long it takes, as Python's blc does.
	cf.addBase(cmd, "Banyan Launch Client", "n")
	fs := cmd.Flags()
	cf.addMsgpack(fs)
	fs.StringVarP(&topic, "topic", "t", "", "topic to take launch records from (the topic column of the launcher's rows)")
	cmd.MarkFlagRequired("topic")
	af.add(fs, true)
	pf.add(fs)
	fs.BoolVar(&stay, "stay", false, "after killall, stop everything but keep listening (Python's blc exits)")
	return cmd
}

// killallConnectTimeout is killall's default --connect-timeout.
const killallConnectTimeout = 5 * time.Second

func newKillallCmd() *cobra.Command {
	var (
		cf componentFlags
		af launchAuthFlags
	)
	cmd := &cobra.Command{
		Use:   "killall",
		Short: "Stop every launcher and launch client on the backplane, and all they started (Python's blk)",
		Long: `Publish Python Banyan's killall message ({'exit': 'exit'} on topic killall).
Every "banyan launch", "banyan launch-client" (and Python bls/blc) on the
backplane stops all it started. It is signed with the shared secret when one is
given (--secret-file, --secret or $BANYAN_LAUNCH_SECRET); launchers and clients
that have a secret ignore unsigned killall messages.

When no backplane answers within --connect-timeout (5s; Python's blk fails at
once), it fails with "Backplane is not running - please start it."`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			auth, err := af.auth()
			if err != nil {
				return err
			}
			opts, err := cf.options()
			if err != nil {
				return err
			}
			if err := launch.Killall(cmd.Context(), auth.Secret, opts...); err != nil {
				return err
			}
			signed := "unsigned"
			if len(auth.Secret) > 0 {
				signed = "signed"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "killall sent (%s)\n", signed)
			return nil
		},
	}
	// Python's blk has no -b and fails at once when no backplane runs:
	// killall waits a little, not for ever.
	cf.addBase(cmd, "Launcher Killer", "n")
	cf.addConnectWith(cmd.Flags(), killallConnectTimeout, "Python's blk fails at once when no backplane runs; 0 = wait for it without bound")
	af.add(cmd.Flags(), false)
	return cmd
}
